// A tabmux server to test an app against: the real tabmux/server on a free loopback port, plus fault controls
// (drop every socket, refuse handshakes, go silent, restart, send raw frames, change the tokens it accepts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { createTabmuxServer, type TabmuxServer } from '../server/create-server.js';
import { httpRoutes, isLoopback, readBody, reply } from '../server/http-routes.js';
import { memoryBroker } from '../server/memory-broker.js';
import type { ServerOptions, ServerStats } from '../server/types.js';

export interface TestServerOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Serves the fault controls over HTTP too (`POST /faults/…`), which can drop every connection of the server: `true`
   * for tools on this machine (requests from loopback without an `Origin`), `{ origins }` for pages of those origins
   * too (the only ones given CORS headers). A page of any other origin is refused with 403 before anything happens.
   * @default false: no fault routes
   */
  readonly faults?: boolean | { readonly origins: readonly string[] };
  /** How many received client messages to keep in `received`. @default 10000 */
  readonly keepReceived?: number;
  /** Tokens accepted in a first frame `{"type":"auth","token":…}`; anything else closes with 4401. `null`: no auth. @default null */
  readonly tokens?: readonly string[] | null;
  /** Messages each channel keeps for resume. @default 1000 */
  readonly replayLimit?: number;
  /** More options for the tabmux server inside (limits, hooks); `onRequest` is the test server's own. */
  readonly server?: Omit<ServerOptions, 'server' | 'wss' | 'broker' | 'onRequest'>;
  /**
   * Answers the HTTP fallback too (PROTOCOL.md), for testing an app behind a proxy that blocks WebSockets. Off by
   * default, so a test that refuses handshakes sees the client retry the socket rather than move to HTTP.
   * @default false
   */
  readonly fallback?: boolean;
  /** More HTTP routes, tried before the server's own; each resolves whether it answered. */
  readonly routes?: readonly ((request: IncomingMessage, response: ServerResponse) => Promise<boolean>)[];
}

/**
 * What the server does with a request: the reply's data, a thrown Error for an error reply, or `undefined` for no
 * answer at all (to test timeouts). @default `{ echo: data }`
 */
export type RequestHandler = (data: unknown) => unknown;

export interface TestServerStats extends ServerStats {
  /** Handshakes refused on purpose (`refuseNext`). */
  readonly refusedConnections: number;
  /** Sockets closed with 4401 for a missing or wrong token. */
  readonly authRefusals: number;
  /** Client frames received (auth frames included). */
  readonly messagesReceived: number;
  /** Heartbeat pings received (`{"type":"ping"}`), answered and not kept in `received`. */
  readonly pings: number;
  /** Each channel's latest sequence number. */
  readonly heads: Readonly<Record<string, number>>;
}

export interface TestServer {
  readonly port: number;
  /** `ws://host:port/` */
  readonly url: string;
  /** `http://host:port` */
  readonly httpUrl: string;
  /** The tabmux server inside. */
  readonly tabmux: TabmuxServer;
  stats(): TestServerStats;
  /** Client messages received, decoded, oldest first (bounded by `keepReceived`); heartbeat pings are counted apart. */
  readonly received: unknown[];
  /** Sends `data` to every socket, outside any channel; returns how many. */
  publish(data: unknown): number;
  /** Publishes `data` on `channel`; resolves with its sequence number (it is sent before this returns). */
  publishTo(channel: string, data: unknown): Promise<number>;
  /** Sends a frame exactly as given to every socket: text (JSON or not), or binary bytes. */
  publishRaw(frame: string | Uint8Array): number;
  /** Closes every socket with `code`. */
  closeAll(code: number, reason?: string): void;
  /** Refuses the next `count` handshakes with HTTP 503. */
  refuseNext(count: number): void;
  /**
   * While silent the server sends nothing at all, as a hung server: not on its sockets (pongs and data alike; they
   * stay open), and not in answer to a new handshake, which waits until the silence ends.
   */
  setSilent(silent: boolean): void;
  readonly silent: boolean;
  /** Changes the tokens accepted from now on; `null` asks for no auth. */
  acceptTokens(tokens: readonly string[] | null): void;
  /** Replaces how requests are answered. */
  onRequest(handler: RequestHandler): void;
  /**
   * Closes every socket (1012) and stops listening for `downMs`, then listens again on the same port. With `forget`
   * it comes back without its history, numbering every channel from 1 again, as a server without storage does.
   */
  restart(downMs?: number, options?: { forget?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const host = options.host ?? '127.0.0.1';
  const keepReceived = options.keepReceived ?? 10_000;
  const broker = memoryBroker({ replayLimit: options.replayLimit ?? 1000 });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.server?.maxPayload ?? 1024 * 1024 });
  const sockets = new Set<WebSocket>();
  const received: unknown[] = [];
  const pages = typeof options.faults === 'object' ? options.faults.origins : [];
  const extra = { refusedConnections: 0, authRefusals: 0, messagesReceived: 0, pings: 0 };
  let tokens = options.tokens ?? null;
  let refuse = 0;
  let silent = false;
  let answer: RequestHandler = (data) => history(data) ?? { echo: data };

  /** `{ op: 'history', channel, limit }` answers with the channel's kept messages as `{ seq, data }`, oldest first. */
  function history(data: unknown): Promise<unknown> | undefined {
    const request = data as { op?: unknown; channel?: unknown; limit?: unknown } | null;
    if (request?.op !== 'history' || typeof request.channel !== 'string') return undefined;
    const channel = request.channel;
    return broker.history(channel, 0).then(({ messages }) => ({
      channel,
      messages: messages
        .slice(-Math.max(0, Number(request.limit ?? 100)))
        .map((m) => ({ seq: m.seq, data: JSON.parse(m.data) as unknown })),
    }));
  }

  // Registered before the tabmux server's own listener, so every socket is wired for faults before it is served.
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    const send = ws.send.bind(ws) as (data: string) => void;
    ws.send = ((data: string, ...rest: never[]) => {
      if (!silent) (send as (...args: unknown[]) => void)(data, ...rest);
    }) as typeof ws.send;
    // The token check sits in front of the tabmux server, so `acceptTokens` can change it at any time.
    let gated = tokens !== null;
    const emit = ws.emit.bind(ws);
    ws.emit = ((event: string, ...args: unknown[]) => {
      if (event !== 'message') return emit(event, ...args);
      extra.messagesReceived++;
      const message = decode(args[0] as Buffer, args[1] as boolean);
      if (gated) {
        const accepted = isAuth(message) && tokens?.includes(String(message.token)) === true;
        if (!accepted) {
          extra.authRefusals++;
          ws.close(4401, 'invalid token');
        } else {
          gated = false;
          send('{"type":"auth-ok"}');
        }
        return true;
      }
      // Every socket opens with a ping (the client's check that it reached the server): counted, not kept.
      if (isPing(message)) extra.pings++;
      else {
        received.push(message);
        if (received.length > keepReceived) received.shift();
      }
      return emit(event, ...args);
    }) as typeof ws.emit;
  });

  const tabmux = createTabmuxServer({
    ...options.server,
    wss,
    broker,
    onRequest: async (data) => {
      const reply = await answer(data);
      // No reply at all, so a test can see a request time out.
      return reply === undefined ? new Promise(() => {}) : reply;
    },
  });

  const routes = httpRoutes(tabmux, broker);
  let http!: Server;
  let port = options.port ?? 0;

  /** Handshakes that came while silent, answered when the silence ends (unless the client gave up). */
  let held: (() => void)[] = [];

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (silent) {
      held.push(() => !socket.destroyed && onUpgrade(request, socket, head));
      return;
    }
    if (refuse > 0) {
      refuse--;
      extra.refusedConnections++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  }

  async function onHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (options.fallback && tabmux.handleHttp(request, response)) return;
    const origin = request.headers.origin;
    const allowed = origin === undefined ? isLoopback(request.socket.remoteAddress) : pages.includes(origin);
    if (origin !== undefined && allowed) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Allow-Headers', 'content-type');
      response.setHeader('Vary', 'Origin');
    }
    if (request.method === 'OPTIONS') return void reply(response, allowed ? 204 : 403);
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    // Checked before acting, for routes added under /faults/ too: a foreign page's plain POST needs no preflight,
    // so CORS alone would not stop it.
    if (path.startsWith('/faults/') && !allowed)
      return void reply(response, 403, { error: 'the fault routes answer only the origins in `faults`' });
    for (const route of options.routes ?? []) if (await route(request, response)) return;
    if (request.method === 'GET' && path === '/stats') return void reply(response, 200, server.stats());
    if (options.faults && request.method === 'POST' && path.startsWith('/faults/')) {
      // Checked before acting: a foreign page's plain POST needs no preflight, so CORS alone would not stop it.
      if (!allowed)
        return void reply(response, 403, { error: 'the fault routes answer only the origins in `faults`' });
      return void (await faultRoute(path, request, response));
    }
    if (!(await routes(request, response))) reply(response, 404, { error: 'not found' });
  }

  async function faultRoute(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    let json: Record<string, unknown>;
    try {
      const body = await readBody(request, 1024 * 1024);
      json = (body === '' ? {} : JSON.parse(body)) as Record<string, unknown>;
    } catch {
      return void reply(response, 400, { error: 'the body must be JSON' });
    }
    switch (path) {
      case '/faults/close-all':
        server.closeAll(
          Number(json['code'] ?? 1012),
          String(json['reason'] ?? 'closed by /faults/close-all'),
        );
        return void reply(response, 200, { ok: true });
      case '/faults/refuse':
        server.refuseNext(Number(json['count'] ?? 1));
        return void reply(response, 200, { ok: true });
      case '/faults/silence':
        server.setSilent(json['silent'] !== false);
        return void reply(response, 200, { silent });
      case '/faults/raw':
        return void reply(response, 200, { delivered: server.publishRaw(String(json['text'] ?? '')) });
      case '/faults/restart':
        reply(response, 200, { ok: true });
        return void server.restart(Number(json['downMs'] ?? 500), { forget: json['forget'] === true });
      default:
        return void reply(response, 404, { error: 'not found' });
    }
  }

  async function listen(): Promise<void> {
    http = createServer((request, response) => {
      onHttp(request, response).catch((error: unknown) => reply(response, 500, { error: String(error) }));
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
    server.closeAll(code, reason);
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
  const server: TestServer = {
    get port() {
      return port;
    },
    get url() {
      return `ws://${host}:${port}/`;
    },
    get httpUrl() {
      return `http://${host}:${port}`;
    },
    tabmux,
    received,
    stats: () => ({ ...tabmux.stats(), ...extra, heads: broker.heads() }),
    publish: (data) => tabmux.broadcast(data),
    publishTo: (channel, data) => tabmux.publish(channel, data),
    publishRaw(frame) {
      for (const ws of sockets) ws.send(frame);
      return sockets.size;
    },
    closeAll(code, reason = '') {
      for (const ws of sockets) ws.close(code, reason);
    },
    refuseNext(count) {
      refuse = Math.max(0, Math.floor(count));
    },
    setSilent(value) {
      silent = value;
      if (silent) return;
      const waiting = held;
      held = [];
      for (const answer of waiting) answer();
    },
    get silent() {
      return silent;
    },
    acceptTokens(value) {
      tokens = value;
    },
    onRequest(handler) {
      answer = handler;
    },
    async restart(downMs = 500, { forget = false } = {}) {
      await stopListening(1012, 'server restart');
      if (forget) broker.clear();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await listen();
    },
    async close() {
      await tabmux.close();
      await stopListening(1001, 'server shutting down');
      wss.close();
      await broker.close();
    },
  };
  return server;
}

function decode(raw: Buffer, isBinary: boolean): unknown {
  if (isBinary) return raw;
  const text = raw.toString();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isAuth(message: unknown): message is { type: 'auth'; token: unknown } {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'auth';
}

function isPing(message: unknown): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    Object.keys(message).length === 1 &&
    (message as { type?: unknown }).type === 'ping'
  );
}
