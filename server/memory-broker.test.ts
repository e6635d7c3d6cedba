import { expect, test } from 'vitest';
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
