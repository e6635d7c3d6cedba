// The HTTP fallback on the socket's own path (PROTOCOL.md, "When WebSockets are blocked"): a stream of Server-Sent
// Events or long polls from the server, POSTs to it. A request for a session another instance holds is relayed
// there through the broker, so a fleet needs no sticky sessions.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionRelay } from './broker.js';
import { readBody } from './http-routes.js';
import { HttpSession, POLL_HOLD_MS, type PollAnswer } from './http-session.js';
import type { ServerLogger } from './log.js';

export interface HttpFallbackOptions {
  readonly path: string;
  /** Whether a page of `origin` may connect (the socket's own rule). */
  allowed(origin: string): boolean;
  /** Why a page of `origin` may not connect, counted and logged by the caller: the close reason it gets. */
  refuse(origin: string): string;
  /** Serves a new session as it would a socket. */
  accept(session: HttpSession, request: IncomingMessage): void;
  readonly relay: SessionRelay | undefined;
  /** The largest frame a client may post (the socket's `maxPayload`). */
  readonly maxPayload: number;
  readonly log: ServerLogger;
}

export interface HttpFallback {
  /** Answers a request of the fallback and returns true; returns false for any other request. */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  readonly sessions: ReadonlyMap<string, HttpSession>;
}

const HEADERS = 'tabmux-session, tabmux-ack, tabmux-transport, content-type';

export function createHttpFallback(options: HttpFallbackOptions): HttpFallback {
  const sessions = new Map<string, HttpSession>();
  /** A client packs several frames in one POST; each stays within `maxPayload`. */
  const maxBody = Math.min(options.maxPayload * 16, 64 * 1024 * 1024);

  async function open(request: IncomingMessage, response: ServerResponse | null): Promise<HttpSession> {
    const id = randomUUID();
    let stopRelay: (() => Promise<void>) | null = null;
    const session = new HttpSession(id, response, () => {
      sessions.delete(id);
      void stopRelay?.();
    });
    sessions.set(id, session);
    // Listening before the client learns the id: its first POST may land on another instance at once.
    if (options.relay)
      stopRelay = await options.relay.listen(`session:${id}`, (text) => relayed(session, text));
    options.accept(session, request);
    return session;
  }

  function relayed(session: HttpSession, text: string): void {
    let message: { op?: string; frames?: string[]; ack?: number; reply?: string };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.op === 'send' && Array.isArray(message.frames)) session.receive(message.frames);
    else if (message.op === 'delete') session.gone();
    else if (message.op === 'poll' && typeof message.reply === 'string') {
      const reply = message.reply;
      session.poll(Number(message.ack) || 0, (answer) => void options.relay!.send(reply, pollText(answer)));
    }
  }

  async function serve(request: IncomingMessage, response: ServerResponse, cors: Record<string, string>) {
    const id = header(request, 'tabmux-session');
    const local = id === null ? undefined : sessions.get(id);
    switch (request.method) {
      case 'GET': {
        if (id === null) {
          response.writeHead(200, {
            ...cors,
            'content-type': 'text/event-stream',
            'cache-control': 'no-cache, no-transform',
            // nginx and others buffer responses unless told not to; a buffering proxy is detected by the client.
            'x-accel-buffering': 'no',
          });
          const session = await open(request, response);
          if (session.readyState === 1)
            response.write(`event: open\ndata: ${JSON.stringify({ session: session.id })}\n\n`);
          return;
        }
        const ack = Number(header(request, 'tabmux-ack') ?? 0) || 0;
        const answer = (poll: PollAnswer) => send(response, 200, cors, pollText(poll));
        if (local) return local.poll(ack, answer);
        return relayPoll(id, ack, response, cors);
      }
      case 'POST': {
        if (id === null) {
          if (header(request, 'tabmux-transport') !== 'polling')
            return send(response, 400, cors, error('a POST without tabmux-session must open a session'));
          const session = await open(request, null);
          return send(response, 200, cors, JSON.stringify({ session: session.id }));
        }
        let body: string;
        try {
          body = await readBody(request, maxBody);
        } catch (problem) {
          return send(response, 413, cors, error((problem as Error).message));
        }
        const frames = body === '' ? [] : body.split('\n');
        if (local) {
          const tooLarge = frames.find((frame) => Buffer.byteLength(frame) > options.maxPayload);
          if (tooLarge !== undefined)
            local.close(1009, `a frame over maxPayload (${options.maxPayload} bytes)`);
          else local.receive(frames);
          return send(response, 204, cors);
        }
        const delivered = await relay(id, { op: 'send', frames });
        return delivered ? send(response, 204, cors) : send(response, 404, cors, error('no such session'));
      }
      case 'DELETE':
        if (id !== null) {
          if (local) local.gone();
          else await relay(id, { op: 'delete' });
        }
        return send(response, 204, cors);
      default:
        return send(response, 405, cors, error('the fallback answers GET, POST and DELETE'));
    }
  }

  async function relay(id: string, message: object): Promise<boolean> {
    return options.relay ? options.relay.send(`session:${id}`, JSON.stringify(message)) : false;
  }

  /** A poll for a session of another instance: asked there, answered here. */
  async function relayPoll(id: string, ack: number, response: ServerResponse, cors: Record<string, string>) {
    if (!options.relay) return send(response, 404, cors, error('no such session'));
    const reply = `reply:${randomUUID()}`;
    let stop: (() => Promise<void>) | null = null;
    let timer: NodeJS.Timeout | null = null;
    const finish = (status: number, text: string) => {
      if (timer) clearTimeout(timer);
      void stop?.();
      send(response, status, cors, text);
    };
    stop = await options.relay.listen(reply, (text) => finish(200, text));
    timer = setTimeout(() => finish(200, pollText({ n: ack, frames: [] })), POLL_HOLD_MS + 5000);
    response.on('close', () => timer && clearTimeout(timer));
    if (!(await relay(id, { op: 'poll', ack, reply }))) finish(404, error('no such session'));
  }

  return {
    sessions,
    handle(request, response) {
      if (new URL(request.url ?? '/', 'http://x').pathname !== options.path) return false;
      const session = header(request, 'tabmux-session');
      const streaming = (request.headers.accept ?? '').includes('text/event-stream');
      if (request.method !== 'OPTIONS' && session === null && !streaming && request.method !== 'POST')
        return false;
      const origin = header(request, 'origin');
      if (origin !== null && !options.allowed(origin)) {
        refuseOrigin(request, response, origin);
        return true;
      }
      const cors: Record<string, string> =
        origin === null ? {} : { 'access-control-allow-origin': origin, vary: 'origin' };
      if (request.method === 'OPTIONS') {
        response.writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'GET, POST, DELETE',
          'access-control-allow-headers': HEADERS,
          'access-control-max-age': '600',
        });
        response.end();
        return true;
      }
      serve(request, response, cors).catch((problem: unknown) => {
        options.log.warn(
          { event: 'http-fallback-failed', error: String(problem) },
          `an HTTP fallback request failed: ${String(problem)}`,
        );
        send(response, 500, cors, error(String(problem)));
      });
      return true;
    },
  };

  /** As with a socket, a refused page learns why: a stream gets a close event it can read, other requests 403. */
  function refuseOrigin(request: IncomingMessage, response: ServerResponse, origin: string): void {
    if (request.method === 'OPTIONS') return send(response, 403, {});
    const reason = options.refuse(origin);
    if (request.method === 'GET' && header(request, 'tabmux-session') === null) {
      response.writeHead(200, {
        'access-control-allow-origin': origin,
        vary: 'origin',
        'content-type': 'text/event-stream',
      });
      response.end(`event: close\ndata: ${JSON.stringify({ code: 4403, reason })}\n\n`);
      return;
    }
    send(response, 403, {}, error(reason));
  }
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

function pollText(poll: PollAnswer): string {
  return JSON.stringify({ n: poll.n, frames: poll.frames, ...(poll.close && { close: poll.close }) });
}

function error(message: string): string {
  return JSON.stringify({ error: message });
}

function send(response: ServerResponse, status: number, cors: Record<string, string>, body?: string): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(status, {
    ...cors,
    'cache-control': 'no-store',
    ...(body !== undefined && { 'content-type': 'application/json' }),
  });
  response.end(body);
}
