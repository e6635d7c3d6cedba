import { describe, expect, test } from 'vitest';
import { hubHarness } from '../test/hub-harness.js';
import { jsonCodec, type Codec } from './codec.js';
import type { WebSocketConstructor } from './environment.js';

describe('the socket', () => {
  test('opens with the first tab, not before', async () => {
    const { hub, sockets, tab, open, settle } = hubHarness();
    await settle();
    expect(sockets()).toHaveLength(0);
    expect(hub.stats().socket).toBe('none');
    const first = tab();
    await open();
    expect(sockets()).toHaveLength(1);
    expect(first.states()).toEqual(['connecting', 'open']);
    expect(hub.stats()).toMatchObject({ connections: 1, socket: 'open' });
  });

  test('is shared: a tab attaching while it is open gets status open and no new socket', async () => {
    const { tab, open, sockets } = hubHarness();
    tab();
    await open();
    expect(tab().status.state).toBe('open');
    expect(sockets()).toHaveLength(1);
  });

  test('closes lingerMs after the last tab leaves, not before', async () => {
    const { hub, tab, open, socket, clock } = hubHarness({ lingerMs: 300 });
    const tabs = [tab(), tab()];
    await open();
    for (const each of tabs) each.session.detach();
    await clock.advance(299);
    expect(socket().closedWith).toBeNull();
    await clock.advance(1);
    expect(socket().closedWith).toEqual({ code: 1000, reason: 'no tabs left' });
    expect(hub.stats()).toMatchObject({ state: 'closed', socket: 'none', tabs: 0 });
  });

  test('a tab attaching during the linger keeps the socket', async () => {
    const { tab, open, socket, sockets, clock } = hubHarness({ lingerMs: 100 });
    tab().session.detach();
    await open();
    await clock.advance(50);
    tab();
    await clock.advance(1000);
    expect(socket().closedWith).toBeNull();
    expect(sockets()).toHaveLength(1);
  });

  test('a URL the WebSocket refuses to open (a blocked port, say) fails the hub with the reason', async () => {
    const Blocked = class {
      constructor(url: string) {
        throw new DOMException(
          `Failed to construct 'WebSocket': The port 25 is not allowed (${url})`,
          'SecurityError',
        );
      }
    } as unknown as WebSocketConstructor;
    const { hub, tab, settle } = hubHarness(
      { url: 'ws://server.test:25/' },
      { environment: { WebSocket: Blocked } },
    );
    const first = tab();
    await settle();
    expect(hub.stats().state).toBe('failed');
    expect(first.ofType('status').at(-1)?.status.reason).toContain('cannot open ws://server.test:25/');
  });

  test('a configuration that breaks the rules is refused before anything starts', () => {
    expect(() => hubHarness({ url: 'not a url' })).toThrow(/`url` must be an absolute ws: or wss: URL/);
  });
});

describe('server messages', () => {
  test('reach every tab, in order, in batches', async () => {
    const { hub, tab, open, socket, settle } = hubHarness();
    const tabs = [tab(), tab(), tab()];
    await open();
    for (let n = 0; n < 200; n++) socket().receive({ n });
    await settle();
    const expected = Array.from({ length: 200 }, (_, n) => ({ n }));
    for (const each of tabs) {
      expect(each.messages()).toEqual(expected);
      expect(each.batches).toBeLessThan(10);
    }
    expect(hub.stats()).toMatchObject({ messagesIn: 200, tabs: 3, connections: 1 });
  });

  test('a frame that cannot be decoded is an error event for every tab, counted, and the hub carries on', async () => {
    const { hub, tab, open, socket, settle } = hubHarness();
    const first = tab();
    await open();
    socket().receiveRaw('{oops');
    socket().receive({ fine: true });
    await settle();
    expect(first.messages()).toEqual([{ fine: true }]);
    expect(first.ofType('error')).toEqual([
      { type: 'error', error: expect.objectContaining({ code: 'decode-failed', name: 'TabmuxError' }) },
    ]);
    expect(hub.stats()).toMatchObject({ decodeErrors: 1, messagesIn: 1, state: 'open' });
  });
});

describe('send', () => {
  test('before the socket opens it is queued, then goes out first, in order; after that at once', async () => {
    const { hub, tab, open, socket } = hubHarness();
    const { session } = tab();
    expect(session.send({ early: 1 })).toEqual({ outcome: 'queued' });
    expect(session.send({ early: 2 })).toEqual({ outcome: 'queued' });
    expect(hub.stats()).toMatchObject({ outboxMessages: 2, outboxBytes: 22 });
    await open();
    expect(session.send({ hello: 'server' })).toEqual({ outcome: 'sent' });
    expect(socket().sent).toEqual([{ early: 1 }, { early: 2 }, { hello: 'server' }]);
    expect(hub.stats()).toMatchObject({ messagesOut: 3, outboxMessages: 0, outboxBytes: 0 });
  });

  test('with the outbox off, a send before the socket opens is refused with the reason', () => {
    const { tab } = hubHarness({ outbox: { maxMessages: 0, maxBytes: 0 } });
    expect(tab().session.send(1)).toMatchObject({ outcome: 'refused', reason: 'not-open' });
  });

  test('refuses what cannot be encoded and what is too large, and carries on', async () => {
    const { hub, tab, open, socket } = hubHarness({ maxMessageBytes: 64 });
    const { session } = tab();
    await open();
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const data of [cyclic, undefined, 10n])
      expect(session.send(data)).toMatchObject({ outcome: 'refused', reason: 'not-encodable' });
    // 40 two-byte characters: 82 bytes of JSON, over the limit of 64.
    expect(session.send('é'.repeat(40))).toMatchObject({ outcome: 'refused', reason: 'too-large' });
    expect(session.send('é'.repeat(20))).toEqual({ outcome: 'sent' });
    expect(socket().sent).toEqual(['é'.repeat(20)]);
    expect(hub.stats()).toMatchObject({ messagesOut: 1, badRequests: 0, state: 'open' });
  });

  test('a tab that left is refused with closed; leaving twice is harmless', async () => {
    const { tab, open } = hubHarness();
    const { session } = tab();
    await open();
    session.detach();
    expect(() => session.detach()).not.toThrow();
    expect(session.send(1)).toMatchObject({ outcome: 'refused', reason: 'closed' });
    expect(session.publish('A', 1)).toMatchObject({ outcome: 'refused', reason: 'closed' });
  });
});

test('a control frame the codec cannot encode is reported as encode-failed, not as a bad request of a tab', async () => {
  const codec: Codec = {
    encode(message) {
      if ((message as { type?: unknown }).type === 'subscribe')
        throw new Error('this codec has no subscribe');
      return jsonCodec.encode(message);
    },
    decode: jsonCodec.decode,
  };
  const { hub, tab, open, settle } = hubHarness({}, { codec });
  const first = tab();
  await open();
  first.session.subscribe({ channel: 'A', last: true, after: null });
  await settle();
  expect(first.ofType('error')).toMatchObject([
    {
      error: {
        code: 'encode-failed',
        message: 'a control message could not be encoded: this codec has no subscribe',
      },
    },
  ]);
  expect(hub.stats()).toMatchObject({ badRequests: 0, state: 'open' });
});

test('a channel name over 16,384 characters is refused at the call and never reaches the server', async () => {
  const { hub, tab, open, socket } = hubHarness();
  const { session } = tab();
  await open();
  const huge = 'x'.repeat(5 * 1024 * 1024);
  expect(() => session.subscribe({ channel: huge, last: true, after: null })).toThrow(
    expect.objectContaining({
      code: 'bad-request',
      message: expect.stringContaining('at most 16384 characters'),
    }),
  );
  expect(() => session.publish(huge, 1)).toThrow(expect.objectContaining({ code: 'bad-request' }));
  expect(socket().sent).toEqual([]);
  expect(hub.stats().badRequests).toBe(2);
});

test('every frame the hub builds is held to maxMessageBytes: an oversized one is reported, not sent', async () => {
  const { tab, open, socket, settle, clock } = hubHarness({
    maxMessageBytes: 64,
    heartbeat: {
      interval: 1000,
      timeout: 500,
      ping: { type: 'ping', pad: 'p'.repeat(100) },
      pong: { type: 'pong' },
    },
  });
  const first = tab();
  await open();
  first.session.subscribe({ channel: 'c'.repeat(100), last: true, after: null });
  await clock.advance(1000);
  await settle();
  expect(socket().sent).toEqual([]);
  expect(first.ofType('error').map((event) => event.error.message)).toEqual([
    expect.stringMatching(/a subscribe frame of \d+ bytes is over maxMessageBytes \(64\)/),
    expect.stringMatching(/the ping frame of \d+ bytes is over maxMessageBytes \(64\)/),
  ]);
});
