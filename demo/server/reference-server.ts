import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { createSimulator, type Simulator } from './simulator.js';

export interface ReferenceServerOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** Enables the `/faults/*` endpoints (tests and the demo only). @default false */
  readonly faults?: boolean;
  /** How many received client messages to keep for inspection. @default 10000 */
  readonly keepReceived?: number;
  /**
   * Tokens the server accepts in a first frame `{"type":"auth","token":…}`, answered `{"type":"auth-ok"}`;
   * anything else closes the socket with 4401. `null` asks for no auth. @default null
   */
  readonly tokens?: readonly string[] | null;
  /** Messages each channel keeps for `resume`; older ones are gone, and a resume from before them has a gap. @default 1000 */
  readonly replayLimit?: number;
  /** Publishes dashboard traffic on `metrics`, `events` and `alerts` (the demo); `null` publishes nothing. @default null */
  readonly simulator?: { readonly rate?: number; readonly seed?: number } | null;
}

/**
 * What the server does with a request: the reply's data, a thrown Error for an error reply, or `undefined` for no
 * answer at all (to test timeouts). @default `{ echo: data }`
 */
export type RequestHandler = (data: unknown) => unknown;

export interface ServerStats {
  /** Sockets open now. */
  readonly connections: number;
  /** Sockets ever accepted. */
  readonly totalConnections: number;
  /** Handshakes refused on purpose (`refuseNext`). */
  readonly refusedConnections: number;
  readonly messagesReceived: number;
  readonly messagesSent: number;
  /** Frames those messages left in (several messages of one tick share a `batch` frame). */
  readonly framesSent: number;
  /** Bytes of the frames' payloads sent (text frames are UTF-8; the benchmark sends ASCII). */
  readonly bytesSent: number;
  /** Sockets closed with 4401 for a missing or wrong token. */
  readonly authRefusals: number;
  /** Channels with at least one subscribed socket, and their subscriber counts. */
  readonly subscribers: Readonly<Record<string, number>>;
  /** Each channel's latest sequence number. */
  readonly heads: Readonly<Record<string, number>>;
}

export interface ReferenceServer {
  readonly port: number;
  /** `ws://host:port/` */
  readonly url: string;
  /** `http://host:port` */
  readonly httpUrl: string;
  stats(): ServerStats;
  /** Client messages received, oldest first (bounded by `keepReceived`). */
  readonly received: unknown[];
  /** Sends `data` as JSON to every socket, outside any channel; returns how many sockets it went to. */
  publish(data: unknown): number;
  /** Publishes `data` on `channel` with the next sequence number; returns that number. */
  publishTo(channel: string, data: unknown): number;
  /** Sends a raw text frame to every socket, JSON or not. */
  publishRaw(text: string): number;
  /** Closes every socket with `code`. */
  closeAll(code: number, reason?: string): void;
  /** Refuses the next `count` handshakes with HTTP 503. */
  refuseNext(count: number): void;
  /** While silent, the server answers no ping (the sockets stay open). */
  setSilent(silent: boolean): void;
  /** Changes the tokens accepted from now on; `null` asks for no auth. */
  acceptTokens(tokens: readonly string[] | null): void;
  /** Replaces how requests are answered. */
  onRequest(handler: RequestHandler): void;
  /**
   * Publishes `count` messages `{ t, n }` on `channel` (`t`: epoch ms with sub-ms precision, for latency) at `rate`
   * per second, or as fast as the server can with `rate` 0. Bounded by `count` and by `maxMs`. Resolves when done.
   */
  stream(channel: string, count: number, rate: number, maxMs?: number): Promise<{ sent: number; ms: number }>;
  /** The traffic simulator, when the server was started with one. */
  readonly simulator: Simulator | null;
  /**
   * Closes every socket (1012) and stops listening for `downMs`, then listens again on the same port. With `forget`,
   * it comes back without its history, numbering every channel from 1 again, as a server without storage does.
   */
  restart(downMs?: number, options?: { forget?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** The reference server the demo and the tests use: a `ws` server with a small HTTP control surface. */
/** The most messages one batch frame carries. */
const BATCH_LIMIT = 500;

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const host = options.host ?? '127.0.0.1';
  const keepReceived = options.keepReceived ?? 10_000;
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const received: unknown[] = [];
  const counters = {
    totalConnections: 0,
    refusedConnections: 0,
    messagesReceived: 0,
    messagesSent: 0,
    framesSent: 0,
    bytesSent: 0,
    authRefusals: 0,
  };
  let tokens = options.tokens ?? null;
  const replayLimit = options.replayLimit ?? 1000;
  let answer: RequestHandler = (data) => history(data) ?? { echo: data };
  /** `{ op: 'history', channel, limit }` answers with the channel's buffered messages, oldest first. */
  function history(data: unknown): { channel: string; messages: unknown[] } | undefined {
    if (!isRecord(data) || data['op'] !== 'history' || typeof data['channel'] !== 'string') return undefined;
    const limit = Math.max(0, Math.min(Number(data['limit'] ?? 100), replayLimit));
    const frames = channels.get(data['channel'])?.replay.slice(-limit) ?? [];
    return { channel: data['channel'], messages: frames.map((frame) => JSON.parse(frame.text) as unknown) };
  }
  /** Per channel: its subscribers, its sequence number, and the last `replayLimit` frames for resume. */
  const channels = new Map<
    string,
    { subscribers: Set<WebSocket>; seq: number; replay: { seq: number; text: string }[] }
  >();
  const channel = (name: string) => {
    let state = channels.get(name);
    if (!state) channels.set(name, (state = { subscribers: new Set(), seq: 0, replay: [] }));
    return state;
  };
  /** Sockets still waiting to show a token; they get no broadcasts. */
  const unauthenticated = new WeakSet<WebSocket>();
  let refuse = 0;
  let silent = false;
  let http: Server;
  let port = options.port ?? 0;

  /**
   * Per socket, the messages of this tick: they leave together as one `batch` frame, because a browser pays per
   * frame far more than per byte. A message alone in its tick leaves as itself, with no added delay to speak of.
   */
  const outgoing = new Map<WebSocket, string[]>();
  let flushScheduled = false;

  /** Queues a message for this tick's frame; `alone` sends it now in a frame of its own (pongs, raw frames). */
  function send(socket: WebSocket, text: string, alone = false): void {
    if (socket.readyState !== socket.OPEN) return;
    if (alone) {
      flushSocket(socket);
      return write(socket, text, 1);
    }
    const queue = outgoing.get(socket);
    if (queue) queue.push(text);
    else outgoing.set(socket, [text]);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushAll);
    }
  }

  function flushAll(): void {
    flushScheduled = false;
    for (const socket of [...outgoing.keys()]) flushSocket(socket);
  }

  function flushSocket(socket: WebSocket): void {
    const queue = outgoing.get(socket);
    if (!queue) return;
    outgoing.delete(socket);
    if (socket.readyState !== socket.OPEN) return;
    for (let i = 0; i < queue.length; i += BATCH_LIMIT) {
      const part = queue.slice(i, i + BATCH_LIMIT);
      // The messages are JSON texts already, so the batch is built by joining, not by parsing again.
      write(
        socket,
        part.length === 1 ? part[0]! : `{"type":"batch","messages":[${part.join(',')}]}`,
        part.length,
      );
    }
  }

  function write(socket: WebSocket, frame: string, messages: number): void {
    socket.send(frame);
    counters.messagesSent += messages;
    counters.framesSent++;
    counters.bytesSent += frame.length;
  }

  function broadcastText(text: string, alone = false): number {
    let delivered = 0;
    for (const socket of sockets) {
      if (unauthenticated.has(socket)) continue;
      send(socket, text, alone);
      delivered++;
    }
    return delivered;
  }

  function onConnection(socket: WebSocket): void {
    sockets.add(socket);
    counters.totalConnections++;
    if (tokens) unauthenticated.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      for (const state of channels.values()) state.subscribers.delete(socket);
    });
    socket.on('message', (raw, isBinary) => {
      counters.messagesReceived++;
      let message: unknown = raw;
      if (!isBinary) {
        try {
          message = JSON.parse(raw.toString());
        } catch {
          message = raw.toString();
        }
      }
      if (unauthenticated.has(socket)) {
        if (isRecord(message) && message['type'] === 'auth' && tokens?.includes(String(message['token']))) {
          unauthenticated.delete(socket);
          send(socket, JSON.stringify({ type: 'auth-ok' }), true);
        } else {
          counters.authRefusals++;
          socket.close(4401, 'invalid token');
        }
        return;
      }
      received.push(message);
      if (received.length > keepReceived) received.shift();
      if (isRecord(message)) handleMessage(socket, message);
    });
  }

  /** The server side of tabmux's wire protocol (README.md, "Wire protocol"). */
  function handleMessage(socket: WebSocket, message: Record<string, unknown>): void {
    const name = message['channel'];
    const reply = (body: unknown) => send(socket, JSON.stringify(body));
    switch (message['type']) {
      case 'ping':
        if (!silent) send(socket, JSON.stringify({ type: 'pong' }), true);
        return;
      case 'subscribe':
      case 'resume': {
        if (typeof name !== 'string' || name === '')
          return reply({ type: 'error', message: 'a channel name is required' });
        const state = channel(name);
        state.subscribers.add(socket);
        const after = message['type'] === 'resume' ? Number(message['after']) : state.seq;
        for (const frame of state.replay) if (frame.seq > after) send(socket, frame.text);
        return reply({ type: 'subscribed', channel: name, seq: state.seq });
      }
      case 'unsubscribe':
        if (typeof name === 'string') channels.get(name)?.subscribers.delete(socket);
        return;
      case 'publish':
        if (typeof name !== 'string' || name === '')
          return reply({ type: 'error', message: 'a channel name is required' });
        server.publishTo(name, message['data']);
        return;
      case 'request': {
        const id = message['id'];
        if (typeof id !== 'string') return reply({ type: 'error', message: 'a request needs a string id' });
        try {
          const data = answer(message['data']);
          if (data !== undefined) reply({ type: 'reply', id, data });
          return;
        } catch (error) {
          return reply({
            type: 'error',
            id,
            message: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (refuse > 0) {
      refuse--;
      counters.refusedConnections++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws));
  }

  async function onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader('Access-Control-Allow-Origin', '*');
    response.setHeader('Access-Control-Allow-Headers', 'content-type');
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const route = `${request.method} ${path}`;
    if (request.method === 'OPTIONS') return reply(response, 204);
    if (route === 'GET /stats')
      return reply(response, 200, { ...server.stats(), rate: server.simulator?.rate ?? null });
    const body = request.method === 'POST' ? await readBody(request) : '';
    let json: unknown;
    try {
      json = body === '' ? {} : JSON.parse(body);
    } catch {
      return reply(response, 400, { error: 'the body must be JSON' });
    }
    if (route === 'POST /publish') {
      const name = new URL(request.url ?? '/', 'http://x').searchParams.get('channel');
      if (name) return reply(response, 200, { seq: server.publishTo(name, json) });
      return reply(response, 200, { delivered: server.publish(json) });
    }
    if (!options.faults || !path.startsWith('/faults/') || !isRecord(json))
      return reply(response, 404, { error: 'not found' });
    switch (route) {
      case 'POST /faults/close-all':
        server.closeAll(
          Number(json['code'] ?? 1012),
          String(json['reason'] ?? 'closed by /faults/close-all'),
        );
        return reply(response, 200, { ok: true });
      case 'POST /faults/refuse':
        server.refuseNext(Number(json['count'] ?? 1));
        return reply(response, 200, { ok: true });
      case 'POST /faults/silence':
        server.setSilent(json['silent'] !== false);
        return reply(response, 200, { ok: true });
      case 'POST /faults/simulator': {
        if (!server.simulator) return reply(response, 404, { error: 'this server runs no simulator' });
        try {
          server.simulator.setRate(Number(json['rate']));
        } catch (error) {
          return reply(response, 400, { error: (error as Error).message });
        }
        return reply(response, 200, { rate: server.simulator.rate });
      }
      case 'POST /faults/stream': {
        const count = Number(json['count']);
        const rate = Number(json['rate'] ?? 0);
        if (!(count >= 1 && count <= 1_000_000) || !(rate >= 0 && rate <= 1_000_000)) {
          return reply(response, 400, { error: 'count must be 1..1000000 and rate 0..1000000 per second' });
        }
        return reply(response, 200, await server.stream(String(json['channel'] ?? 'bench'), count, rate));
      }
      case 'POST /faults/raw':
        return reply(response, 200, { delivered: server.publishRaw(String(json['text'] ?? '')) });
      case 'POST /faults/restart':
        reply(response, 200, { ok: true });
        return void server.restart(Number(json['downMs'] ?? 500));
      default:
        return reply(response, 404, { error: 'not found' });
    }
  }

  async function listen(): Promise<void> {
    http = createServer((request, response) => {
      onRequest(request, response).catch((error: unknown) => reply(response, 500, { error: String(error) }));
    });
    http.on('upgrade', onUpgrade);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => resolve());
    });
    const address = http.address();
    if (address && typeof address === 'object') port = address.port;
  }

  async function stopListening(code: number, reason: string): Promise<void> {
    for (const socket of sockets) socket.close(code, reason);
    // Sockets that do not finish the closing handshake promptly are cut, so a restart never waits on a client.
    const cut = setTimeout(() => sockets.forEach((socket) => socket.terminate()), 1000);
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
    clearTimeout(cut);
    sockets.forEach((socket) => socket.terminate());
    sockets.clear();
  }

  await listen();

  // `server` is read when the simulator publishes, after it exists.
  const simulator = options.simulator
    ? createSimulator({ ...options.simulator, publish: (name, data) => server.publishTo(name, data) })
    : null;
  const server: ReferenceServer = {
    get port() {
      return port;
    },
    get url() {
      return `ws://${host}:${port}/`;
    },
    get httpUrl() {
      return `http://${host}:${port}`;
    },
    received,
    stats: () => ({
      connections: sockets.size,
      ...counters,
      subscribers: Object.fromEntries(
        [...channels]
          .filter(([, state]) => state.subscribers.size > 0)
          .map(([name, state]) => [name, state.subscribers.size]),
      ),
      heads: Object.fromEntries([...channels].map(([name, state]) => [name, state.seq])),
    }),
    publish: (data) => broadcastText(JSON.stringify(data)),
    publishTo(name, data) {
      const state = channel(name);
      const seq = ++state.seq;
      const text = JSON.stringify({ type: 'message', channel: name, seq, data });
      state.replay.push({ seq, text });
      if (state.replay.length > replayLimit) state.replay.shift();
      for (const socket of state.subscribers) send(socket, text);
      return seq;
    },
    onRequest(handler) {
      answer = handler;
    },
    async stream(name, count, rate, maxMs = 60_000) {
      const started = performance.now();
      const now = () => performance.timeOrigin + performance.now();
      let sent = 0;
      while (sent < count && performance.now() - started < maxMs) {
        // Due by now at `rate`, or a chunk at a time as fast as possible; then yield so sockets can flush.
        const due = rate === 0 ? sent + 200 : Math.floor(((performance.now() - started) / 1000) * rate) + 1;
        for (; sent < Math.min(due, count); sent++) server.publishTo(name, { t: now(), n: sent + 1 });
        await new Promise((resolve) => (rate === 0 ? setImmediate(resolve) : setTimeout(resolve, 1)));
      }
      return { sent, ms: performance.now() - started };
    },
    simulator,
    // Raw frames may be anything, JSON or not, so they never join a batch.
    publishRaw: (text) => broadcastText(text, true),
    closeAll(code, reason = '') {
      for (const socket of sockets) socket.close(code, reason);
    },
    refuseNext(count) {
      refuse = Math.max(0, Math.floor(count));
    },
    setSilent(value) {
      silent = value;
    },
    acceptTokens(value) {
      tokens = value;
    },
    async restart(downMs = 500, { forget = false } = {}) {
      await stopListening(1012, 'server restart');
      if (forget) channels.clear();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await listen();
    },
    async close() {
      server.simulator?.stop();
      await stopListening(1001, 'server shutting down');
      wss.close();
    },
  };
  simulator?.start();
  return server;
}

function reply(response: ServerResponse, status: number, body?: unknown): void {
  if (response.headersSent) return;
  response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
