import { expect, test, vi } from 'vitest';
import { memoryBroker } from './memory-broker.js';

test('history replays the last replayLimit messages however far the log is between trims', async () => {
  const broker = memoryBroker({ replayLimit: 10 });
  for (let i = 1; i <= 35; i++) await broker.publish('c', String(i));
  // 35 published, limit 10: a resume from 0 gets 26…35, the caller sees the gap 1…25.
  const fromStart = await broker.history('c', 0);
  expect(fromStart.head).toBe(35);
  expect(fromStart.messages.map((m) => m.seq)).toEqual([26, 27, 28, 29, 30, 31, 32, 33, 34, 35]);
  expect((await broker.history('c', 33)).messages.map((m) => m.data)).toEqual(['34', '35']);
  expect((await broker.history('c', null)).messages.map((m) => m.seq)).toEqual([35]);
  expect((await broker.history('c', 35)).messages).toEqual([]);
});

test('replay is bounded in bytes per channel: big messages keep fewer, the latest always; a resume before them is a gap', async () => {
  const broker = memoryBroker({ replayLimit: 1000, replayBytes: 10_000 });
  const big = 'x'.repeat(3000);
  for (let i = 1; i <= 50; i++) await broker.publish('c', JSON.stringify(big + i));
  const kept = (await broker.history('c', 0)).messages;
  expect(kept.map((m) => m.seq)).toEqual([48, 49, 50]);
  expect(broker.bytes()).toBeLessThanOrEqual(10_000);
  // One message larger than the bound is still the channel's latest value.
  await broker.publish('c', JSON.stringify('y'.repeat(20_000)));
  expect((await broker.history('c', null)).messages.map((m) => m.seq)).toEqual([51]);
  expect((await broker.history('c', 0)).messages.map((m) => m.seq)).toEqual([51]);
});

test('replay is bounded in bytes across channels: the oldest messages anywhere go first', async () => {
  const broker = memoryBroker({ replayLimit: 1000, replayBytes: 1_000_000, maxReplayBytes: 50_000 });
  const data = JSON.stringify('z'.repeat(1000));
  for (let round = 1; round <= 40; round++)
    for (const channel of ['a', 'b', 'c']) await broker.publish(channel, data);
  expect(broker.bytes()).toBeLessThanOrEqual(50_000);
  for (const channel of ['a', 'b', 'c']) {
    const kept = (await broker.history(channel, 0)).messages.map((m) => m.seq);
    expect(kept.at(-1)).toBe(40);
    expect(kept.length).toBeGreaterThanOrEqual(15);
  }
  // Many channels: the bound holds over all, oldest first, latest values included; a channel keeps its numbering.
  for (let i = 0; i < 200; i++) await broker.publish(`many-${i}`, data);
  expect(broker.bytes()).toBeLessThanOrEqual(50_000);
  expect((await broker.history('many-199', null)).messages).toHaveLength(1);
  expect(await broker.history('many-0', null)).toEqual({ head: 1, messages: [] });
});

test('a channel nobody listens to and nobody publishes on is forgotten after idleChannelMs; a listened one is kept', async () => {
  const broker = memoryBroker({ idleChannelMs: 50 });
  const stops = [];
  for (let i = 0; i < 1000; i++) {
    stops.push(
      await broker.listen(
        `tmp-${i}`,
        () => {},
        () => {},
      ),
    );
    await broker.publish(`tmp-${i}`, '1');
  }
  const held = await broker.listen(
    'held',
    () => {},
    () => {},
  );
  await broker.publish('held', '1');
  for (const stop of stops) await stop();
  await vi.waitFor(() => expect(Object.keys(broker.heads())).toEqual(['held']), { timeout: 2000 });
  expect(broker.bytes()).toBe(1);
  // Forgotten means numbered anew: a client resuming it later is told (a `subscribed` below its number).
  expect(await broker.history('tmp-0', 0)).toEqual({ head: 0, messages: [] });
  await held();
  await broker.close();
});

test('a channel never published on is forgotten with its last listener', async () => {
  const broker = memoryBroker();
  const stops = [];
  for (let i = 0; i < 1000; i++)
    stops.push(
      await broker.listen(
        `empty-${i}`,
        () => {},
        () => {},
      ),
    );
  expect(Object.keys(broker.heads())).toHaveLength(1000);
  for (const stop of stops) await stop();
  expect(broker.heads()).toEqual({});
  await broker.close();
});
