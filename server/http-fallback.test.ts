// The HTTP fallback end to end in Node: a real client (its hub in-process, fetch and ws), a real server, and a
// loopback proxy that blocks WebSockets the ways proxies do. The browsers' side is e2e/http-fallback.spec.ts.
import { describe, expect, test, vi } from 'vitest';
import { createClient } from '../client/create-client.js';
import type { Client } from '../client/client-types.js';
import { startProxy } from '../test/blocking-proxy.js';
import { NodeWebSocket } from '../test/helpers.js';
import { serve } from '../test/raw-client.js';
import { startTestServer } from '../testing/test-server.js';
import { closeAfterEach, useRedis } from '../test/vitest-hooks.js';
import { redisBroker } from './redis-broker.js';

const track = closeAfterEach();
const fast = { reconnect: { initialDelay: 20, maxDelay: 100, connectTimeout: 2000 } };

function clientOf(
  url: string,
  options: Parameters<typeof createClient>[0] extends infer O ? Partial<O> : never = {},
) {
  const client = createClient({ url, WebSocket: NodeWebSocket, transport: 'in-page', ...fast, ...options });
  track({ close: async () => client.close() });
  return client;
}

function numbers(client: Client, channel: string): number[] {
  const seen: number[] = [];
  client.subscribe(channel, (data) => seen.push(data as number));
  return seen;
}

test('upgrades refused with 403: after 3 failed sockets the client is on HTTP, receives in order, publishes and requests', async () => {
  const { server, httpUrl } = track(await serve({ onRequest: (data) => ({ echo: data }) }));
  const proxy = track(await startProxy([httpUrl], { upgrades: 'refuse' }));
  const client = clientOf(proxy.url);
  const seen = numbers(client, 'n');
  await vi.waitFor(() => expect(client.status).toMatchObject({ state: 'open', transport: 'http' }), 20_000);
  expect(proxy.counts.upgrades.refused).toBe(3);
  expect(server.stats()).toMatchObject({ connections: 1, httpSessions: 1 });
  await vi.waitFor(() => expect(server.stats().subscribers).toEqual({ n: 1 }));
  for (let n = 1; n <= 1000; n++) await server.publish('n', n);
  await vi.waitFor(() => expect(seen).toHaveLength(1000));
  expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  expect(await client.request('question')).toEqual({ echo: 'question' });
  const mine = numbers(client, 'mine');
  await vi.waitFor(() => expect(server.stats().subscribers['mine']).toBe(1));
  expect(await client.publish('mine', 7)).toEqual({ outcome: 'sent' });
  await vi.waitFor(() => expect(mine).toEqual([7]));
});

test('upgrades accepted and then silent: each socket fails at the connect timeout, then HTTP', async () => {
  const { server, httpUrl } = track(await serve());
  const proxy = track(await startProxy([httpUrl], { upgrades: 'silent' }));
  const client = clientOf(proxy.url);
  const seen = numbers(client, 'n');
  await vi.waitFor(() => expect(client.status).toMatchObject({ state: 'open', transport: 'http' }), 20_000);
  expect(proxy.counts.upgrades.silenced).toBe(3);
  await vi.waitFor(() => expect(server.stats().subscribers).toEqual({ n: 1 }));
  for (let n = 1; n <= 100; n++) await server.publish('n', n);
  await vi.waitFor(() => expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1)));
}, 40_000);

test('a proxy that holds responses until they end: the stream times out, long polling carries everything', async () => {
  const { server, httpUrl } = track(await serve({ onRequest: (data) => ({ echo: data }) }));
  const proxy = track(await startProxy([httpUrl], { upgrades: 'refuse', buffer: true }));
  const client = clientOf(proxy.url);
  const seen = numbers(client, 'n');
  await vi.waitFor(() => expect(client.status).toMatchObject({ state: 'open', transport: 'http' }), 20_000);
  await vi.waitFor(() => expect(server.stats().subscribers).toEqual({ n: 1 }));
  for (let n = 1; n <= 1000; n++) await server.publish('n', n);
  await vi.waitFor(() => expect(seen).toHaveLength(1000));
  expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  expect(await client.request('q')).toEqual({ echo: 'q' });
  expect((await client.stats()).transport).toBe('long-polling');
}, 40_000);

test('the block lifted: back on one WebSocket at the next try of the socket, no message lost or repeated', async () => {
  const { server, httpUrl } = track(await serve());
  const proxy = track(await startProxy([httpUrl], { upgrades: 'refuse' }));
  const client = clientOf(proxy.url, { fallback: { retrySocketEvery: 1000 } });
  const seen = numbers(client, 'n');
  await vi.waitFor(() => expect(client.status).toMatchObject({ state: 'open', transport: 'http' }), 20_000);
  await vi.waitFor(() => expect(server.stats().subscribers).toEqual({ n: 1 }));
  let n = 0;
  const publishing = (async () => {
    while (n < 2000) {
      await server.publish('n', ++n);
      if (n % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  await vi.waitFor(() => expect(seen.length).toBeGreaterThan(100));
  proxy.set({ upgrades: 'pass' });
  await vi.waitFor(
    () => expect(client.status).toMatchObject({ state: 'open', transport: 'websocket' }),
    10_000,
  );
  await publishing;
  await vi.waitFor(() => expect(seen).toHaveLength(2000));
  expect(seen).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
  await vi.waitFor(() => expect(server.stats()).toMatchObject({ connections: 1, httpSessions: 0 }));
});

describe('a fleet of two instances on Redis behind a round-robin proxy, no sticky sessions', () => {
  const redis = useRedis();

  test.each(['stream', 'polling'] as const)(
    '%s: posts and polls that land on the other instance are relayed; 1,000 messages in order, requests answered',
    async (mode) => {
      const instances: Awaited<ReturnType<typeof serve>>[] = [];
      for (let i = 0; i < 2; i++) {
        const broker = track(await redisBroker({ url: redis.url, replayLimit: 2000 }));
        instances.push(track(await serve({ broker, onRequest: (data) => ({ echo: data, from: i }) })));
      }
      const proxy = track(
        await startProxy(
          instances.map((instance) => instance.httpUrl),
          { upgrades: 'refuse', buffer: mode === 'polling' },
        ),
      );
      const client = clientOf(proxy.url);
      // One Redis for the file: each case its own channel.
      const channel = `n-${mode}`;
      const seen = numbers(client, channel);
      await vi.waitFor(
        () => expect(client.status).toMatchObject({ state: 'open', transport: 'http' }),
        10_000,
      );
      expect((await client.stats()).transport).toBe(mode === 'stream' ? 'http-stream' : 'long-polling');
      const subscribed = () => instances.map((instance) => instance.server.stats().subscribers[channel] ?? 0);
      await vi.waitFor(() => expect(subscribed().sort()).toEqual([0, 1]));
      for (let n = 1; n <= 1000; n++) await instances[n % 2]!.server.publish(channel, n);
      await vi.waitFor(() => expect(seen).toHaveLength(1000));
      expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await client.request(i));
      const home = subscribed().indexOf(1);
      expect(answers).toEqual([0, 1, 2, 3].map((i) => ({ echo: i, from: home })));
      // The proxy took turns: requests reached both instances.
      expect(proxy.counts.requests.every((count) => count > 2)).toBe(true);
    },
    40_000,
  );
});

test('auth over HTTP: the token goes in a POST body, never the URL; a 4401 on the stream asks the auth function again', async () => {
  const accepted: { token: string; url: string }[] = [];
  let tokens = 0;
  const { httpUrl } = track(
    await serve({
      authenticate: (token, request) => {
        accepted.push({ token, url: request.url ?? '' });
        // The first token accepted lasts 300 ms: the server then closes with 4401, and the client comes back.
        return { token, ...(accepted.length === 1 && { expiresAt: Date.now() + 300 }) };
      },
    }),
  );
  const proxy = track(await startProxy([httpUrl], { upgrades: 'refuse' }));
  const client = clientOf(proxy.url, { auth: () => `secret-${++tokens}` });
  await vi.waitFor(() => expect(accepted).toHaveLength(2), 10_000);
  await vi.waitFor(() => expect(client.status).toMatchObject({ state: 'open', transport: 'http' }), 20_000);
  expect(client.status.lastClose).toMatchObject({ code: 4401 });
  // Three sockets refused by the proxy asked for a token each; the HTTP sessions got the next two.
  expect(accepted.map(({ token }) => token)).toEqual(['secret-4', 'secret-5']);
  expect(accepted.every(({ url }) => !url.includes('secret'))).toBe(true);
});

test('tabmux/testing: a test server started with `fallback: true` serves the HTTP fallback (and without it, does not)', async () => {
  for (const fallback of [true, false]) {
    const server = track(await startTestServer({ fallback }));
    const proxy = track(await startProxy([server.httpUrl], { upgrades: 'refuse' }));
    const client = clientOf(proxy.url);
    await vi.waitFor(() => expect(proxy.counts.upgrades.refused).toBeGreaterThanOrEqual(fallback ? 3 : 5));
    if (fallback)
      await vi.waitFor(() => expect(client.status).toMatchObject({ state: 'open', transport: 'http' }));
    else expect(client.status.state).toBe('reconnecting');
  }
});

test('a stream that goes silent on the way is replaced by the heartbeat; what was published meanwhile arrives once, in order', async () => {
  const { server, httpUrl } = track(await serve());
  const proxy = track(await startProxy([httpUrl], { upgrades: 'refuse' }));
  const client = clientOf(proxy.url, { heartbeat: { interval: 3000, timeout: 2000 } });
  const seen = numbers(client, 'n');
  await vi.waitFor(() => expect(client.status).toMatchObject({ state: 'open', transport: 'http' }), 20_000);
  await vi.waitFor(() => expect(server.stats().subscribers).toEqual({ n: 1 }));
  for (let n = 1; n <= 10; n++) await server.publish('n', n);
  await vi.waitFor(() => expect(seen).toHaveLength(10));
  proxy.set({ freeze: true });
  for (let n = 11; n <= 20; n++) await server.publish('n', n);
  await vi.waitFor(() => expect(client.status.lastClose).toMatchObject({ code: 4408 }), 15_000);
  await vi.waitFor(() => expect(client.status).toMatchObject({ state: 'open', transport: 'http' }), 20_000);
  for (let n = 21; n <= 30; n++) await server.publish('n', n);
  await vi.waitFor(() => expect(seen).toHaveLength(30));
  expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  expect(server.stats()).toMatchObject({ connections: 1, httpSessions: 1, totalConnections: 2 });
}, 40_000);
