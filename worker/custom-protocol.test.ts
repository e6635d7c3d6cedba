import { afterEach, beforeEach, expect, test } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { NodeWebSocket, recordingSink, testConfig, until } from '../test/helpers.js';
import { topicsProtocol } from '../test/topics-protocol.js';
import { createHub, type Hub } from './hub.js';

// A server with other conventions than tabmux's: `action`/`event`, `topic`, `version`, `ref`.
let wss: WebSocketServer;
let url: string;
let hub: Hub;
const seen: unknown[] = [];

beforeEach(async () => {
  seen.length = 0;
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
  let version = 0;
  wss.on('connection', (socket: WebSocket) => {
    socket.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as Record<string, unknown>;
      seen.push(m);
      const say = (body: unknown) => socket.send(JSON.stringify(body));
      if (m['action'] === 'login') say({ event: m['token'] === 'ok' ? 'logged-in' : 'nope' });
      if (m['action'] === 'sub') say({ event: 'subbed', topic: m['topic'], version });
      if (m['action'] === 'pub')
        say({ event: 'update', topic: m['topic'], version: ++version, payload: m['payload'] });
      if (m['action'] === 'call')
        say({ event: 'result', ref: m['ref'], ok: m['args'] !== 'fail', value: 42, error: 'no' });
    });
  });
  hub = createHub(
    testConfig({
      url,
      heartbeat: { interval: 0, timeout: 1, ping: { action: 'ping' }, pong: { event: 'pong' } },
    }),
    { environment: { WebSocket: NodeWebSocket }, protocol: topicsProtocol },
  );
});
afterEach(async () => {
  hub.dispose();
  await new Promise((resolve) => wss.close(resolve));
});

test('a hub speaks another server’s conventions through one protocol object: auth, channels, requests', async () => {
  const tab = recordingSink();
  const { tabId } = hub.attach(tab.sink, () => 'ok');
  await until(() => hub.stats().state === 'open');
  hub.subscribe(tabId, { channel: 'prices', last: true, after: null });
  expect(hub.publish(tabId, 'prices', { eur: 1.1 })).toEqual({ outcome: 'sent' });
  expect(hub.request(tabId, 'q1', 'answer?')).toEqual({ outcome: 'sent' });
  expect(hub.request(tabId, 'q2', 'fail')).toEqual({ outcome: 'sent' });
  await until(() => tab.events.filter((e) => e.type === 'reply' || e.type === 'reply-error').length === 2);
  expect(tab.events.filter((e) => e.type === 'channel')).toEqual([
    { type: 'channel', channel: 'prices', seq: 1, messages: [{ eur: 1.1 }] },
  ]);
  expect(tab.events.find((e) => e.type === 'reply')).toEqual({ type: 'reply', requestId: 'q1', data: 42 });
  expect(tab.events.find((e) => e.type === 'reply-error')).toMatchObject({
    requestId: 'q2',
    error: { message: 'no' },
  });
  expect(seen.slice(0, 3)).toEqual([
    { action: 'login', token: 'ok' },
    { action: 'sub', topic: 'prices' },
    { action: 'pub', topic: 'prices', payload: { eur: 1.1 } },
  ]);
});
