import { expect, test } from 'vitest';
import { createChannels } from './channels.js';

test('the server is told of a channel for its first tab and its last, not in between', () => {
  const channels = createChannels<string>();
  expect(channels.add('A', 't1', null)).toBe(true);
  expect(channels.add('A', 't2', null)).toBe(false);
  expect(channels.add('A', 't2', null)).toBe(false); // the same tab again counts once
  expect(channels.remove('A', 't1')).toBe(false);
  expect(channels.remove('A', 't1')).toBe(false); // removing twice is harmless
  expect(channels.remove('A', 't2')).toBe(true);
  // Empty, it lingers until dropped; a tab coming back finds it subscribed.
  expect(channels.size).toBe(1);
  expect(channels.add('A', 't3', null)).toBe(false);
  expect(channels.drop('A')).toBe(false);
  channels.remove('A', 't3');
  expect(channels.drop('A')).toBe(true);
  expect(channels.size).toBe(0);
});

test('removing a tab that died empties exactly the channels it was alone in', () => {
  const channels = createChannels<string>();
  channels.add('A', 't1', null);
  channels.add('A', 't2', null);
  channels.add('B', 't2', null);
  channels.add('C', 't2', null);
  expect(channels.removeTab('t2').sort()).toEqual(['B', 'C']);
  expect([...channels.names()].filter((name) => channels.tabsOf(name).size > 0)).toEqual(['A']);
});

test('messages go to the channel’s tabs only; a channel nobody wants is unrouted', () => {
  const channels = createChannels<string>();
  channels.add('A', 't1', null);
  channels.add('A', 't2', null);
  channels.add('B', 't3', null);
  const arrival = channels.arrive('A', 1, 'x');
  expect(arrival).toEqual({ kind: 'deliver', tabs: new Set(['t1', 't2']), gap: null, n: 0 });
  expect(channels.arrive('nobody', 1, 'x')).toEqual({ kind: 'unrouted' });
});

test('duplicates (a replay overlapping what arrived) are dropped; a jump is a gap', () => {
  const channels = createChannels<string>();
  channels.add('A', 't1', null);
  expect(channels.arrive('A', 5, 'e').kind).toBe('deliver');
  expect(channels.arrive('A', 5, 'e')).toEqual({ kind: 'duplicate' });
  expect(channels.arrive('A', 3, 'c')).toEqual({ kind: 'duplicate' });
  expect(channels.arrive('A', 9, 'i')).toMatchObject({ kind: 'deliver', gap: { from: 6, to: 8 } });
  expect(channels.latest('A')).toEqual({ n: 1, seq: 9, data: 'i' });
});

test('a subscribe acknowledgement sets the resume point, and one past what we saw names the lost range', () => {
  const channels = createChannels<string>();
  channels.add('A', 't1', null);
  expect(channels.acknowledge('A', 40)).toBeNull();
  expect(channels.lastSeq('A')).toBe(40);
  expect(channels.acknowledge('A', 40)).toBeNull();
  expect(channels.acknowledge('A', 45)).toEqual({ gap: { from: 41, to: 45 } });
  // A head below what we saw: the server lost its history; counting starts again from its head.
  expect(channels.acknowledge('A', 2)).toEqual({ reset: true });
  expect(channels.arrive('A', 3, 'x')).toMatchObject({ kind: 'deliver', gap: null });
});

test('a tab moving from a lost hub seeds the resume point of a channel new to this hub', () => {
  const channels = createChannels<string>();
  channels.add('A', 't1', 17);
  expect(channels.lastSeq('A')).toBe(17);
  expect(channels.arrive('A', 17, 'old')).toEqual({ kind: 'duplicate' });
});

test('a catch-up after a sequence number replays what the buffer holds, after a gap for what fell out of it', () => {
  const channels = createChannels<string>(3);
  channels.add('A', 't1', null);
  for (let seq = 1; seq <= 6; seq++) channels.arrive('A', seq, `m${seq}`);
  expect(channels.catchUp('A', { afterSeq: 4 })).toEqual({
    messages: [
      { n: 4, seq: 5, data: 'm5' },
      { n: 5, seq: 6, data: 'm6' },
    ],
    gap: null,
    lost: 0,
  });
  expect(channels.catchUp('A', { afterSeq: 1 })).toMatchObject({ gap: { from: 2, to: 3 }, lost: 0 });
  expect(channels.catchUp('A', { afterSeq: 1 }).messages.map((m) => m.seq)).toEqual([4, 5, 6]);
  expect(channels.catchUp('A', { afterSeq: 6 })).toEqual({ messages: [], gap: null, lost: 0 });
});

test('unnumbered messages catch up by their place in the channel; what fell out is counted as lost', () => {
  const channels = createChannels<string>(2);
  channels.add('A', 't1', null);
  for (const data of ['a', 'b', 'c', 'd']) channels.arrive('A', null, data);
  expect(channels.catchUp('A', { n: 1 })).toEqual({
    messages: [
      { n: 2, seq: null, data: 'c' },
      { n: 3, seq: null, data: 'd' },
    ],
    gap: null,
    lost: 1,
  });
  expect(channels.catchUp('A', { n: 4 })).toEqual({ messages: [], gap: null, lost: 0 });
});

test('without a buffer only the latest is kept, and a catch-up is all gap', () => {
  const channels = createChannels<string>(0);
  channels.add('A', 't1', null);
  for (let seq = 1; seq <= 3; seq++) channels.arrive('A', seq, `m${seq}`);
  expect(channels.latest('A')).toMatchObject({ seq: 3 });
  expect(channels.catchUp('A', { afterSeq: 1 })).toEqual({ messages: [], gap: { from: 2, to: 3 }, lost: 0 });
});
