// Each limit of tabmux/server against a raw client that breaks it; the process survives all and counts them.
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import WebSocket from 'ws';
import { createClient } from '../client/create-client.js';
import { NodeWebSocket } from '../test/helpers.js';
import { connect, serve, type ServerUnderTest } from '../test/raw-client.js';
import type { ServerStats } from './types.js';

let running: ServerUnderTest;
beforeAll(async () => {
  running = await serve({
    origins: ['https://app.example'],
    maxPayload: 64 * 1024,
    rateLimit: { perSecond: 50, burst: 100 },
    maxChannelsPerConnection: 3,
    maxBufferedBytes: 256 * 1024,
    authTimeoutMs: 300,
    idleTimeoutMs: 0,
  });
});
afterAll(() => running.close());

/** The upgrade's HTTP status, or 101 when the socket opened. */
function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(running.url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.on('error', () => {});
  });
}

test('an Origin not allowed is closed at once with 4403 and a reason naming it and the fix; an allowed one, or none (not a browser), stays open', async () => {
  const refused = await connect(running.url, { Origin: 'https://evil.example' });
  expect(await refused.closed).toEqual({
    code: 4403,
    reason: 'origin https://evil.example is not allowed; add --origin https://evil.example',
  });
  expect(await upgradeStatus({ Origin: 'https://app.example' })).toBe(101);
  expect(await upgradeStatus({})).toBe(101);
  expect(running.server.stats().refused.origin).toBe(1);
});

test('without `origins`, only loopback pages and pages of `hostnames` may connect; the Host header is not trusted (DNS rebinding)', async () => {
  const local = await serve({ hostnames: ['app.example'] });
  try {
    const port = new URL(local.url).port;
    for (const origin of [
      'http://localhost:5173',
      'http://127.0.0.1:8080',
      'http://[::1]:3000',
      'https://app.example',
    ])
      expect(await openAndStays(local.url, { Origin: origin }), origin).toBe(true);
    // A rebinding page: its Origin and the Host it sends name the attacker's host, which resolves to this server.
    const rebound = await connect(local.url, {
      Origin: `http://rebind.evil:${port}`,
      Host: `rebind.evil:${port}`,
    });
    expect((await rebound.closed).code).toBe(4403);
    const other = await connect(local.url, { Origin: 'https://other.example' });
    expect((await other.closed).code).toBe(4403);
  } finally {
    await local.close();
  }
});

/** Whether a socket with `headers` opens and is still open once the server answered a ping. */
async function openAndStays(url: string, headers: Record<string, string>): Promise<boolean> {
  const client = await connect(url, headers);
  client.send({ type: 'ping' });
  const answer = await Promise.race([
    client.waitFor({ type: 'pong' }).then(() => true),
    client.closed.then(() => false),
  ]);
  client.ws.close();
  return answer;
}

test('a frame over maxPayload closes that socket with 1009', async () => {
  const client = await connect(running.url);
  client.send({ type: 'publish', channel: 'A', data: 'x'.repeat(100 * 1024) });
  expect(await client.closed).toEqual({ code: 1009, reason: 'a frame over maxPayload (65536 bytes)' });
  await expect.poll(() => running.server.stats().refused.tooLarge).toBe(1);
});

test('publishes past the rate limit are refused one by one, coded rate-limited; the socket stays open', async () => {
  const before = running.server.stats().refused.rateLimited;
  const client = await connect(running.url);
  client.send({ type: 'subscribe', channel: 'burst' });
  await client.waitFor({ type: 'subscribed', channel: 'burst' });
  for (let n = 1; n <= 150; n++) client.send({ type: 'publish', channel: 'burst', data: n });
  client.send({ type: 'request', id: 'r1', data: 'late' });
  await client.waitFor({ type: 'error', id: 'r1', code: 'rate-limited' });
  const published = client.messages.filter((m) => m['type'] === 'message').length;
  const refused = client.messages.filter((m) => m['type'] === 'error' && m['channel'] === 'burst');
  // The burst (100) passes, with what refilled meanwhile; every one past it is answered, none is lost unsaid.
  expect(published + refused.length).toBe(150);
  expect(published).toBeGreaterThanOrEqual(100);
  expect(refused[0]).toEqual({
    type: 'error',
    channel: 'burst',
    code: 'rate-limited',
    message:
      'rate-limited: the publish on "burst" came over rateLimit (50 a second, bursts of 100); try again later',
  });
  expect(running.server.stats().refused.rateLimited - before).toBe(refused.length + 1);
  expect(client.ws.readyState).toBe(client.ws.OPEN);
  client.ws.close();
});

test('a client that goes on past its refusals is closed with 4429', async () => {
  const client = await connect(running.url);
  for (let i = 0; i < 500; i++) client.send({ type: 'ping' });
  expect(await client.closed).toEqual({
    code: 4429,
    reason: 'too many messages: more than rateLimit (50 a second, bursts of 100), and on after refusals',
  });
});

test('a subscribe past maxChannelsPerConnection is ended at once, failed, naming the channel', async () => {
  const client = await connect(running.url);
  for (const channel of ['a', 'b', 'c', 'd']) client.send({ type: 'subscribe', channel });
  const refused = await client.waitFor({ type: 'ended', channel: 'd' });
  expect(refused).toMatchObject({
    failed: true,
    reason: expect.stringContaining('maxChannelsPerConnection'),
  });
  expect(running.server.stats().refused.tooManyChannels).toBe(1);
  client.ws.close();
});

test('a client that never reads is closed with 4430 instead of growing the server’s memory', async () => {
  const client = await connect(running.url);
  client.send({ type: 'subscribe', channel: 'firehose' });
  await client.waitFor({ type: 'subscribed' });
  // Stop reading: the socket's receive window fills and the server's bufferedAmount grows.
  (client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const chunk = 'y'.repeat(16 * 1024);
  for (let i = 0; i < 400 && running.server.stats().refused.slowConsumers === 0; i++) {
    await running.server.publish('firehose', chunk);
    await new Promise((resolve) => setImmediate(resolve));
  }
  expect(running.server.stats().refused.slowConsumers).toBe(1);
  (client.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  expect((await client.closed).code).toBe(4430);
});

test('frames that are not JSON, or not messages of the protocol, are answered with an error and counted', async () => {
  const client = await connect(running.url);
  const before = running.server.stats().refused.badFrames;
  for (const frame of [
    '{nope',
    '42',
    '[]',
    JSON.stringify({ type: 'teleport' }),
    JSON.stringify({ type: 'subscribe' }),
  ])
    client.send(frame);
  await expect.poll(() => client.messages.filter((m) => m['type'] === 'error').length).toBe(5);
  expect(running.server.stats().refused.badFrames - before).toBe(5);
  client.send({ type: 'ping' });
  await client.waitFor({ type: 'pong' });
  client.ws.close();
});

test('with the counts of all of the above, the process still serves, and /stats reports them', async () => {
  const stats = (await (await fetch(`${running.httpUrl}/stats`)).json()) as ServerStats;
  expect(stats.refused).toMatchObject({
    origin: 1,
    tooLarge: 1,
    tooManyChannels: 1,
    slowConsumers: 1,
  });
  expect(stats.refused.badFrames).toBeGreaterThanOrEqual(5);
  expect(stats.refused.rateLimited).toBeGreaterThanOrEqual(150);
  const client = await connect(running.url);
  client.send({ type: 'ping' });
  await client.waitFor({ type: 'pong' });
});

test('with authenticate, a socket that sends no token in time is closed with 4401', async () => {
  const guarded = await serve({ authenticate: () => true, authTimeoutMs: 200 });
  try {
    const silent = await connect(guarded.url);
    expect(await silent.closed).toEqual({ code: 4401, reason: 'no auth within 200 ms' });
    expect(guarded.server.stats().refused.authTimeouts).toBe(1);
  } finally {
    await guarded.close();
  }
});

test('a socket silent past idleTimeoutMs is closed with 1001; one that pings is not', async () => {
  const idle = await serve({ idleTimeoutMs: 300 });
  try {
    const [quiet, talking] = [await connect(idle.url), await connect(idle.url)];
    const ticker = setInterval(() => talking.send({ type: 'ping' }), 100);
    expect(await quiet.closed).toEqual({ code: 1001, reason: 'idle for 300 ms' });
    clearInterval(ticker);
    expect(talking.ws.readyState).toBe(WebSocket.OPEN);
    expect(idle.server.stats().refused.idle).toBe(1);
  } finally {
    await idle.close();
  }
});

test("a client's publishes past the server's rate: each refused one is an error event coded rate-limited, the rest arrive, the client stays open", async () => {
  const client = createClient({ url: running.url, WebSocket: NodeWebSocket, transport: 'in-page' });
  try {
    const errors: { code: string; message: string }[] = [];
    const got: unknown[] = [];
    client.on('error', (error) => errors.push({ code: error.code, message: error.message }));
    client.subscribe('loop', (data) => got.push(data));
    await vi.waitFor(() => expect(running.server.stats().subscribers['loop']).toBe(1));
    for (let n = 1; n <= 160; n++) await client.publish('loop', n);
    await vi.waitFor(() => expect(got.length + errors.length).toBe(160));
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((error) => error.code))).toEqual(new Set(['rate-limited']));
    expect(errors[0]!.message).toContain('the publish on "loop" came over rateLimit');
    expect(client.status.state).toBe('open');
  } finally {
    client.close();
  }
});

test('a channel name over maxChannelLength is refused at the server: a subscribe ended, a publish answered', async () => {
  const client = await connect(running.url);
  const long = 'n'.repeat(1025);
  client.send({ type: 'subscribe', channel: long });
  client.send({ type: 'publish', channel: long, data: 1 });
  const ended = await client.waitFor({ type: 'ended', channel: long });
  expect(ended).toMatchObject({
    failed: true,
    reason: 'a channel name over maxChannelLength (1024 characters)',
  });
  await client.waitFor({ type: 'error', channel: long });
  expect(running.server.stats().subscribers[long]).toBeUndefined();
  client.ws.close();
});

test('/stats counts every channel and subscription but lists only the 100 channels with the most subscribers', async () => {
  // This server lets a socket follow 3 channels: 50 sockets follow 150.
  const clients = [];
  for (let c = 0; c < 50; c++) {
    const client = await connect(running.url);
    for (let i = 0; i < 3; i++) client.send({ type: 'subscribe', channel: `many-${c * 3 + i}` });
    clients.push(client);
  }
  for (const [c, client] of clients.entries())
    await client.waitFor({ type: 'subscribed', channel: `many-${c * 3 + 2}` });
  const stats = running.server.stats();
  expect(stats.channels).toBeGreaterThanOrEqual(150);
  expect(stats.subscriptions).toBeGreaterThanOrEqual(150);
  expect(Object.keys(stats.subscribers)).toHaveLength(100);
  for (const client of clients) client.ws.close();
});
