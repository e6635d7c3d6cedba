// The server-load bench's server, in a process of its own: tabmux/server on the memory broker or on Redis, plus
// `POST /bench/burst {channel, count}`, which publishes `count` messages `{ n }` as fast as the broker takes them.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createTabmuxServer } from '../server/create-server.js';
import { readBody, reply } from '../server/http-routes.js';
import { memoryBroker } from '../server/memory-broker.js';
import { redisBroker } from '../server/redis-broker.js';

const { values } = parseArgs({ options: { redis: { type: 'string' } } });
const broker = values.redis ? await redisBroker({ url: values.redis, replayLimit: 10_000 }) : memoryBroker();
const http = createServer();
// The load is the point here: no rate limit, generous buffers.
const server = createTabmuxServer({
  server: http,
  broker,
  origins: '*',
  rateLimit: { perSecond: 1e9, burst: 1e9 },
  maxChannelsPerConnection: 10,
  maxBufferedBytes: 1e9,
});
http.on('request', (request, response) => {
  void (async () => {
    if (request.url !== '/bench/burst') return void reply(response, 404);
    const { channel, count } = JSON.parse(await readBody(request, 1024)) as {
      channel: string;
      count: number;
    };
    const started = performance.now();
    // Not awaited one by one: ioredis pipelines what is sent back to back, as a busy app's publishes would be.
    await Promise.all(Array.from({ length: count }, (_, i) => server.publish(channel, { n: i + 1 })));
    reply(response, 200, { publishMs: performance.now() - started });
  })();
});
http.listen(0, '127.0.0.1', () => {
  console.log(`load server: ws://127.0.0.1:${(http.address() as { port: number }).port}/`);
});
