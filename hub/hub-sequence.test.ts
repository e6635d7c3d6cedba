import { expect, test } from 'vitest';
import { hubHarness } from '../test/hub-harness.js';

const subscribe = (channel: string) => ({ channel, last: true, after: null });
const message = (channel: string, seq: unknown, data: unknown = seq) => ({
  type: 'message',
  channel,
  seq,
  data,
});

test('a sequence number that is not a whole number from 1 to 2^53−2 is a reported protocol error; the channel goes on', async () => {
  const { hub, tab, open, receive, socket, clock, sockets } = hubHarness();
  const a = tab();
  await open();
  a.session.subscribe(subscribe('A'));
  await receive(message('A', 1));
  for (const bad of [2 ** 53 - 1, 2 ** 53 + 2, 2.5, -3, '4', null])
    await receive(message('A', bad, 'poison'));
  await receive(message('A', 2));
  expect(a.channelMessages()).toEqual(['A:1', 'A:2']);
  // A burst is reported once per channel (the unreadable ones once for the connection), every one counted.
  const errors = a.ofType('error');
  expect(errors).toHaveLength(2);
  expect(errors[0]!.error).toMatchObject({
    code: 'protocol-error',
    message: expect.stringContaining(
      'channel "A": sequence number 9007199254740991 is not a whole number from 1 to',
    ),
  });
  expect(hub.stats()).toMatchObject({ protocolErrors: 6, state: 'open' });
  // The next one after the interval is reported, with the count of those only counted.
  await clock.advance(5000);
  await receive(message('A', 2.5, 'poison'));
  expect(a.ofType('error')).toHaveLength(3);
  expect(a.ofType('error')[2]!.error.message).toContain(
    '(and 4 more before it, counted in stats.protocolErrors)',
  );
  // A resume asks for what follows the last good number, not the poison.
  socket().drop(1012);
  await clock.advance(1000);
  await open();
  expect(sockets()[1]!.sentOfType('resume')).toEqual([{ type: 'resume', channel: 'A', after: 2 }]);
});

test('a subscribed head that is not a sequence number is a protocol error, and changes nothing', async () => {
  const { hub, tab, open, receive } = hubHarness();
  const a = tab();
  await open();
  a.session.subscribe(subscribe('A'));
  await receive(message('A', 3));
  await receive({ type: 'subscribed', channel: 'A', seq: 1e300 });
  await receive(message('A', 4));
  expect(a.channelMessages()).toEqual(['A:3', 'A:4']);
  expect(a.ofType('gap')).toEqual([]);
  expect(hub.stats().protocolErrors).toBe(1);
});

test('a server that restarts without its history: every tab of the channel is told, and the new numbers reach it', async () => {
  const { tab, open, receive, socket, clock } = hubHarness();
  const [old, late] = [tab(), tab()];
  await open();
  old.session.subscribe(subscribe('A'));
  await receive({ type: 'subscribed', channel: 'A', seq: 0 });
  for (let seq = 1; seq <= 5; seq++) await receive(message('A', seq));
  socket().drop(1012);
  await clock.advance(1000);
  await open();
  // The new server counts from nothing: its head is 0, below the 5 the hub saw.
  await receive({ type: 'subscribed', channel: 'A', seq: 0 });
  await receive(message('A', 1, 'new one'));
  late.session.subscribe(subscribe('A'));
  await receive(message('A', 2, 'new two'));
  expect(old.ofType('reset')).toEqual([{ type: 'reset', channel: 'A', seq: 0 }]);
  expect(old.channelMessages()).toEqual(['A:1', 'A:2', 'A:3', 'A:4', 'A:5', 'A:1', 'A:2']);
  // The late tab gets the new history's latest, not the old one's.
  expect(late.ofType('channel').map((run) => [run.seq, run.messages])).toEqual([
    [1, ['new one']],
    [2, ['new two']],
  ]);
  expect(old.ofType('gap')).toEqual([]);
});
