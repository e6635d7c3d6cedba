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
  expect(channels.size).toBe(0);
});

test('removing a tab that died empties exactly the channels it was alone in', () => {
  const channels = createChannels<string>();
  channels.add('A', 't1', null);
  channels.add('A', 't2', null);
  channels.add('B', 't2', null);
  channels.add('C', 't2', null);
  expect(channels.removeTab('t2').sort()).toEqual(['B', 'C']);
  expect([...channels.names()]).toEqual(['A']);
});

test('messages go to the channel’s tabs only; a channel nobody wants is unrouted', () => {
  const channels = createChannels<string>();
  channels.add('A', 't1', null);
  channels.add('A', 't2', null);
  channels.add('B', 't3', null);
  const arrival = channels.arrive('A', 1, 'x');
  expect(arrival).toEqual({ kind: 'deliver', tabs: new Set(['t1', 't2']), gap: null });
  expect(channels.arrive('nobody', 1, 'x')).toEqual({ kind: 'unrouted' });
});

test('duplicates (a replay overlapping what arrived) are dropped; a jump is a gap', () => {
  const channels = createChannels<string>();
  channels.add('A', 't1', null);
  expect(channels.arrive('A', 5, 'e').kind).toBe('deliver');
  expect(channels.arrive('A', 5, 'e')).toEqual({ kind: 'duplicate' });
  expect(channels.arrive('A', 3, 'c')).toEqual({ kind: 'duplicate' });
  expect(channels.arrive('A', 9, 'i')).toMatchObject({ kind: 'deliver', gap: { from: 6, to: 8 } });
  expect(channels.latest('A')).toEqual({ seq: 9, data: 'i' });
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
