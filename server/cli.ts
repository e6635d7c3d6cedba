#!/usr/bin/env node
// `npx tabmux-server --port 8787 [--host 127.0.0.1] [--redis redis://127.0.0.1:6379] [--origin https://app.example]
// [--replay 1000] [--path /]`: a tabmux server to try, to test against, or to run, with its HTTP routes.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import type { Broker } from './broker.js';
import { createTabmuxServer } from './create-server.js';
import { httpRoutes, reply } from './http-routes.js';
import { memoryBroker } from './memory-broker.js';
import { redisBroker } from './redis-broker.js';

const USAGE =
  'usage: tabmux-server [--port 8787] [--host 127.0.0.1] [--redis redis://host:6379] [--origin URL|*]… [--replay 1000] [--path /]';

function usage(message: string): never {
  console.error(`tabmux-server: ${message}\n${USAGE}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      redis: { type: 'string' },
      origin: { type: 'string', multiple: true },
      replay: { type: 'string', default: '1000' },
      path: { type: 'string', default: '/' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  usage((error as Error).message);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  usage(`--port must be a whole number from 0 to 65535; got ${values.port}`);
const replayLimit = Number(values.replay);
if (!Number.isInteger(replayLimit) || replayLimit < 1)
  usage(`--replay must be a whole number ≥ 1; got ${values.replay}`);
const origins = values.origin?.includes('*') ? '*' : values.origin;
for (const origin of Array.isArray(origins) ? origins : []) {
  if (!URL.canParse(origin) || new URL(origin).origin !== origin)
    usage(`--origin must be an origin like https://app.example (or *); got ${origin}`);
}
if (!values.path.startsWith('/')) usage(`--path must start with /; got ${values.path}`);
if (values.redis !== undefined && !/^rediss?:\/\/[^/]/.test(values.redis))
  usage(`--redis must be a URL like redis://127.0.0.1:6379; got ${values.redis}`);

let broker: Broker;
try {
  broker = values.redis
    ? await redisBroker({ url: values.redis, replayLimit })
    : memoryBroker({ replayLimit });
} catch (error) {
  console.error(`tabmux-server: ${(error as Error).message.replace(/^tabmux\/server: /, '')}`);
  process.exit(1);
}

const http = createServer();
const server = createTabmuxServer({ server: http, broker, path: values.path, ...(origins && { origins }) });
const routes = httpRoutes(server, broker);
http.on('request', (request, response) => {
  routes(request, response)
    .then((handled) => handled || reply(response, 404, { error: 'not found' }))
    .catch((error: unknown) => reply(response, 500, { error: String(error) }));
});
http.on('error', (error) => {
  console.error(`tabmux-server: cannot listen on ${values.host}:${port}: ${error.message}`);
  process.exit(1);
});
http.listen(port, values.host, () => {
  const address = http.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const shown = values.host.includes(':') ? `[${values.host}]` : values.host;
  console.log(
    `tabmux-server listening on ws://${shown}:${actual}${values.path} (${values.redis ? `Redis ${new URL(values.redis).host}` : 'in memory'}); stats: http://${shown}:${actual}/stats`,
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
