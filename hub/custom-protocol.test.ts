import { expect, test } from 'vitest';
import { FakeWebSocket } from '../test/fake-time.js';
import { hubHarness } from '../test/hub-harness.js';
import { topicsProtocol } from '../test/topics-protocol.js';

/** A server with other conventions than tabmux's: `action`/`event`, `topic`, `version`, `ref`. */
function topicsServer() {
  let version = 0;
  FakeWebSocket.server = (raw, socket) => {
    const m = raw as Record<string, unknown>;
    if (m['action'] === 'login') socket.receive({ event: m['token'] === 'ok' ? 'logged-in' : 'nope' });
    if (m['action'] === 'sub') socket.receive({ event: 'subbed', topic: m['topic'], version });
    if (m['action'] === 'pub')
      socket.receive({ event: 'update', topic: m['topic'], version: ++version, payload: m['payload'] });
    if (m['action'] === 'call')
      socket.receive({ event: 'result', ref: m['ref'], ok: m['args'] !== 'fail', value: 42, error: 'no' });
  };
}

test('a hub speaks another server’s conventions through one protocol object: auth, channels, requests', async () => {
  const { hub, tab, open, socket, settle } = hubHarness(
    { heartbeat: { interval: 0, timeout: 1, ping: { action: 'ping' }, pong: { event: 'pong' } } },
    { protocol: topicsProtocol },
  );
  topicsServer();
  const { session, ...recorded } = tab({ auth: () => 'ok' });
  await open();
  expect(hub.stats().state).toBe('open');
  session.subscribe({ channel: 'prices', last: true, after: null });
  expect(session.publish('prices', { eur: 1.1 })).toEqual({ outcome: 'sent' });
  expect(session.request('q1', 'answer?')).toEqual({ outcome: 'sent' });
  expect(session.request('q2', 'fail')).toEqual({ outcome: 'sent' });
  await settle();
  expect(recorded.ofType('channel')).toEqual([
    { type: 'channel', channel: 'prices', seq: 1, messages: [{ eur: 1.1 }] },
  ]);
  expect(recorded.ofType('reply')).toEqual([{ type: 'reply', requestId: 'q1', data: 42 }]);
  expect(recorded.ofType('reply-error')).toMatchObject([{ requestId: 'q2', error: { message: 'no' } }]);
  expect(socket().sent.slice(0, 3)).toEqual([
    { action: 'login', token: 'ok' },
    { action: 'sub', topic: 'prices' },
    { action: 'pub', topic: 'prices', payload: { eur: 1.1 } },
  ]);
});
