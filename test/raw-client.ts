// A raw WebSocket client for server tests: what it receives, batches unrolled, and waits on what it expects.
import { createServer, type Server } from 'node:http';
import { expect, vi } from 'vitest';
import WebSocket from 'ws';
import { createTabmuxServer, type TabmuxServer } from '../server/create-server.js';
import { httpRoutes, reply, type HttpRoutesOptions } from '../server/http-routes.js';
import { memoryBroker } from '../server/memory-broker.js';
import type { ServerOptions } from '../server/types.js';

export interface RawClient {
  readonly ws: WebSocket;
  /** Every message received, batches unrolled, in order. */
  readonly messages: Record<string, unknown>[];
  send(message: unknown): void;
  /** Resolves with the close code and reason once the server closes the socket. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Waits until a received message matches `match`. */
  waitFor(match: Record<string, unknown>, timeout?: number): Promise<Record<string, unknown>>;
}

export async function connect(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
  const ws = new WebSocket(url, { headers });
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (raw) => {
    const message = JSON.parse(raw.toString()) as Record<string, unknown>;
    if (message['type'] === 'batch') messages.push(...(message['messages'] as Record<string, unknown>[]));
    else messages.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    messages,
    closed,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    async waitFor(match, timeout = 3000) {
      let found: Record<string, unknown> | undefined;
      await vi.waitFor(
        () => {
          found = messages.find((m) =>
            Object.entries(match).every(([k, v]) => JSON.stringify(m[k]) === JSON.stringify(v)),
          );
          expect(
            found,
            `a message like ${JSON.stringify(match)} among ${JSON.stringify(messages).slice(0, 400)}`,
          ).toBeDefined();
        },
        { timeout },
      );
      return found!;
    },
  };
}

export interface ServerUnderTest {
  readonly server: TabmuxServer;
  readonly http: Server;
  readonly url: string;
  readonly httpUrl: string;
  close(): Promise<void>;
}

/** A tabmux server on a free loopback port, with its HTTP routes and its HTTP fallback. */
export async function serve(
  options: Omit<ServerOptions, 'server' | 'wss'> = {},
  routeOptions: HttpRoutesOptions = {},
): Promise<ServerUnderTest> {
  const http = createServer();
  const broker = options.broker ?? memoryBroker();
  const server = createTabmuxServer({ ...options, broker, server: http });
  const routes = httpRoutes(server, broker, routeOptions);
  http.on(
    'request',
    (request, response) =>
      server.handleHttp(request, response) ||
      void routes(request, response).then((done) => done || reply(response, 404)),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as { port: number };
  return {
    server,
    http,
    url: `ws://127.0.0.1:${port}/`,
    httpUrl: `http://127.0.0.1:${port}`,
    async close() {
      await server.close();
      await new Promise((resolve) => http.close(resolve));
      if (!options.broker) await broker.close();
    },
  };
}
