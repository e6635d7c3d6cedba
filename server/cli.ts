#!/usr/bin/env node
// `npx tabmux-server --port 8787 [--host 127.0.0.1] [--redis redis://127.0.0.1:6379] [--origin https://app.example]
// [--replay 1000] [--path /]`: a tabmux server to try, to test against, or to run, with its HTTP routes.
import { createServer } from 'node:http';
import type { Broker } from './broker.js';
import { parseCli } from './cli-options.js';
import { createTabmuxServer } from './create-server.js';
import { httpRoutes, reply } from './http-routes.js';
import { memoryBroker } from './memory-broker.js';
import { redisBroker } from './redis-broker.js';

const request = parseCli(process.argv.slice(2));
if (request.kind === 'help') {
  console.log(request.text);
  process.exit(0);
}
if (request.kind === 'refused') {
  console.error(`tabmux-server: ${request.message}`);
  process.exit(2);
}
const { port, host, redis, origins, replayLimit, path } = request.options;

let broker: Broker;
try {
  broker = redis ? await redisBroker({ url: redis, replayLimit }) : memoryBroker({ replayLimit });
} catch (error) {
  console.error(`tabmux-server: ${(error as Error).message.replace(/^tabmux\/server: /, '')}`);
  process.exit(1);
}

const http = createServer();
const server = createTabmuxServer({ server: http, broker, path: path, ...(origins && { origins }) });
const routes = httpRoutes(server, broker);
http.on('request', (request, response) => {
  routes(request, response)
    .then((handled) => handled || reply(response, 404, { error: 'not found' }))
    .catch((error: unknown) => reply(response, 500, { error: String(error) }));
});
http.on('error', (error) => {
  console.error(`tabmux-server: cannot listen on ${host}:${port}: ${error.message}`);
  process.exit(1);
});
http.listen(port, host, () => {
  const address = http.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  console.log(
    `tabmux-server listening on ws://${shown}:${actual}${path} (${redis ? `Redis ${new URL(redis).host}` : 'in memory'}); stats: http://${shown}:${actual}/stats`,
  );
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(async () => {
      await broker.close();
      http.close(() => process.exit(0));
    });
  });
}
