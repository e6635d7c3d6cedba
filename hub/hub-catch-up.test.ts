// Tabs that come back or fall behind: the channel buffer, the wait for a tab that stops reading, and the catch-up.
import { expect, test } from 'vitest';
import { hubHarness } from '../test/hub-harness.js';
import { recordingSink } from '../test/helpers.js';
import type { ReadLimits } from './read-credit.js';
import type { HubEvent } from '../protocol/session-types.js';

const subscribe = (channel: string, after: number | null = null) => ({ channel, last: true, after });
const message = (channel: string, seq: number | null) => ({ type: 'message', channel, seq, data: seq });

test('a tab back from the back/forward cache gets what it missed of a channel other tabs kept, from the buffer', async () => {
  const { tab, open, receive, settle, socket } = hubHarness({ channelBuffer: 100 });
  const [stays, away] = [tab(), tab()];
  await open();
  stays.session.subscribe(subscribe('A'));
  away.session.subscribe(subscribe('A'));
  await receive(message('A', 1));
  await settle();
  // The page goes into the cache: it leaves the hub, remembering it saw 1.
  away.session.detach();
  for (let seq = 2; seq <= 40; seq++) await receive(message('A', seq));
  const back = tab();
  back.session.subscribe(subscribe('A', 1));
  await settle();
  const seqs = back.ofType('channel').flatMap((e) => e.messages);
  expect(seqs).toEqual(Array.from({ length: 39 }, (_, i) => i + 2));
  expect(back.ofType('gap')).toEqual([]);
  expect(socket().sentOfType('subscribe')).toHaveLength(1);
});

test('past the buffer, the returning tab gets one gap naming what fell out, then the rest', async () => {
  const { tab, open, receive, settle } = hubHarness({ channelBuffer: 10 });
  const stays = tab();
  await open();
  stays.session.subscribe(subscribe('A'));
  for (let seq = 1; seq <= 50; seq++) await receive(message('A', seq));
  const back = tab();
  back.session.subscribe(subscribe('A', 5));
  await settle();
  expect(back.ofType('gap')).toEqual([{ type: 'gap', channel: 'A', from: 6, to: 40 }]);
  expect(back.ofType('channel').flatMap((e) => e.messages)).toEqual(
    Array.from({ length: 10 }, (_, i) => i + 41),
  );
});

const LIMITS: ReadLimits = {
  askEveryItems: 4,
  askEveryBatches: 2,
  maxUnreadItems: 10,
  maxUnreadBatches: 100,
};

/** A tab whose sink records batches and acknowledges only when told to. */
function readingTab(hub: ReturnType<typeof hubHarness>['hub']) {
  const recorder = recordingSink();
  const batches: HubEvent[][] = [];
  const { session, read } = hub.attach(
    (batch) => {
      batches.push(batch);
      recorder.sink(batch);
    },
    {},
    { acknowledges: true },
  );
  return {
    ...recorder,
    session,
    batches,
    /** Acknowledges every `ack` it was sent, as a tab that reads does. */
    readAll() {
      for (const batch of batches.splice(0)) {
        const last = batch.at(-1);
        if (last?.type === 'ack') read(last.upTo);
      }
    },
  };
}

test('a tab that stops reading is waited for past the limit; reading again, it catches up with one gap per channel', async () => {
  const harness = hubHarness({ channelBuffer: 5 }, { readLimits: LIMITS });
  const { hub, open, receive, settle } = harness;
  const frozen = readingTab(hub);
  const reading = readingTab(hub);
  await open();
  frozen.session.subscribe(subscribe('A'));
  frozen.session.subscribe(subscribe('B'));
  reading.session.subscribe(subscribe('A'));
  for (let seq = 1; seq <= 100; seq++) {
    await receive(message('A', seq));
    await receive(message('B', seq));
    reading.readAll();
  }
  await settle();
  const posted = (tab: typeof frozen) =>
    tab.ofType('channel').flatMap((e) => e.messages.map(() => e.channel));
  // The frozen tab was posted at most the limit (and a batch) before the hub stopped.
  expect(posted(frozen).length).toBeLessThanOrEqual(LIMITS.maxUnreadItems + 2);
  expect(posted(reading)).toHaveLength(100);
  const before = frozen.events.length;
  frozen.readAll();
  await settle();
  const after = frozen.events.slice(before);
  const byChannel = (a: { channel: string }, b: { channel: string }) => a.channel.localeCompare(b.channel);
  expect(after.flatMap((e) => (e.type === 'gap' ? [e] : [])).sort(byChannel)).toEqual([
    { type: 'gap', channel: 'A', from: expect.any(Number), to: 95 },
    { type: 'gap', channel: 'B', from: expect.any(Number), to: 95 },
  ]);
  const caughtUp = after.flatMap((e) =>
    e.type === 'channel' ? e.messages.map((m) => `${e.channel}${m}`) : [],
  );
  expect(caughtUp.sort()).toEqual(['A100', 'A96', 'A97', 'A98', 'A99', 'B100', 'B96', 'B97', 'B98', 'B99']);
  // Every number reached the tab once: before the wait, in a gap, or caught up.
  for (const channel of ['A', 'B']) {
    const gap = after.find((e) => e.type === 'gap' && e.channel === channel) as { from: number; to: number };
    const got = frozen
      .ofType('channel')
      .filter((e) => e.channel === channel)
      .flatMap((e) => e.messages);
    expect([
      ...got.filter((n) => (n as number) < gap.from),
      ...range(gap.from, gap.to),
      ...got.slice(-5),
    ]).toEqual(range(1, 100));
  }
  // It reads on: live messages flow once more (a catch-up larger than the limit is one more wait, no loss).
  frozen.readAll();
  await receive(message('A', 101));
  frozen.readAll();
  await settle();
  expect(frozen.ofType('channel').at(-1)).toMatchObject({ channel: 'A', messages: [101] });
  expect(frozen.ofType('gap')).toHaveLength(2);
});

test('events other than channel messages are held for a waited-for tab: the latest status, every reply', async () => {
  const { hub, open, receive, settle, socket } = hubHarness({ channelBuffer: 5 }, { readLimits: LIMITS });
  const frozen = readingTab(hub);
  await open();
  frozen.session.subscribe(subscribe('A'));
  for (let seq = 1; seq <= 20; seq++) await receive(message('A', seq));
  expect(frozen.session.request('r1', 'q')).toEqual({ outcome: 'sent' });
  const { id } = socket().sentOfType('request')[0] as { id: string };
  await receive({ type: 'reply', id, data: 'answer' });
  const before = frozen.events.length;
  await settle();
  expect(frozen.events.length).toBe(before);
  frozen.readAll();
  await settle();
  expect(frozen.ofType('reply')).toEqual([{ type: 'reply', requestId: 'r1', data: 'answer' }]);
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
