import { afterAll, beforeAll, expect, test } from 'vitest';
import WebSocket from 'ws';
import { startRedis, type RedisProcess } from '../test/redis-server.js';
import { runCli, startCli } from '../test/server-cli.js';
import { parseCli } from './cli-options.js';

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.kill());

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
    const published = await fetch(`${cli.httpUrl}/publish?channel=cli`, { method: 'POST', body: '{"hi":1}' });
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
