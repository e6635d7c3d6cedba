import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { expect, test } from 'vitest';
import WebSocket from 'ws';
import { useRedis } from '../test/vitest-hooks.js';
import { connect } from '../test/raw-client.js';
import { runCli, startCli } from '../test/server-cli.js';
import { parseCli } from './cli-options.js';

const redis = useRedis();

test.each([
  [['--port', 'eighty'], /--port must be a whole number from 0 to 65535; got eighty/],
  [['--port', '70000'], /--port must be a whole number/],
  [['--redis', 'localhost:6379'], /--redis must be a URL like redis:\/\/127.0.0.1:6379/],
  [['--replay', '0'], /--replay must be a whole number ≥ 1/],
  [['--origin', 'app.example'], /--origin must be an origin like https:\/\/app.example/],
  [['--colour', 'blue'], /Unknown option '--colour'/],
])('%j is refused with a message saying what is allowed', (args, message) => {
  const request = parseCli(args);
  expect(request.kind).toBe('refused');
  const text = request.kind === 'refused' ? request.message : '';
  expect(text).toMatch(message);
  expect(text).toContain('usage: tabmux-server');
});

test('a refusal exits 2, printing it', async () => {
  const { code, output } = await runCli(['--port', 'eighty']);
  expect(code).toBe(2);
  expect(output).toMatch(/--port must be a whole number from 0 to 65535; got eighty/);
});

test('Redis unreachable at start: exits 1 with a message naming the address', async () => {
  const { code, output } = await runCli(['--port', '0', '--redis', 'redis://127.0.0.1:1']);
  expect(code).toBe(1);
  expect(output).toMatch(/cannot reach Redis at 127.0.0.1:1/);
});

test('it serves sockets and its HTTP routes, on Redis, and exits 0 on SIGTERM after closing sockets with 1012', async () => {
  const cli = await startCli(['--port', '0', '--redis', redis.url, '--replay', '50']);
  try {
    expect(await (await fetch(`${cli.httpUrl}/healthz`)).json()).toEqual({ ok: true, broker: 'up' });
    const socket = new WebSocket(cli.url);
    const messages: unknown[] = [];
    socket.on('message', (raw) => messages.push(JSON.parse(raw.toString())));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'subscribe', channel: 'cli' }));
    await expect.poll(() => messages).toContainEqual({ type: 'subscribed', channel: 'cli', seq: 0 });
    const published = await fetch(`${cli.httpUrl}/publish?channel=cli`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"hi":1}',
    });
    expect(await published.json()).toEqual({ seq: 1 });
    await expect
      .poll(() => messages)
      .toContainEqual({ type: 'message', channel: 'cli', seq: 1, data: { hi: 1 } });
    const stats = (await (await fetch(`${cli.httpUrl}/stats`)).json()) as {
      connections: number;
      subscribers: object;
    };
    expect(stats).toMatchObject({ connections: 1, subscribers: { cli: 1 } });
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    expect(await cli.stop()).toBe(0);
    expect(await closed).toBe(1012);
  } finally {
    await cli.kill();
  }
});

test('--help lists every flag with its variable, its default and an example', () => {
  const help = parseCli(['--help']);
  expect(help.kind).toBe('help');
  const text = help.kind === 'help' ? help.text : '';
  for (const flag of [
    'port',
    'host',
    'path',
    'origin',
    'hostname',
    'redis',
    'replay',
    'jwt-secret',
    'jwt-public-key',
    'publish-key',
    'log-level',
  ])
    expect(text).toMatch(
      new RegExp(`--${flag} \\S+ .*\\$TABMUX_${flag.toUpperCase().replace(/-/g, '_')}.*e\\.g\\. --${flag} `),
    );
  expect(text).toMatch(/--port N .*default 8787/);
});

test('every flag can come from its environment variable; a flag wins over its variable; lists are comma-separated', () => {
  const request = parseCli(['--port', '9000'], {
    TABMUX_PORT: '1234',
    TABMUX_ORIGIN: 'https://a.example, https://b.example',
    TABMUX_JWT_SECRET: 's',
    TABMUX_PUBLISH_KEY: 'k',
    TABMUX_LOG_LEVEL: 'warn',
    TABMUX_HOSTNAME: 'app.example',
  });
  expect(request).toMatchObject({
    kind: 'run',
    options: {
      port: 9000,
      origins: ['https://a.example', 'https://b.example'],
      jwtSecret: 's',
      publishKey: 'k',
      logLevel: 'warn',
      hostnames: ['app.example'],
    },
  });
  expect(parseCli([], { TABMUX_REPLAY: 'lots' })).toMatchObject({
    kind: 'refused',
    message: expect.stringContaining('--replay must be a whole number ≥ 1; got lots'),
  });
  expect(parseCli(['--jwt-secret', 'a', '--jwt-public-key', 'b.pem'])).toMatchObject({ kind: 'refused' });
  expect(parseCli(['--log-level', 'loud'])).toMatchObject({ kind: 'refused' });
});

test('with a JWT secret and a publish key from the environment: tokens decide the channels, POST /publish needs the key, and the logs say so, one JSON object a line', async () => {
  const secret = 'a-secret-of-at-least-thirty-two-bytes!';
  const cli = await startCli(['--port', '0', '--redis', redis.url], 15_000, {
    TABMUX_JWT_SECRET: secret,
    TABMUX_PUBLISH_KEY: 'k3y',
  });
  try {
    const jwt = await new SignJWT({ sub: 'u1', channels: ['prices'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    const client = await connect(cli.url);
    client.send({ type: 'auth', token: jwt });
    await client.waitFor({ type: 'auth-ok' });
    client.send({ type: 'subscribe', channel: 'prices' });
    client.send({ type: 'subscribe', channel: 'user:u2:orders' });
    await client.waitFor({ type: 'subscribed', channel: 'prices' });
    expect(await client.waitFor({ type: 'ended', channel: 'user:u2:orders' })).toMatchObject({
      code: 'forbidden',
    });
    const publish = (headers: Record<string, string>) =>
      fetch(`${cli.httpUrl}/publish?channel=prices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{"eur":1}',
      });
    expect((await publish({})).status).toBe(401);
    expect((await publish({ authorization: 'Bearer k3y' })).status).toBe(200);
    await client.waitFor({ type: 'message', channel: 'prices', seq: 1 });
    const stranger = await connect(cli.url);
    stranger.send({ type: 'auth', token: 'forged' });
    expect((await stranger.closed).code).toBe(4401);
    expect(await cli.stop()).toBe(0);
    const lines = cli
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event?: string; msg: string });
    expect(lines.map((line) => line.event)).toEqual(
      expect.arrayContaining(['listening', 'access', 'forbidden', 'closed', 'shutdown']),
    );
    expect(lines.find((line) => line.event === 'access')!.msg).toBe(
      'clients need a valid JWT; they may subscribe and publish only where its `channels` and `publish` claims say; pages of loopback may connect; POST /publish needs the publish key',
    );
  } finally {
    await cli.kill();
  }
});

test('without auth it still runs, and says in one line what anyone can do', async () => {
  const cli = await startCli(['--port', '0']);
  try {
    await expect
      .poll(() => cli.output())
      .toContain(
        'NO AUTH: any client may subscribe to and publish on any channel (set --jwt-secret or --jwt-public-key)',
      );
  } finally {
    await cli.kill();
  }
});

test('a missing peer package is one line naming what to install', async () => {
  // The built CLI where no node_modules can be found: ws and pino are then missing.
  const dir = await mkdtemp(join(tmpdir(), 'tabmux-cli-'));
  try {
    await cp('dist', join(dir, 'dist'), { recursive: true });
    const run = promisify(execFile);
    const failure = await run(process.execPath, [join(dir, 'dist/server/cli.js'), '--port', '0'], {
      cwd: dir,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({
      code: 1,
      stderr: 'tabmux-server: needs ws, pino, not installed here: npm install ws pino\n',
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an upgrade to a path it does not serve is answered 404 and closed, not left open', async () => {
  const cli = await startCli(['--port', '0', '--path', '/live']);
  try {
    const { port } = new URL(cli.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = createConnection(Number(port), '127.0.0.1', () =>
        socket.write(
          'GET /elsewhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
        ),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
  } finally {
    await cli.kill();
  }
});

test('half-open upgrades and idle TCP connections are closed by the headers timeout, not held', async () => {
  const cli = await startCli(['--port', '0']);
  try {
    const { port } = new URL(cli.url);
    const started = Date.now();
    const closings = [];
    for (let i = 0; i < 20; i++) {
      closings.push(
        new Promise<number>((resolve, reject) => {
          const socket = createConnection(Number(port), '127.0.0.1', () => {
            // Half of them start an upgrade and never finish its headers; the other half say nothing at all.
            if (i % 2 === 0) socket.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
          });
          socket.on('data', () => {});
          socket.on('close', () => resolve(Date.now() - started));
          socket.on('error', reject);
        }),
      );
    }
    const closedAfter = await Promise.all(closings);
    // The CLI's headers timeout is 10 s, checked every second.
    expect(Math.max(...closedAfter)).toBeLessThan(20_000);
  } finally {
    await cli.kill();
  }
}, 30_000);
