// The Redis broker against a real redis-server: a fleet of two instances, Redis lost and back.
import { expect, test } from 'vitest';
import { connect, serve, type ServerUnderTest } from '../test/raw-client.js';
import { closeAfterEach, useRedis } from '../test/vitest-hooks.js';
import type { Broker } from './broker.js';
import { redisBroker } from './redis-broker.js';

const redis = useRedis();
const track = closeAfterEach();

let prefixes = 0;
async function instance(): Promise<ServerUnderTest & { broker: Broker }> {
  const broker = await redisBroker({ url: redis.url, replayLimit: 100, prefix: `t${prefixes}:` });
  track(broker);
  const server = await serve({ broker });
  track(server);
  return Object.assign(server, { broker });
}

test('two instances on one Redis: numbers contiguous across both, every publish reaches every subscriber', async () => {
  prefixes++;
  const [a, b] = [await instance(), await instance()];
  const [onA, onB] = [await connect(a.url), await connect(b.url)];
  for (const client of [onA, onB]) {
    client.send({ type: 'subscribe', channel: 'news' });
    await client.waitFor({ type: 'subscribed', seq: 0 });
  }
  const seqs = [];
  for (let n = 0; n < 20; n++) seqs.push(await (n % 2 ? a : b).server.publish('news', n));
  expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  for (const client of [onA, onB]) {
    await client.waitFor({ type: 'message', seq: 20 });
    const got = client.messages.filter((m) => m['type'] === 'message');
    expect(got.map((m) => m['seq'])).toEqual(seqs);
    expect(got.map((m) => m['data'])).toEqual(Array.from({ length: 20 }, (_, i) => i));
  }
});

test('replay from any instance: a client resumes on B from what it saw on A', async () => {
  prefixes++;
  const [a, b] = [await instance(), await instance()];
  for (let n = 1; n <= 10; n++) await a.server.publish('log', n);
  const client = await connect(b.url);
  client.send({ type: 'resume', channel: 'log', after: 6 });
  await client.waitFor({ type: 'subscribed', seq: 10 });
  expect(client.messages.map((m) => m['seq'])).toEqual([7, 8, 9, 10, 10]);
  // A new subscriber gets the channel's last value at once, from Redis.
  const fresh = await connect(b.url);
  fresh.send({ type: 'subscribe', channel: 'log' });
  await fresh.waitFor({ type: 'subscribed' });
  expect(fresh.messages[0]).toEqual({ type: 'message', last: true, channel: 'log', seq: 10, data: 10 });
});

test('a resume on another instance while the channel is busy: every message once, in order, after `subscribed` (12 runs)', async () => {
  prefixes++;
  const [a, b] = [await instance(), await instance()];
  for (let run = 0; run < 12; run++) {
    const channel = `busy-${run}`;
    for (let n = 1; n <= 20; n++) await a.server.publish(channel, n);
    // Publishing goes on while B starts listening to the channel: the window where B reads the head before it
    // subscribes, and fills the gap later.
    let publishing = true;
    const publisher = (async () => {
      for (let n = 21; publishing || n <= 60; n++) {
        await a.server.publish(channel, n);
        if (n >= 200) break;
      }
    })();
    const client = await connect(b.url);
    client.send({ type: 'resume', channel, after: 10 });
    await client.waitFor({ type: 'subscribed', channel });
    publishing = false;
    await publisher;
    const head = await a.server.publish(channel, 'end');
    await client.waitFor({ type: 'message', seq: head });
    const seqs = client.messages.filter((m) => m['type'] === 'message').map((m) => m['seq'] as number);
    expect(seqs).toEqual(Array.from({ length: head - 10 }, (_, i) => i + 11));
    const subscribed = client.messages.findIndex((m) => m['type'] === 'subscribed');
    const at = client.messages[subscribed]!['seq'] as number;
    expect(client.messages.slice(subscribed + 1).map((m) => m['seq'])).toEqual(
      Array.from({ length: head - at }, (_, i) => at + 1 + i),
    );
    client.ws.close();
  }
});

test('Redis lost: publishes fail loudly, sockets stay open; Redis back: publishes and delivery go on', async () => {
  prefixes++;
  const a = await instance();
  const client = await connect(a.url);
  client.send({ type: 'subscribe', channel: 'c' });
  await client.waitFor({ type: 'subscribed' });
  await a.server.publish('c', 'before');
  await client.waitFor({ data: 'before' });

  await redis.kill();
  await expect(a.server.publish('c', 'during')).rejects.toThrow();
  const response = await fetch(`${a.httpUrl}/publish?channel=c`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '"during"',
  });
  expect(response.status).toBe(503);
  expect(await (await fetch(`${a.httpUrl}/healthz`)).json()).toEqual({ ok: false, broker: 'unreachable' });
  client.send({ type: 'publish', channel: 'c', data: 'from a client' });
  expect((await client.waitFor({ type: 'error' }))['message']).toContain('the publish on "c" failed');
  expect(client.ws.readyState).toBe(client.ws.OPEN);
  expect(a.server.stats().refused.publishFailures).toBe(3);

  await redis.restart();
  // ioredis reconnects on its own; once it has, the same instance publishes and delivers again.
  await expect.poll(async () => (await fetch(`${a.httpUrl}/healthz`)).status, { timeout: 10_000 }).toBe(200);
  await expect
    .poll(
      () =>
        a.server.publish('c', 'after').then(
          () => true,
          () => false,
        ),
      { timeout: 10_000 },
    )
    .toBe(true);
  await client.waitFor({ data: 'after' }, 10_000);
  // This Redis came back empty (no persistence): numbering starts again, and the socket is told so before the
  // new number 1, so a tabmux hub resets the channel instead of dropping it as a repeat.
  expect(client.messages.slice(-2)).toEqual([
    { type: 'subscribed', channel: 'c', seq: 0 },
    { type: 'message', channel: 'c', seq: 1, data: 'after' },
  ]);
});

test('Redis unreachable at start: redisBroker rejects with a message that names the address', async () => {
  await expect(redisBroker({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 1000 })).rejects.toThrow(
    /cannot reach Redis at 127.0.0.1:1/,
  );
  await expect(redisBroker({ url: 'http://nope' })).rejects.toThrow(/not valid/);
});

test('replay on Redis is bounded in bytes per channel: big messages keep fewer, the latest always', async () => {
  prefixes++;
  const broker = track(
    await redisBroker({ url: redis.url, replayLimit: 1000, replayBytes: 10_000, prefix: `t${prefixes}:` }),
  );
  const big = 'x'.repeat(3000);
  for (let i = 1; i <= 50; i++) await broker.publish('c', JSON.stringify(big + i));
  expect((await broker.history('c', 0)).messages.map((m) => m.seq)).toEqual([48, 49, 50]);
  await broker.publish('c', JSON.stringify('y'.repeat(20_000)));
  expect((await broker.history('c', 0)).messages.map((m) => m.seq)).toEqual([51]);
  for (let i = 1; i <= 1500; i++) await broker.publish('small', '1');
  expect((await broker.history('small', 0)).messages).toHaveLength(1000);
});
