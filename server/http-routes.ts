// The HTTP side of a tabmux server: publish from anywhere, read its numbers, ask whether it is healthy.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Broker } from './broker.js';
import type { TabmuxServer } from './create-server.js';
import { prometheusText } from './metrics.js';

export interface HttpRoutesOptions {
  /** The largest body `POST /publish` takes, in bytes. @default 1048576 */
  readonly maxBodyBytes?: number;
  /**
   * The key `POST /publish` must carry as `Authorization: Bearer KEY` (compared in constant time); a missing or
   * wrong one is answered 401. Without a key, only requests from loopback may publish (403 for others).
   * @default none: loopback only
   */
  readonly publishKey?: string;
}

/**
 * Answers `POST /publish?channel=A` (a JSON body, published on A; `{ seq }`), `POST /publish` (sent to every socket of
 * this process outside any channel; `{ delivered }`), `GET /stats`, `GET /metrics` (Prometheus text) and
 * `GET /healthz` (503 while the broker is unreachable). Resolves `false` for any other request, for the app's own
 * handler. A publish must be `content-type: application/json`, which a page of another origin cannot send without
 * a CORS preflight, and no CORS header is ever sent: a foreign page cannot publish through a visitor's browser.
 */
export function httpRoutes(server: TabmuxServer, broker: Broker, options: HttpRoutesOptions = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const key = options.publishKey === undefined ? null : digest(options.publishKey);
  return async function route(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const url = new URL(request.url ?? '/', 'http://x');
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /stats') return reply(response, 200, server.stats());
    if (route === 'GET /healthz') {
      const healthy = await broker.healthy();
      return reply(response, healthy ? 200 : 503, { ok: healthy, broker: healthy ? 'up' : 'unreachable' });
    }
    if (route === 'GET /metrics') {
      const started = performance.now();
      const up = await broker.healthy();
      const stats = server.stats();
      const text = prometheusText(stats, {
        up,
        latencySeconds: (performance.now() - started) / 1000,
        errors: stats.refused.publishFailures,
      });
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(text);
      return true;
    }
    if (route !== 'POST /publish') return false;
    const refusal = publishRefusal(request, key);
    if (refusal) return reply(response, refusal.status, { error: refusal.error });
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

/** Why `request` may not publish, or `null`. */
function publishRefusal(
  request: IncomingMessage,
  key: Buffer | null,
): { status: number; error: string } | null {
  if (key === null) {
    if (!isLoopback(request.socket.remoteAddress))
      return {
        status: 403,
        error: 'publishing over HTTP is open to loopback only: set a publish key (--publish-key)',
      };
  } else {
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    // Digests of equal length, so the comparison takes the same time whatever the key given.
    if (given === undefined || !timingSafeEqual(digest(given), key))
      return { status: 401, error: 'a publish needs `Authorization: Bearer <publish key>`' };
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    return { status: 415, error: 'a publish must be sent as `content-type: application/json`' };
  return null;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function isLoopback(address: string | undefined): boolean {
  return (
    address === '127.0.0.1' ||
    address === '::1' ||
    address === '::ffff:127.0.0.1' ||
    (address?.startsWith('127.') ?? false)
  );
}
