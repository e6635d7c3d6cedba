// createTabmuxServer: tabmux's protocol on an HTTP server or a WebSocketServer, channels in a broker.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveClient, type Counters } from './client-connection.js';
import { CloseCode } from '../protocol/close-codes.js';
import { createLocalChannels } from './local-channels.js';
import { resolveServerOptions } from './options.js';
import type { ServerOptions, ServerStats } from './types.js';

export interface TabmuxServer {
  /** Publishes `data` on `channel` to every subscriber of every instance; resolves with the message's number. */
  publish(channel: string, data: unknown): Promise<number>;
  /** Sends `data` to every socket of this process, outside any channel; returns how many. */
  broadcast(data: unknown): number;
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
  const channels = createLocalChannels(broker);
  const sockets = new Set<WebSocket>();
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
      throw error;
    }
  }

  const context = { options: resolved, channels, counters, publish };
  function accept(ws: WebSocket, request: IncomingMessage): void {
    sockets.add(ws);
    counters.totalConnections++;
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') counters.refused.tooLarge++;
    });
    serveClient(ws, request, context);
  }

  const wss = options.wss ?? new WebSocketServer({ noServer: true, maxPayload: resolved.maxPayload });
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://x').pathname !== resolved.path) return;
    if (!originAllowed(request, resolved.origins)) {
      counters.refused.origin++;
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request));
  };
  if (options.server) options.server.on('upgrade', onUpgrade);
  else wss.on('connection', accept);

  return {
    publish,
    broadcast(data) {
      const text = JSON.stringify(data);
      for (const ws of sockets) ws.send(text);
      return sockets.size;
    },
    stats: () => ({
      connections: sockets.size,
      subscribers: channels.counts(),
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

/** Browsers always send Origin on a WebSocket upgrade; a request without one is not from a browser page. */
function originAllowed(request: IncomingMessage, origins: '*' | 'same-origin' | readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origins === '*') return true;
  if (origins === 'same-origin') {
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  }
  return origins.includes(origin);
}
