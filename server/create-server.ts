// createTabmuxServer: tabmux's protocol on an HTTP server or a WebSocketServer, channels in a broker.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveClient, type Counters } from './client-connection.js';
import { CloseCode } from '../protocol/close-codes.js';
import { createBufferBudget } from './buffer-budget.js';
import { createHttpFallback } from './http-fallback.js';
import { createLocalChannels } from './local-channels.js';
import { resolveServerOptions } from './options.js';
import type { ServerOptions, ServerStats } from './types.js';
import type { ClientSocket } from './client-socket.js';

export interface TabmuxServer {
  /** Publishes `data` on `channel` to every subscriber of every instance; resolves with the message's number. */
  publish(channel: string, data: unknown): Promise<number>;
  /** Sends `data` to every socket of this process, outside any channel; returns how many. */
  broadcast(data: unknown): number;
  /**
   * Answers a request of the HTTP fallback (a browser whose WebSocket upgrades are blocked; PROTOCOL.md) and
   * returns true, or returns false for any other request. Call it first in the HTTP server's request handler;
   * `tabmux-server` does.
   */
  handleHttp(request: IncomingMessage, response: ServerResponse): boolean;
  stats(): ServerStats;
  /**
   * Stops taking sockets and closes every open one with 1012, so clients come back later, each after its own
   * jittered delay; closes the broker if the server made it.
   */
  close(): Promise<void>;
}

export function createTabmuxServer(options: ServerOptions): TabmuxServer {
  const resolved = resolveServerOptions(options);
  const { broker } = resolved;
  const log = resolved.logger;
  const channels = createLocalChannels(broker);
  const sockets = new Set<ClientSocket>();
  const counters: Counters & { totalConnections: number; published: number } = {
    totalConnections: 0,
    published: 0,
    messagesIn: 0,
    messagesOut: 0,
    framesOut: 0,
    bytesOut: 0,
    refused: {
      origin: 0,
      rateLimited: 0,
      slowConsumers: 0,
      badFrames: 0,
      tooManyChannels: 0,
      tooLarge: 0,
      authFailures: 0,
      authTimeouts: 0,
      idle: 0,
      publishFailures: 0,
      forbidden: 0,
    },
  };

  async function publish(channel: string, data: unknown): Promise<number> {
    const text = JSON.stringify(data);
    if (text === undefined)
      throw new TypeError(`tabmux/server: a ${typeof data} cannot be published as JSON`);
    try {
      const seq = await broker.publish(channel, text);
      counters.published++;
      return seq;
    } catch (error) {
      counters.refused.publishFailures++;
      log.error(
        { event: 'publish-failed', channel, error: (error as Error).message },
        `a publish on "${channel}" failed: ${(error as Error).message}`,
      );
      throw error;
    }
  }

  const budget = createBufferBudget(resolved.maxTotalBufferedBytes);
  const context = { options: resolved, channels, counters, publish, log, budget };
  function accept(ws: WebSocket, request: IncomingMessage): void {
    sockets.add(ws);
    counters.totalConnections++;
    ws.on('close', () => sockets.delete(ws));
    sayWhyTooLarge(ws, resolved.maxPayload);
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return;
      counters.refused.tooLarge++;
      log.warn(
        { event: 'closed', code: 1009, maxPayload: resolved.maxPayload },
        'closed a client: a frame over maxPayload',
      );
    });
    serveClient(ws, request, context);
  }

  /**
   * A page from an origin that may not connect is let in and closed at once with 4403 and a reason naming the
   * origin and the fix: a refused upgrade shows a browser only 1006, which the client retries forever.
   */
  function refuseOrigin(ws: WebSocket, origin: string): void {
    ws.close(CloseCode.Forbidden, refusal(origin));
  }

  function refusal(origin: string): string {
    counters.refused.origin++;
    const reason = `origin ${origin} is not allowed; add --origin ${origin}`;
    log.warn({ event: 'refused', cause: 'origin', origin }, `refused a socket: ${reason}`);
    return reason.length <= 123 ? reason : 'this origin is not allowed (--origin)';
  }

  const http = createHttpFallback({
    path: resolved.path,
    allowed: (origin) => originAllowed(origin, resolved.origins, resolved.hostnames),
    refuse: refusal,
    accept(session, request) {
      sockets.add(session);
      counters.totalConnections++;
      session.on('close', () => sockets.delete(session));
      serveClient(session, request, context);
    },
    relay: broker.relay,
    maxPayload: resolved.maxPayload,
    log,
  });

  const wss = options.wss ?? new WebSocketServer({ noServer: true, maxPayload: resolved.maxPayload });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://x').pathname !== resolved.path) return;
    const origin = request.headers.origin;
    if (origin !== undefined && !originAllowed(origin, resolved.origins, resolved.hostnames)) {
      wss.handleUpgrade(request, socket, head, (ws) => refuseOrigin(ws, origin));
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request));
  };
  if (options.server) options.server.on('upgrade', onUpgrade);
  else wss.on('connection', accept);

  return {
    publish,
    handleHttp: http.handle,
    broadcast(data) {
      const text = JSON.stringify(data);
      for (const ws of sockets) ws.send(text);
      return sockets.size;
    },
    stats: () => ({
      connections: sockets.size,
      httpSessions: http.sessions.size,
      ...channels.counts(100),
      ...counters,
      refused: { ...counters.refused },
    }),
    async close() {
      if (options.server) options.server.off('upgrade', onUpgrade);
      else wss.off('connection', accept);
      for (const ws of sockets) ws.close(CloseCode.ServiceRestart, 'server restart');
      // Sockets that do not finish the closing handshake promptly are cut.
      const closedAt = Date.now();
      while (sockets.size > 0 && Date.now() - closedAt < 1000)
        await new Promise((resolve) => setTimeout(resolve, 10));
      for (const ws of sockets) ws.terminate();
      await channels.close();
      if (!options.wss) wss.close();
      if (resolved.ownsBroker) await broker.close();
    },
  };
}

/**
 * Whether a page of `origin` may connect. Browsers always send Origin on a WebSocket upgrade; a request without one
 * is not from a browser page and is not checked. By default only loopback pages and pages of `hostnames` may: the
 * Host header is not trusted, since a DNS-rebinding page sets it to its own name.
 */
export function originAllowed(
  origin: string,
  origins: '*' | 'local' | readonly string[],
  hostnames: readonly string[],
): boolean {
  if (origins === '*') return true;
  if (origins !== 'local') return origins.includes(origin);
  let hostname: string;
  try {
    hostname = new URL(origin).hostname.toLowerCase();
  } catch {
    return false;
  }
  return LOOPBACK.has(hostname) || hostnames.includes(hostname);
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** ws closes a socket that sent a frame over `maxPayload` with 1009 and no reason; this one says which limit. */
function sayWhyTooLarge(ws: WebSocket, maxPayload: number): void {
  const close = ws.close.bind(ws);
  ws.close = (code?: number, reason?: string | Buffer) =>
    close(
      code,
      code === CloseCode.MessageTooBig && !reason ? `a frame over maxPayload (${maxPayload} bytes)` : reason,
    );
}
