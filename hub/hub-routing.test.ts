import { expect, test } from 'vitest';
import { hubHarness } from '../test/hub-harness.js';

const subscribe = (channel: string, after: number | null = null) => ({ channel, last: true, after });
const message = (channel: string, seq: number, data: unknown = seq) => ({
  type: 'message',
  channel,
  seq,
  data,
});

test('reference counts: one subscribe per channel, one unsubscribe when its last tab leaves (after channelLingerMs)', async () => {
  const { tab, open, socket, clock, hub } = hubHarness({ channelLingerMs: 500 });
  const [a, b, c] = [tab(), tab(), tab()];
  await open();
  a.session.subscribe(subscribe('A'));
  b.session.subscribe(subscribe('A'));
  c.session.subscribe(subscribe('B'));
  c.session.detach();
  a.session.unsubscribe('A');
  const frames = () =>
    socket().sent.map((m) => `${(m as { type: string }).type}:${(m as { channel: string }).channel}`);
  await clock.advance(499);
  expect(frames()).toEqual(['subscribe:A', 'subscribe:B']);
  expect(hub.stats().channels).toBe(2);
  await clock.advance(1);
  expect(frames()).toEqual(['subscribe:A', 'subscribe:B', 'unsubscribe:B']);
  expect(hub.stats().channels).toBe(1);
});

test('a channel whose last tab comes back within its linger costs the server nothing; the tab gets the latest at once', async () => {
  const { tab, open, socket, clock, receive, settle } = hubHarness({ channelLingerMs: 1000 });
  const a = tab();
  await open();
  a.session.subscribe(subscribe('A'));
  await receive(message('A', 1, 'x'));
  a.session.detach();
  await clock.advance(900);
  // The reloaded page: a new tab, knowing nothing.
  const b = tab();
  b.session.subscribe(subscribe('A'));
  await settle();
  expect(b.channelMessages()).toEqual(['A:1']);
  await clock.advance(5000);
  expect(socket().sent).toEqual([{ type: 'subscribe', channel: 'A' }]);
});

test('channel messages reach only the tabs subscribed to them; a reply only the tab that asked', async () => {
  const { tab, open, socket, receive } = hubHarness();
  const [a, b] = [tab(), tab()];
  await open();
  a.session.subscribe(subscribe('A'));
  expect(b.session.request('r1', 'question')).toEqual({ outcome: 'sent' });
  const { id } = socket().sentOfType('request')[0] as { id: string };
  await receive(message('A', 1, 'x'));
  await receive({ type: 'reply', id, data: { echo: 'question' } });
  expect(a.channelMessages()).toEqual(['A:1']);
  expect(b.channelMessages()).toEqual([]);
  expect(b.ofType('reply')).toEqual([{ type: 'reply', requestId: 'r1', data: { echo: 'question' } }]);
  expect(a.ofType('reply')).toEqual([]);
});

test("a session acts only for its own tab: it cannot cancel another tab's request of the same id", async () => {
  const { hub, tab, open, socket, receive } = hubHarness();
  const [a, b] = [tab(), tab()];
  await open();
  b.session.request('same', 'b asks');
  a.session.cancelRequest('same');
  expect(hub.stats().pendingRequests).toBe(1);
  await receive({
    type: 'reply',
    id: (socket().sentOfType('request')[0] as { id: string }).id,
    data: 'for b',
  });
  expect(b.ofType('reply')).toMatchObject([{ requestId: 'same', data: 'for b' }]);
});

test('the requests of a tab that leaves are dropped; their late replies are ignored and counted', async () => {
  const { hub, tab, open, socket, receive } = hubHarness();
  const a = tab();
  tab();
  await open();
  a.session.request('r1', 'q');
  expect(hub.stats().pendingRequests).toBe(1);
  a.session.detach();
  expect(hub.stats().pendingRequests).toBe(0);
  await receive({
    type: 'reply',
    id: (socket().sentOfType('request')[0] as { id: string }).id,
    data: 'late',
  });
  expect(hub.stats().unknownReplies).toBe(1);
});

test('a request sent on a socket that closes is rejected with connection-closed; a queued one survives', async () => {
  const { hub, tab, open, socket, settle } = hubHarness();
  const a = tab();
  await open();
  a.session.request('r1', 'q');
  socket().drop(1012);
  a.session.request('r2', 'q');
  await settle();
  expect(a.ofType('reply-error')).toMatchObject([{ requestId: 'r1', error: { code: 'connection-closed' } }]);
  expect(hub.stats()).toMatchObject({ pendingRequests: 1, outboxMessages: 1 });
});

test('after a reconnect the hub resumes every live channel from its last sequence number', async () => {
  const { tab, open, socket, receive, clock, sockets } = hubHarness();
  const a = tab();
  await open();
  a.session.subscribe(subscribe('A'));
  await receive({ type: 'subscribed', channel: 'A', seq: 0 });
  await receive(message('A', 1));
  await receive(message('A', 2));
  socket().drop(1012);
  // The first retry comes within initialDelay (1000 ms) under full jitter.
  await clock.advance(1000);
  expect(sockets()).toHaveLength(2);
  await open();
  expect(sockets()[1]!.sent).toEqual([{ type: 'resume', channel: 'A', after: 2 }]);
  await receive(message('A', 3));
  expect(a.channelMessages()).toEqual(['A:1', 'A:2', 'A:3']);
});

test('malformed calls throw a TypeError with code bad-request and are counted; the hub carries on', async () => {
  const { hub, tab, open } = hubHarness();
  const { session } = tab();
  await open();
  const attempts = [
    () => session.subscribe(subscribe('')),
    () => session.subscribe(null as never),
    () => session.subscribe({ channel: 'A', last: 'yes', after: null } as never),
    () => session.subscribe(subscribe('A', -1)),
    () => session.publish(7 as never, 'x'),
    () => session.request('', 'x'),
    () => session.network('maybe' as never),
  ];
  for (const attempt of attempts) expect(attempt).toThrow(expect.objectContaining({ code: 'bad-request' }));
  expect(hub.stats()).toMatchObject({ badRequests: attempts.length, state: 'open' });
  expect(session.publish('A', 'fine')).toEqual({ outcome: 'sent' });
});

test('a batch frame is routed message by message, in order, whatever their kinds', async () => {
  const { hub, tab, open, receive } = hubHarness();
  const a = tab();
  await open();
  a.session.subscribe(subscribe('A'));
  await receive({
    type: 'batch',
    messages: [message('A', 1, 'one'), { plain: true }, message('A', 2, 'two'), message('A', 2, 'two again')],
  });
  expect(a.channelMessages()).toEqual(['A:1', 'A:2']);
  expect(a.messages()).toEqual([{ plain: true }]);
  expect(hub.stats()).toMatchObject({ framesIn: 1, messagesIn: 4, duplicatesDropped: 1 });
});

test('consecutive messages of a channel reach a tab as one run; a new channel or a skipped number starts another', async () => {
  const { tab, open, receive } = hubHarness();
  const a = tab();
  await open();
  a.session.subscribe(subscribe('A'));
  a.session.subscribe(subscribe('B'));
  const frame = [1, 2, 3].map((seq) => message('A', seq));
  frame.push(message('B', 1), message('A', 4), message('A', 6), message('A', 7));
  await receive({ type: 'batch', messages: frame });
  const runs = a.ofType('channel').map(({ channel, seq, messages }) => ({ channel, seq, messages }));
  expect(runs).toEqual([
    { channel: 'A', seq: 1, messages: [1, 2, 3] },
    { channel: 'B', seq: 1, messages: [1] },
    { channel: 'A', seq: 4, messages: [4] },
    { channel: 'A', seq: 6, messages: [6, 7] },
  ]);
  expect(a.ofType('gap')).toMatchObject([{ channel: 'A', from: 5, to: 5 }]);
});

test('a tab joining a channel the hub has gets its latest message at once, without a server round trip', async () => {
  const { tab, open, socket, receive } = hubHarness();
  const [first, late, without] = [tab(), tab(), tab()];
  await open();
  first.session.subscribe(subscribe('A'));
  await receive(message('A', 1, 'old'));
  await receive(message('A', 2, 'latest'));
  late.session.subscribe(subscribe('A'));
  without.session.subscribe({ channel: 'A', last: false, after: null });
  await receive(message('A', 3, 'new'));
  // The latest comes alone, marked as such; the news after it in a run of its own.
  expect(late.ofType('channel').map((run) => [run.messages, run.last ?? false])).toEqual([
    [['latest'], true],
    [['new'], false],
  ]);
  expect(without.channelMessages()).toEqual(['A:3']);
  expect(socket().sentOfType('subscribe')).toHaveLength(1);
});

test("cancelling a request touches that request only: 50,000 pending of one tab cost another tab's calls nothing", async () => {
  const { hub, tab, open, socket, receive } = hubHarness({ outbox: { maxMessages: 0, maxBytes: 0 } });
  const [busy, other] = [tab(), tab()];
  await open();
  for (let i = 0; i < 50_000; i++) busy.session.request(`r${i}`, i);
  expect(hub.stats().pendingRequests).toBe(50_000);
  // A cancel that walked the pending requests would iterate a Map; none may.
  const iterations = [
    Map.prototype[Symbol.iterator],
    Map.prototype.entries,
    Map.prototype.values,
    Map.prototype.keys,
  ];
  let walked = 0;
  const originals = iterations.map((fn) => fn);
  for (const [i, name] of [Symbol.iterator, 'entries', 'values', 'keys'].entries())
    (Map.prototype as unknown as Record<PropertyKey, unknown>)[name] = function (
      this: Map<unknown, unknown>,
    ) {
      walked++;
      return originals[i]!.call(this);
    };
  try {
    for (let i = 0; i < 50_000; i++) busy.session.cancelRequest(`r${i}`);
  } finally {
    for (const [i, name] of [Symbol.iterator, 'entries', 'values', 'keys'].entries())
      (Map.prototype as unknown as Record<PropertyKey, unknown>)[name] = originals[i];
  }
  expect(walked).toBe(0);
  expect(hub.stats().pendingRequests).toBe(0);
  other.session.request('mine', 'q');
  const { id } = socket().sentOfType('request').at(-1) as { id: string };
  await receive({ type: 'reply', id, data: 'answered' });
  expect(other.ofType('reply')).toMatchObject([{ requestId: 'mine', data: 'answered' }]);
});

test('refusals the server codes `forbidden` reach the tabs with that code: an ended channel, a refused request, a refused publish', async () => {
  const { tab, open, socket, receive } = hubHarness();
  const a = tab();
  await open();
  a.session.subscribe(subscribe('user:u2'));
  a.session.request('r1', 'secret');
  const { id } = socket().sentOfType('request')[0] as { id: string };
  await receive({
    type: 'ended',
    channel: 'user:u2',
    reason: 'forbidden: no',
    failed: true,
    code: 'forbidden',
  });
  await receive({ type: 'error', id, code: 'forbidden', message: 'forbidden: staff only' });
  await receive({ type: 'error', channel: 'prices', code: 'forbidden', message: 'forbidden: read only' });
  expect(a.ofType('end')).toEqual([
    {
      type: 'end',
      channel: 'user:u2',
      reason: 'forbidden: no',
      error: { name: 'TabmuxError', code: 'forbidden', message: 'forbidden: no' },
    },
  ]);
  expect(a.ofType('reply-error')).toMatchObject([{ requestId: 'r1', error: { code: 'forbidden' } }]);
  expect(a.ofType('error')).toMatchObject([
    { error: { code: 'forbidden', message: 'the server reported: forbidden: read only' } },
  ]);
});

test('the latest message the server hands a new subscription (`last`) reaches the tabs that asked for it, marked; not one that subscribed with `last: false`', async () => {
  const { tab, open, receive } = hubHarness();
  const [wants, refuses] = [tab(), tab()];
  await open();
  wants.session.subscribe(subscribe('A'));
  refuses.session.subscribe({ channel: 'A', last: false, after: null });
  await receive({ ...message('A', 7, 'old'), last: true });
  await receive({ type: 'subscribed', channel: 'A', seq: 7 });
  await receive(message('A', 8, 'new'));
  expect(wants.ofType('channel')).toEqual([
    { type: 'channel', channel: 'A', seq: 7, messages: ['old'], last: true },
    { type: 'channel', channel: 'A', seq: 8, messages: ['new'] },
  ]);
  expect(refuses.ofType('channel')).toEqual([{ type: 'channel', channel: 'A', seq: 8, messages: ['new'] }]);
});

test('a batch frame nested 100,000 deep is a counted decode-failed, not an uncaught RangeError; the hub reads on (issue 26)', async () => {
  const { tab, open, socket, receive, hub } = hubHarness();
  const a = tab();
  await open();
  a.session.subscribe(subscribe('A'));
  const depth = 100_000;
  socket().receiveRaw(`${'{"type":"batch","messages":['.repeat(depth)}${']}'.repeat(depth)}`);
  await receive(message('A', 1, 'after'));
  expect(hub.stats().decodeErrors).toBe(1);
  expect(a.ofType('error')).toMatchObject([{ error: { code: 'decode-failed' } }]);
  expect(a.channelMessages()).toEqual(['A:1']);
  expect(hub.stats().state).toBe('open');
});
