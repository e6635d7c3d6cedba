import { expect, test, vi } from 'vitest';
import type { ChannelHandler, Client } from '../client/index.js';
import { follow, latestOf } from './channel-store.js';

/** A client whose subscriptions the test sees and feeds. */
function fakeClient() {
  const subscribed: { channel: string; handler: ChannelHandler; last: boolean; active: boolean }[] = [];
  const client = {
    subscribe(channel: string, handler: ChannelHandler, options: { last?: boolean } = {}) {
      const entry = { channel, handler, last: options.last !== false, active: true };
      subscribed.push(entry);
      return () => void (entry.active = false);
    },
  } as unknown as Client;
  const push = (channel: string, seq: number, data: unknown) => {
    for (const entry of subscribed)
      if (entry.active && entry.channel === channel) entry.handler(data, { channel, seq, last: false });
  };
  return { client, subscribed, push };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

test('follow, stop and follow again at once (StrictMode): one client subscription, never ended', async () => {
  const { client, subscribed } = fakeClient();
  const stop = follow(client, 'A', { listener: () => {} });
  stop();
  const stopAgain = follow(client, 'A', { listener: () => {} });
  await tick();
  expect(subscribed).toHaveLength(1);
  expect(subscribed[0]!.active).toBe(true);
  stopAgain();
  await tick();
  expect(subscribed[0]!.active).toBe(false);
});

test('many followers of a channel share one subscription; it ends a tick after the last leaves', async () => {
  const { client, subscribed, push } = fakeClient();
  const seen: unknown[] = [];
  const [first, second] = [vi.fn(), vi.fn()];
  const stops = [
    follow(client, 'A', { listener: first }),
    follow(client, 'A', { handler: (data) => seen.push(data) }),
    follow(client, 'A', { listener: second }),
  ];
  push('A', 1, 'one');
  expect(seen).toEqual(['one']);
  expect([first.mock.calls.length, second.mock.calls.length]).toEqual([1, 1]);
  expect(latestOf(client, 'A')).toEqual({ data: 'one', seq: 1 });
  const snapshot = latestOf(client, 'A');
  expect(latestOf(client, 'A')).toBe(snapshot);
  for (const stop of stops.slice(0, 2)) stop();
  await tick();
  expect(subscribed[0]!.active).toBe(true);
  stops[2]!();
  stops[2]!();
  await tick();
  expect(subscribed).toHaveLength(1);
  expect(subscribed[0]!.active).toBe(false);
  expect(latestOf(client, 'A')).toBeUndefined();
});

test('a handler that joins later gets the latest message at once, unless it asks not to', async () => {
  const { client, push } = fakeClient();
  follow(client, 'A', { listener: () => {} });
  push('A', 4, 'latest');
  const late: unknown[] = [];
  const none: unknown[] = [];
  follow(client, 'A', { handler: (data) => late.push(data) });
  follow(client, 'A', { handler: (data) => none.push(data) }, false);
  await Promise.resolve();
  expect(late).toEqual(['latest']);
  expect(none).toEqual([]);
});
