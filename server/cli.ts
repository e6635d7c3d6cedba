#!/usr/bin/env node
// `npx tabmux-server [flags]` (`--help` lists them): a tabmux server to try, to test against, or to run, with its
// HTTP routes, structured logs (one JSON object a line) and Prometheus metrics.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { parseCli, type CliOptions } from './cli-options.js';

const request = parseCli(process.argv.slice(2), process.env);
if (request.kind === 'help') {
  console.log(request.text);
  process.exit(0);
}
if (request.kind === 'refused') {
  console.error(`tabmux-server: ${request.message}`);
  process.exit(2);
}
const options = request.options;

// The peers this run needs, checked before any is loaded, so a missing one is one line saying what to install.
const needed = ['ws', 'pino', ...(options.redis ? ['ioredis'] : []), ...(jwt(options) ? ['jose'] : [])];
const missing: string[] = [];
for (const name of needed) {
  try {
    await import(name);
  } catch {
    missing.push(name);
  }
}
if (missing.length > 0) {
  console.error(
    `tabmux-server: needs ${missing.join(', ')}, not installed here: npm install ${missing.join(' ')}`,
  );
  process.exit(1);
}

const { pino } = await import('pino');
const log = pino({ level: options.logLevel, base: { service: 'tabmux-server' } });
const { createTabmuxServer } = await import('./create-server.js');
const { httpRoutes, reply } = await import('./http-routes.js');
const { memoryBroker } = await import('./memory-broker.js');
const { redisBroker } = await import('./redis-broker.js');
const { jwtAccess } = await import('./jwt.js');

let broker;
let access;
try {
  broker = options.redis
    ? await redisBroker({
        url: options.redis,
        replayLimit: options.replayLimit,
        replayBytes: options.replayBytes,
        onStatus: (up, detail) =>
          up
            ? log.info(
                { event: 'redis-up', redis: host(options.redis!) },
                `Redis is reachable again: ${detail}`,
              )
            : log.error(
                { event: 'redis-down', redis: host(options.redis!) },
                `Redis is unreachable: ${detail}`,
              ),
      })
    : memoryBroker({ replayLimit: options.replayLimit, replayBytes: options.replayBytes });
  access = options.jwtSecret
    ? await jwtAccess({ secret: options.jwtSecret })
    : options.jwtPublicKey
      ? await jwtAccess({ publicKey: await readFile(options.jwtPublicKey, 'utf8') })
      : null;
} catch (error) {
  console.error(`tabmux-server: ${(error as Error).message.replace(/^tabmux\/server: /, '')}`);
  process.exit(1);
}

// Requests and upgrades that stall are dropped: a client that opens connections and sends nothing holds none.
// Node checks these timeouts every 30 s by default; every second, a stalled connection goes within 11 s.
const http = createServer({ connectionsCheckingInterval: 1000 });
http.headersTimeout = 10_000;
http.requestTimeout = 30_000;
http.keepAliveTimeout = 5_000;
const server = createTabmuxServer({
  server: http,
  broker,
  path: options.path,
  logger: log,
  hostnames: options.hostnames,
  ...(options.origins && { origins: options.origins }),
  ...(access && { authenticate: access.authenticate, authorize: access.authorize }),
});
const routes = httpRoutes(server, broker, options.publishKey ? { publishKey: options.publishKey } : {});
http.on('request', (request, response) => {
  if (server.handleHttp(request, response)) return;
  routes(request, response)
    .then((handled) => handled || reply(response, 404, { error: 'not found' }))
    .catch((error: unknown) => reply(response, 500, { error: String(error) }));
});
// An upgrade to another path has no other listener here: answered 404 and closed, not left open.
http.on('upgrade', (request, socket) => {
  if (new URL(request.url ?? '/', 'http://x').pathname === options.path) return;
  socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
});
http.on('error', (error) => {
  log.fatal(
    { event: 'listen-failed', error: error.message },
    `cannot listen on ${options.host}:${options.port}`,
  );
  console.error(`tabmux-server: cannot listen on ${options.host}:${options.port}: ${error.message}`);
  process.exit(1);
});
http.listen(options.port, options.host, () => {
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  log.info(
    {
      event: 'listening',
      url: `ws://${shown}:${port}${options.path}`,
      broker: options.redis ? `Redis ${host(options.redis)}` : 'memory',
    },
    `tabmux-server listening on ws://${shown}:${port}${options.path} (${options.redis ? `Redis ${host(options.redis)}` : 'in memory'}); stats: http://${shown}:${port}/stats, metrics: /metrics`,
  );
  log.info({ event: 'access', ...openness(options) }, describeAccess(options));
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ event: 'shutdown', signal }, `shutting down on ${signal}: closing sockets with 1012`);
    void server.close().then(async () => {
      await broker.close();
      http.close(() => process.exit(0));
    });
  });
}

function jwt(options: CliOptions): boolean {
  return options.jwtSecret !== undefined || options.jwtPublicKey !== undefined;
}

function host(url: string): string {
  return new URL(url).host;
}

function openness(options: CliOptions) {
  return {
    tokens: jwt(options) ? 'jwt' : 'none',
    origins: options.origins ?? ['loopback', ...options.hostnames],
    httpPublish: options.publishKey ? 'key' : 'loopback',
  };
}

/** One line saying what anyone who reaches this server can do. */
function describeAccess(options: CliOptions): string {
  const who = jwt(options)
    ? 'clients need a valid JWT; they may subscribe and publish only where its `channels` and `publish` claims say'
    : 'NO AUTH: any client may subscribe to and publish on any channel (set --jwt-secret or --jwt-public-key)';
  const pages =
    options.origins === '*'
      ? 'pages of any origin may connect'
      : `pages of ${options.origins?.join(', ') ?? ['loopback', ...options.hostnames].join(', ')} may connect`;
  const publish = options.publishKey
    ? 'POST /publish needs the publish key'
    : 'POST /publish is open to loopback only (set --publish-key)';
  return `${who}; ${pages}; ${publish}`;
}
