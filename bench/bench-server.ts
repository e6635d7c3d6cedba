// The benchmarks' server, in a process of its own so its CPU time is its own: tabmux's test server plus
// `POST /bench/stream {channel, count, rate}`, which publishes numbered, timestamped messages. Bench only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, reply } from '../server/http-routes.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';

/**
 * Publishes `count` messages `{ t, n }` on `channel` (`t`: epoch ms with sub-ms precision, for latency) at `rate`
 * per second, or as fast as the server can with `rate` 0. Bounded by `count` and by `maxMs`.
 */
export async function stream(
  server: TestServer,
  channel: string,
  count: number,
  rate: number,
  maxMs = 60_000,
): Promise<{ sent: number; ms: number }> {
  const started = performance.now();
  const now = () => performance.timeOrigin + performance.now();
  let sent = 0;
  while (sent < count && performance.now() - started < maxMs) {
    // Due by now at `rate`, or a chunk at a time as fast as possible; then yield so sockets can flush.
    const due = rate === 0 ? sent + 200 : Math.floor(((performance.now() - started) / 1000) * rate) + 1;
    for (; sent < Math.min(due, count); sent++) void server.publishTo(channel, { t: now(), n: sent + 1 });
    await new Promise((resolve) => (rate === 0 ? setImmediate(resolve) : setTimeout(resolve, 1)));
  }
  return { sent, ms: performance.now() - started };
}

async function streamRoute(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
  if (request.method !== 'POST' || new URL(request.url ?? '/', 'http://x').pathname !== '/bench/stream')
    return false;
  const json = JSON.parse((await readBody(request, 1024)) || '{}') as Record<string, unknown>;
  const count = Number(json['count']);
  const rate = Number(json['rate'] ?? 0);
  if (!(count >= 1 && count <= 1_000_000) || !(rate >= 0 && rate <= 1_000_000))
    return reply(response, 400, { error: 'count must be 1..1000000 and rate 0..1000000 per second' });
  return reply(response, 200, await stream(server, String(json['channel'] ?? 'bench'), count, rate));
}

const server = await startTestServer({ port: 0, faults: true, fallback: true, routes: [streamRoute] });
console.log(`bench server: ${server.url}`);
