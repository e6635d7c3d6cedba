import { expect, test } from 'vitest';
import { fakeClock } from '../test/fake-time.js';
import type { HubEvent } from '../protocol/session-types.js';
import { createBatcher, flushWindowMs, MAX_BATCH } from './tab-queue.js';

function setup(tabs = 1) {
  const clock = fakeClock();
  const batcher = createBatcher(
    { ...clock, queueMicrotask: (callback) => queueMicrotask(callback) },
    () => tabs,
  );
  const batches: HubEvent[][] = [];
  const queue = batcher.queue((batch) => batches.push(batch));
  return { clock, batcher, batches, queue };
}

test('a lone message leaves on a microtask, with no timer between it and the tab', async () => {
  const { batches, queue, clock } = setup();
  queue.message('A', 1, 'x');
  expect(batches).toEqual([]);
  await Promise.resolve();
  expect(batches).toEqual([[{ type: 'channel', channel: 'A', seq: 1, messages: ['x'] }]]);
  expect(clock.pending()).toBe(0);
});

test('under load (a flush in this very millisecond) the next batch waits for a task, to gather more', async () => {
  const { batches, queue, clock } = setup();
  queue.event({ type: 'message', data: 1 });
  await Promise.resolve();
  queue.event({ type: 'message', data: 2 });
  queue.event({ type: 'message', data: 3 });
  await Promise.resolve();
  expect(batches).toHaveLength(1);
  await clock.advance(0);
  expect(batches).toHaveLength(2);
  expect(batches[1]).toEqual([
    { type: 'message', data: 2 },
    { type: 'message', data: 3 },
  ]);
});

test('with many tabs, continuous traffic is posted at most once per window; a quiet spell goes out at once', async () => {
  expect([1, 4, 5, 8, 12, 16, 64].map(flushWindowMs)).toEqual([0, 0, 2, 2, 3, 4, 4]);
  const { batches, queue, clock } = setup(16);
  queue.message('A', 1, 'x');
  await Promise.resolve();
  expect(batches).toHaveLength(1);
  // 1 ms later: the window (4 ms for 16 tabs) is not over, so the next post waits for its end.
  await clock.advance(1);
  queue.message('A', 2, 'y');
  queue.message('A', 3, 'z');
  await clock.advance(2);
  expect(batches).toHaveLength(1);
  await clock.advance(1);
  expect(batches).toHaveLength(2);
  expect(batches[1]).toEqual([{ type: 'channel', channel: 'A', seq: 2, messages: ['y', 'z'] }]);
  // After a quiet spell longer than the window, a message leaves on a microtask again.
  await clock.advance(10);
  queue.message('A', 4, 'w');
  await Promise.resolve();
  expect(batches).toHaveLength(3);
});

test('consecutive numbers of a channel share a run; another event or a skipped number ends it', async () => {
  const { batches, queue } = setup();
  queue.message('A', 1, 'a1');
  queue.message('A', 2, 'a2');
  queue.event({ type: 'message', data: 'plain' });
  queue.message('A', 3, 'a3');
  queue.message('A', 5, 'a5');
  await Promise.resolve();
  expect(batches[0]).toEqual([
    { type: 'channel', channel: 'A', seq: 1, messages: ['a1', 'a2'] },
    { type: 'message', data: 'plain' },
    { type: 'channel', channel: 'A', seq: 3, messages: ['a3'] },
    { type: 'channel', channel: 'A', seq: 5, messages: ['a5'] },
  ]);
});

test(`a burst is posted every ${MAX_BATCH} messages, runs included, so no batch grows without bound`, async () => {
  const { batches, queue } = setup();
  for (let seq = 1; seq <= 1100; seq++) queue.message('A', seq, seq);
  await Promise.resolve();
  expect(
    batches.map((batch) => batch.map((event) => (event.type === 'channel' ? event.messages.length : 0))),
  ).toEqual([[512], [512], [76]]);
});

test('queues flush together, and a queue with nothing waiting posts nothing', async () => {
  const { batcher, clock } = setup();
  const posted: string[] = [];
  const a = batcher.queue(() => posted.push('a'));
  batcher.queue(() => posted.push('b'));
  const c = batcher.queue(() => posted.push('c'));
  a.message('A', 1, 1);
  c.message('A', 1, 1);
  await clock.advance(0);
  expect(posted).toEqual(['a', 'c']);
});

test('a message the sink cannot take is replaced by an error and a gap for its number; its neighbours go through', async () => {
  const { batcher } = setup();
  const posted: HubEvent[] = [];
  const poison = { cannot: 'be cloned' };
  const queue = batcher.queue((batch) => {
    // As postMessage does: the whole batch is refused when one value in it cannot be cloned.
    if (JSON.stringify(batch).includes('cannot'))
      throw new DOMException('could not be cloned', 'DataCloneError');
    posted.push(...batch);
  });
  queue.message('A', 1, 'one');
  queue.message('A', 2, poison);
  queue.message('A', 3, 'three');
  queue.event({ type: 'reply', requestId: 'r1', data: poison });
  queue.event({ type: 'message', data: 'plain' });
  await Promise.resolve();
  const runs = posted.flatMap((event) => (event.type === 'channel' ? event.messages : []));
  expect(runs).toEqual(['one', 'three']);
  expect(posted.filter((event) => event.type === 'gap')).toEqual([
    { type: 'gap', channel: 'A', from: 2, to: 2 },
  ]);
  expect(posted.filter((event) => event.type === 'error')).toMatchObject([
    { error: { code: 'undeliverable', message: expect.stringContaining('message 2 of channel "A"') } },
  ]);
  expect(posted.filter((event) => event.type === 'reply-error')).toMatchObject([
    { requestId: 'r1', error: { code: 'undeliverable' } },
  ]);
  expect(posted.filter((event) => event.type === 'message')).toEqual([{ type: 'message', data: 'plain' }]);
});
