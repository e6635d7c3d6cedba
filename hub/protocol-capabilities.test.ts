import { expect, test } from 'vitest';
import { FakeWebSocket } from '../test/fake-time.js';
import { hubHarness } from '../test/hub-harness.js';
import { defaultProtocol, type WireProtocol } from './wire-protocol.js';
import type { ServerEvent } from './server-event.js';

/** A protocol with a handshake and a server that pings: `hello` → `welcome`, `ping` → `pong`, `done`/`fail` end channels. */
const handshaking: WireProtocol = {
  ...defaultProtocol,
  handshake: (token) => [{ type: 'hello', token }],
  parse(message): ServerEvent {
    const m = message as Record<string, unknown>;
    switch (m['type']) {
      case 'welcome':
        return { kind: 'ready' };
      case 'ping':
        return { kind: 'send', messages: [{ type: 'pong', n: m['n'] }] };
      case 'keep-alive':
        return { kind: 'ignore' };
      case 'item':
        return {
          kind: 'message',
          channel: String(m['channel']),
          seq: null,
          data: m['data'],
          ...(m['offset'] !== undefined && { cursor: m['offset'] as string }),
        };
      case 'done':
        return {
          kind: 'end',
          channel: String(m['channel']),
          reason: String(m['why']),
          failed: m['failed'] === true,
        };
      case 'kicked':
        return { kind: 'close', code: 4000, reason: 'kicked' };
    }
    return defaultProtocol.parse(message);
  },
  classifyClose: (code) => (code === 4000 ? 'fatal' : undefined),
};

const subscribe = (channel: string) => ({ channel, last: true, after: null });

test('the handshake goes first on every socket; the status turns open only when the server accepts it', async () => {
  const { tab, socket, receive, clock, hub } = hubHarness({}, { protocol: handshaking });
  const a = tab({ auth: () => 'secret' });
  a.session.subscribe(subscribe('A'));
  await clock.advance(0);
  socket().open();
  await clock.advance(0);
  expect(socket().sent).toEqual([{ type: 'hello', token: 'secret' }]);
  expect(hub.stats().state).toBe('connecting');
  // A server ping during the handshake is answered already.
  await receive({ type: 'ping', n: 1 });
  expect(socket().sent.at(-1)).toEqual({ type: 'pong', n: 1 });
  await receive({ type: 'welcome' });
  expect(hub.stats().state).toBe('open');
  expect(socket().sent.at(-1)).toEqual({ type: 'subscribe', channel: 'A' });
});

test('a handshake the server never accepts is abandoned at connectTimeout and tried again', async () => {
  const { socket, sockets, clock, hub, tab } = hubHarness(
    { reconnect: { ...hubHarness().hub.config.reconnect, connectTimeout: 2000 } },
    { protocol: handshaking },
  );
  tab();
  await clock.advance(0);
  socket().open();
  await clock.advance(1999);
  expect(hub.stats().state).toBe('connecting');
  await clock.advance(1);
  expect(hub.stats().state).toBe('reconnecting');
  expect(sockets()[0]!.live).toBe(false);
});

test('ignored frames reach nobody; other frames are counted and passed on', async () => {
  const { tab, open, receive, hub, settle } = hubHarness({}, { protocol: handshaking });
  const a = tab();
  await open();
  await receive({ type: 'welcome' });
  await receive({ type: 'keep-alive' });
  await receive({ type: 'news' });
  await settle();
  expect(a.messages()).toEqual([{ type: 'news' }]);
  expect(a.ofType('error')).toEqual([]);
  expect(hub.stats()).toMatchObject({ framesIn: 3, messagesIn: 1 });
});

test('a channel the server ends reaches its tabs once; the hub forgets it and a later subscribe starts anew', async () => {
  const { tab, open, receive, socket, hub, settle } = hubHarness({}, { protocol: handshaking });
  const a = tab();
  const b = tab();
  const c = tab();
  await open();
  await receive({ type: 'welcome' });
  a.session.subscribe(subscribe('A'));
  b.session.subscribe(subscribe('A'));
  await receive({ type: 'done', channel: 'A', why: 'no more', failed: false });
  await receive({ type: 'done', channel: 'B', why: 'never had it', failed: true });
  await settle();
  expect(a.ofType('end')).toEqual([{ type: 'end', channel: 'A', reason: 'no more', error: null }]);
  expect(b.ofType('end')).toHaveLength(1);
  expect(c.ofType('end')).toEqual([]);
  expect(hub.stats().channels).toBe(0);
  // B's late unsubscribe concerns a subscription the server already ended: nothing goes out.
  b.session.unsubscribe('A');
  expect(socket().sentOfType('unsubscribe')).toEqual([]);
  c.session.subscribe(subscribe('A'));
  expect(socket().sentOfType('subscribe')).toEqual([
    { type: 'subscribe', channel: 'A' },
    { type: 'subscribe', channel: 'A' },
  ]);
  await receive({ type: 'done', channel: 'A', why: 'refused', failed: true });
  await settle();
  expect(c.ofType('end')).toEqual([
    {
      type: 'end',
      channel: 'A',
      reason: 'refused',
      error: { name: 'TabmuxError', code: 'server-error', message: 'refused' },
    },
  ]);
});

test('unnumbered messages are all delivered, the latest reaches a joining tab, and a resume carries the cursor', async () => {
  const { tab, open, receive, socket, sockets, clock, settle } = hubHarness(
    {},
    {
      protocol: {
        ...handshaking,
        subscribe: (channel, after, cursor) => ({ type: 'sub', channel, after, cursor }),
      },
    },
  );
  const a = tab();
  await open();
  await receive({ type: 'welcome' });
  a.session.subscribe(subscribe('A'));
  await receive({ type: 'item', channel: 'A', data: 'x', offset: '0-1' });
  await receive({ type: 'item', channel: 'A', data: 'x', offset: '0-2' });
  const b = tab();
  b.session.subscribe(subscribe('A'));
  await settle();
  expect(a.channelMessages()).toEqual(['A:-', 'A:-']);
  expect(b.ofType('channel')).toEqual([
    { type: 'channel', channel: 'A', seq: null, messages: ['x'], last: true },
  ]);
  socket().drop(1012);
  await clock.advance(1000);
  await open();
  await receive({ type: 'welcome' });
  expect(sockets()[1]!.sentOfType('sub')).toEqual([
    { type: 'sub', channel: 'A', after: null, cursor: '0-2' },
  ]);
});

test('a text frame that is not JSON goes to parseText; without it, decode-failed is reported once per socket and each is counted', async () => {
  const withText = hubHarness(
    {},
    {
      protocol: {
        ...defaultProtocol,
        parseText: (text) => (text === 'hb' ? { kind: 'ignore' } : { kind: 'other', data: text }),
      },
    },
  );
  const a = withText.tab();
  await withText.open();
  withText.socket().receiveRaw('hb');
  withText.socket().receiveRaw('hello there');
  await withText.settle();
  expect(a.messages()).toEqual(['hello there']);
  expect(withText.hub.stats().decodeErrors).toBe(0);

  const plain = hubHarness();
  const b = plain.tab();
  await plain.open();
  for (let i = 0; i < 5; i++) plain.socket().receiveRaw('not json');
  await plain.receive({ type: 'message', channel: 'none', seq: 1, data: 1 });
  await plain.settle();
  const errors = b.ofType('error');
  expect(errors).toHaveLength(1);
  expect(errors[0]!.error).toMatchObject({
    code: 'decode-failed',
    message: expect.stringContaining('only counted'),
  });
  expect(plain.hub.stats()).toMatchObject({ decodeErrors: 5, state: 'open' });
  expect(b.messages()).toEqual([]);
  plain.socket().drop(1012);
  await plain.clock.advance(1000);
  await plain.open();
  plain.socket().receiveRaw('still not json');
  await plain.settle();
  expect(b.ofType('error').filter((e) => e.error.code === 'decode-failed')).toHaveLength(2);
});

test('a close inside the protocol is classified by the protocol: a fatal one is not retried', async () => {
  const { tab, open, receive, hub, sockets, clock } = hubHarness({}, { protocol: handshaking });
  tab();
  await open();
  await receive({ type: 'welcome' });
  await receive({ type: 'kicked' });
  expect(hub.stats().state).toBe('failed');
  expect(sockets()[0]!.closedWith).toEqual({ code: 4000, reason: 'kicked' });
  await clock.advance(60_000);
  expect(sockets()).toHaveLength(1);
});

test('with serverPings the hub sends no ping, answers the server, and closes after interval + timeout of silence', async () => {
  const { tab, open, receive, socket, sockets, clock, hub } = hubHarness(
    { heartbeat: { interval: 1000, timeout: 500, ping: { type: 'ping' }, pong: { type: 'pong' } } },
    { protocol: { ...handshaking, serverPings: true } },
  );
  tab();
  await open();
  await receive({ type: 'welcome' });
  for (let i = 0; i < 5; i++) {
    await clock.advance(1400);
    await receive({ type: 'ping', n: i });
  }
  expect(socket().sentOfType('ping')).toEqual([]);
  expect(socket().sentOfType('pong')).toHaveLength(5);
  expect(hub.stats().state).toBe('open');
  await clock.advance(1499);
  expect(hub.stats().state).toBe('open');
  await clock.advance(1);
  expect(hub.stats()).toMatchObject({ state: 'reconnecting', heartbeatTimeouts: 1 });
  expect(sockets()[0]!.closedWith?.code).toBe(4408);
});

test('the protocol names the URL and the subprotocols, unless the app gave its own', async () => {
  const protocol = { ...defaultProtocol, url: (url: string) => `${url}socket/`, subprotocols: ['v1.chat'] };
  const implicit = hubHarness({}, { protocol });
  implicit.tab();
  await implicit.settle();
  expect(FakeWebSocket.last).toMatchObject({ url: 'ws://server.test/socket/', protocols: ['v1.chat'] });
  const explicit = hubHarness({ protocols: ['mine'] }, { protocol });
  explicit.tab();
  await explicit.settle();
  expect(FakeWebSocket.last.protocols).toEqual(['mine']);
});

test('a builder that throws refuses that call only; the hub and the other calls carry on', async () => {
  const picky: WireProtocol = {
    ...defaultProtocol,
    publish(channel, data) {
      if (typeof data !== 'number') throw new TypeError('this server publishes numbers');
      return defaultProtocol.publish(channel, data);
    },
    subscribe(channel, after, cursor) {
      if (channel === 'bad') throw new TypeError('no such channel');
      return defaultProtocol.subscribe(channel, after, cursor);
    },
  };
  const { tab, open, settle, socket } = hubHarness({}, { protocol: picky });
  const a = tab();
  await open();
  expect(a.session.publish('A', 'text')).toEqual({
    outcome: 'refused',
    reason: 'not-encodable',
    message: 'this server publishes numbers',
  });
  expect(a.session.publish('A', 1)).toEqual({ outcome: 'sent' });
  a.session.subscribe(subscribe('bad'));
  await settle();
  expect(a.ofType('error')).toMatchObject([
    { error: { code: 'encode-failed', message: expect.stringContaining('no such channel') } },
  ]);
  expect(socket().sent).toEqual([{ type: 'publish', channel: 'A', data: 1 }]);
});
