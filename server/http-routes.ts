// The HTTP side of a tabmux server: publish from anywhere, read its numbers, ask whether it is healthy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Broker } from './broker.js';
import type { TabmuxServer } from './create-server.js';

export interface HttpRoutesOptions {
  /** The largest body `POST /publish` takes, in bytes. @default 1048576 */
  readonly maxBodyBytes?: number;
}

/**
 * Answers `POST /publish?channel=A` (a JSON body, published on A; `{ seq }`), `POST /publish` (sent to every socket of
 * this process outside any channel; `{ delivered }`), `GET /stats` and `GET /healthz` (503 while the broker is
 * unreachable). Resolves `false` for any other request, for the app's own handler.
 */
export function httpRoutes(server: TabmuxServer, broker: Broker, options: HttpRoutesOptions = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  return async function route(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const url = new URL(request.url ?? '/', 'http://x');
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /stats') return reply(response, 200, server.stats());
    if (route === 'GET /healthz') {
      const healthy = await broker.healthy();
      return reply(response, healthy ? 200 : 503, { ok: healthy, broker: healthy ? 'up' : 'unreachable' });
    }
    if (route !== 'POST /publish') return false;
    let body: string;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch (error) {
      return reply(response, 413, { error: (error as Error).message });
    }
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      return reply(response, 400, { error: 'the body must be JSON' });
    }
    const channel = url.searchParams.get('channel');
    if (channel === null) return reply(response, 200, { delivered: server.broadcast(data) });
    if (channel === '') return reply(response, 400, { error: 'the channel name must not be empty' });
    try {
      return reply(response, 200, { seq: await server.publish(channel, data) });
    } catch (error) {
      return reply(response, 503, { error: `the publish failed: ${(error as Error).message}` });
    }
  };
}

export function reply(response: ServerResponse, status: number, body?: unknown): true {
  if (!response.headersSent) {
    response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    response.end(body === undefined ? undefined : JSON.stringify(body));
  }
  return true;
}

/** The request's body as text; rejects past `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        reject(new Error(`the body is over ${limit} bytes`));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
