import { expect, test } from 'vitest';
import { createSubscriptions, type ChannelHandler } from './subscriptions.js';

const noErrors = (error: unknown) => {
  throw error;
};

test('a handler added twice is called once; a number already seen is dropped', () => {
  const subscriptions = createSubscriptions(noErrors);
  const seen: unknown[] = [];
  const handler: ChannelHandler = (data) => seen.push(data);
  expect(subscriptions.add('A', handler, {}).first).toBe(true);
  expect(subscriptions.add('A', handler, { last: false }).first).toBe(false);
  subscriptions.deliver('A', 1, 'one');
  subscriptions.deliver('A', 1, 'one again');
  subscriptions.deliver('A', 2, 'two');
  expect(seen).toEqual(['one', 'two']);
});

test('a handler removed by an earlier one during a message is not called; the last removal says so', () => {
  const subscriptions = createSubscriptions(noErrors);
  const calls: string[] = [];
  const second: ChannelHandler = () => calls.push('second');
  const first: ChannelHandler = () => {
    calls.push('first');
    expect(subscriptions.remove('A', second, ofSecond)).toBe(false);
  };
  const ofFirst = subscriptions.add('A', first, {});
  const ofSecond = subscriptions.add('A', second, {});
  subscriptions.deliver('A', 1, 'x');
  expect(calls).toEqual(['first']);
  expect(subscriptions.remove('A', second, ofSecond)).toBe(false);
  expect(subscriptions.remove('A', first, ofFirst)).toBe(true);
  expect(subscriptions.has('A')).toBe(false);
});

test('a later handler of the same tab gets the latest message from here, on a microtask, unless it asks not to', async () => {
  const subscriptions = createSubscriptions(noErrors);
  subscriptions.add('A', () => {}, {});
  subscriptions.deliver('A', 7, 'latest');
  const late: [unknown, number | null][] = [];
  const none: unknown[] = [];
  subscriptions.add('A', (data, meta) => late.push([data, meta.seq]), {});
  subscriptions.add('A', (data) => none.push(data), { last: false });
  expect(late).toEqual([]);
  await Promise.resolve();
  expect(late).toEqual([['latest', 7]]);
  expect(none).toEqual([]);
  expect(subscriptions.requests()).toEqual([{ channel: 'A', last: true, after: 7 }]);
});

test('after a reset the new numbers are delivered, though they are below what this tab saw', () => {
  const subscriptions = createSubscriptions(noErrors);
  const seen: unknown[] = [];
  subscriptions.add('A', (data) => seen.push(data), {});
  for (let seq = 1; seq <= 5; seq++) subscriptions.deliver('A', seq, `old ${seq}`);
  expect(subscriptions.reset('A', 0)).toBe(true);
  subscriptions.deliver('A', 1, 'new 1');
  expect(seen.at(-1)).toBe('new 1');
  expect(subscriptions.requests()).toEqual([{ channel: 'A', last: true, after: 1 }]);
  expect(subscriptions.reset('B', 0)).toBe(false);
});

test('unnumbered messages are each delivered, and the latest of them still reaches a later handler', async () => {
  const subscriptions = createSubscriptions(noErrors);
  const seen: [unknown, number | null][] = [];
  subscriptions.add('A', (data, meta) => seen.push([data, meta.seq]), {});
  subscriptions.deliver('A', null, 'x');
  subscriptions.deliver('A', null, 'x');
  expect(seen).toEqual([
    ['x', null],
    ['x', null],
  ]);
  const late: unknown[] = [];
  subscriptions.add('A', (data) => late.push(data), {});
  await Promise.resolve();
  expect(late).toEqual(['x']);
  expect(subscriptions.requests()).toEqual([{ channel: 'A', last: true, after: null }]);
});

test('an end removes the channel and tells each onEnd once; an old unsubscribe leaves a new subscription alone', () => {
  const subscriptions = createSubscriptions(noErrors);
  const ends: string[] = [];
  const handler: ChannelHandler = () => {};
  const old = subscriptions.add('A', handler, { onEnd: (end) => ends.push(`1:${end.reason}`) });
  subscriptions.add('A', () => {}, { onEnd: (end) => ends.push(`2:${end.reason}`) });
  expect(subscriptions.end({ channel: 'A', reason: 'done', error: null })).toBe(true);
  expect(ends).toEqual(['1:done', '2:done']);
  expect(subscriptions.has('A')).toBe(false);
  expect(subscriptions.end({ channel: 'A', reason: 'again', error: null })).toBe(false);
  const again = subscriptions.add('A', handler, {});
  expect(again.first).toBe(true);
  expect(subscriptions.remove('A', handler, old)).toBe(false);
  expect(subscriptions.has('A')).toBe(true);
  expect(subscriptions.remove('A', handler, again)).toBe(true);
});
