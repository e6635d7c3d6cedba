import { afterEach, beforeEach, expect, test } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../demo/server/reference-server.js';
import { NodeWebSocket, recordingSink, testConfig, until } from '../test/helpers.js';
import { createHub, type Hub } from './hub.js';
import type { HubEvent } from './protocol.js';

let server: ReferenceServer;
let hub: Hub;

beforeEach(async () => {
  server = await startReferenceServer();
  hub = createHub(testConfig({ url: server.url }), { environment: { WebSocket: NodeWebSocket } });
});
afterEach(async () => {
  hub.dispose();
  await server.close();
});

const channelEvents = (events: HubEvent[]) =>
  events.flatMap((event) =>
    event.type === 'channel' ? event.messages.map((_, i) => `${event.channel}:${event.seq + i}`) : [],
  );

async function openTab() {
  const tab = recordingSink();
  const { tabId } = hub.attach(tab.sink);
  await until(() => hub.stats().state === 'open');
  return Object.assign(tab, { tabId }); // not a spread, which would freeze the `batches` getter
}

test('reference counts: one subscribe per channel, one unsubscribe when its last tab detaches', async () => {
  const [a, b, c] = [await openTab(), await openTab(), await openTab()];
  hub.subscribe(a.tabId, { channel: 'A', last: true, after: null });
  hub.subscribe(b.tabId, { channel: 'A', last: true, after: null });
  hub.subscribe(c.tabId, { channel: 'B', last: true, after: null });
  await until(() => server.stats().subscribers['B'] === 1 && server.stats().subscribers['A'] === 1);
  hub.detach(c.tabId);
  await until(() => server.stats().subscribers['B'] === undefined);
  hub.unsubscribe(a.tabId, 'A');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(server.stats().subscribers).toEqual({ A: 1 });
  const types = server.received.map(
    (m) => `${(m as { type: string }).type}:${(m as { channel: string }).channel}`,
  );
  expect(types).toEqual(['subscribe:A', 'subscribe:B', 'unsubscribe:B']);
});

test('routing: channel messages reach only subscribed tabs; replies only the asking tab', async () => {
  const [a, b] = [await openTab(), await openTab()];
  hub.subscribe(a.tabId, { channel: 'A', last: true, after: null });
  await until(() => server.stats().subscribers['A'] === 1);
  server.publishTo('A', 'x');
  expect(hub.request(b.tabId, 'r1', 'question')).toEqual({ outcome: 'sent' });
  await until(() => channelEvents(a.events).length === 1 && b.events.some((e) => e.type === 'reply'));
  expect(channelEvents(a.events)).toEqual(['A:1']);
  expect(channelEvents(b.events)).toEqual([]);
  expect(b.events.filter((e) => e.type === 'reply')).toEqual([
    { type: 'reply', requestId: 'r1', data: { echo: 'question' } },
  ]);
  expect(a.events.some((e) => e.type === 'reply')).toBe(false);
});

test('the requests of a tab that detaches are dropped; their late replies are ignored and counted', async () => {
  const a = await openTab();
  await openTab();
  server.onRequest(() => undefined);
  hub.request(a.tabId, 'r1', 'q');
  await until(() => server.received.length === 1);
  expect(hub.stats().pendingRequests).toBe(1);
  hub.detach(a.tabId);
  expect(hub.stats().pendingRequests).toBe(0);
  const id = (server.received[0] as { id: string }).id;
  server.publishRaw(JSON.stringify({ type: 'reply', id, data: 'too late' }));
  await until(() => hub.stats().unknownReplies === 1);
});

test('a request sent on a socket that closes is rejected with connection-closed', async () => {
  const a = await openTab();
  server.onRequest(() => undefined);
  hub.request(a.tabId, 'r1', 'q');
  await until(() => server.received.length === 1);
  server.closeAll(1012);
  await until(() => a.events.some((e) => e.type === 'reply-error'));
  expect(a.events.find((e) => e.type === 'reply-error')).toMatchObject({
    requestId: 'r1',
    error: { code: 'connection-closed' },
  });
});

test('after a reconnect the hub resumes every live channel from its last sequence number', async () => {
  const a = await openTab();
  hub.subscribe(a.tabId, { channel: 'A', last: true, after: null });
  await until(() => server.stats().subscribers['A'] === 1);
  server.publishTo('A', 1);
  server.publishTo('A', 2);
  await until(() => channelEvents(a.events).length === 2);
  server.closeAll(1012);
  await until(() => server.stats().connections === 0);
  server.publishTo('A', 3);
  await until(() => channelEvents(a.events).length === 3, 5000);
  expect(channelEvents(a.events)).toEqual(['A:1', 'A:2', 'A:3']);
  expect(server.received.at(-1)).toEqual({ type: 'resume', channel: 'A', after: 2 });
});

test('malformed tab requests throw a TypeError and are counted; the hub carries on', async () => {
  const a = await openTab();
  expect(() => hub.subscribe(a.tabId, { channel: '', last: true, after: null })).toThrow(/non-empty string/);
  expect(() => hub.subscribe('nobody', { channel: 'A', last: true, after: null })).toThrow(/not attached/);
  expect(() => hub.subscribe(a.tabId, null as never)).toThrow(TypeError);
  expect(() => hub.publish(a.tabId, 7 as never, 'x')).toThrow(/non-empty string/);
  expect(() => hub.request(a.tabId, '', 'x')).toThrow(/request id/);
  expect(hub.stats()).toMatchObject({ badRequests: 5, state: 'open' });
  expect(hub.publish(a.tabId, 'A', 'fine')).toEqual({ outcome: 'sent' });
});

test('a batch frame is routed message by message, in order, whatever their kinds', async () => {
  const a = await openTab();
  hub.subscribe(a.tabId, { channel: 'A', last: true, after: null });
  await until(() => server.stats().subscribers['A'] === 1);
  const batch = {
    type: 'batch',
    messages: [
      { type: 'message', channel: 'A', seq: 1, data: 'one' },
      { plain: true },
      { type: 'message', channel: 'A', seq: 2, data: 'two' },
      { type: 'message', channel: 'A', seq: 2, data: 'two again' },
    ],
  };
  server.publishRaw(JSON.stringify(batch));
  await until(() => a.events.some((e) => e.type === 'message'));
  await until(() => channelEvents(a.events).length === 2);
  expect(channelEvents(a.events)).toEqual(['A:1', 'A:2']);
  expect(a.events.filter((e) => e.type === 'message')).toEqual([{ type: 'message', data: { plain: true } }]);
  expect(hub.stats()).toMatchObject({ framesIn: 2, messagesIn: 5, duplicatesDropped: 1 });
});

test('consecutive messages of a channel reach a tab as one run; a new channel or a skipped number starts another', async () => {
  const a = await openTab();
  hub.subscribe(a.tabId, { channel: 'A', last: true, after: null });
  hub.subscribe(a.tabId, { channel: 'B', last: true, after: null });
  await until(() => server.stats().subscribers['B'] === 1);
  const message = (channel: string, seq: number) => ({ type: 'message', channel, seq, data: seq });
  const frame = [1, 2, 3].map((seq) => message('A', seq));
  frame.push(message('B', 1), message('A', 4), message('A', 6), message('A', 7));
  server.publishRaw(JSON.stringify({ type: 'batch', messages: frame }));
  await until(() => channelEvents(a.events).length === 7);
  const runs = a.events.flatMap((event) => (event.type === 'channel' ? [event] : []));
  expect(runs.map(({ channel, seq, messages }) => ({ channel, seq, messages }))).toEqual([
    { channel: 'A', seq: 1, messages: [1, 2, 3] },
    { channel: 'B', seq: 1, messages: [1] },
    { channel: 'A', seq: 4, messages: [4] },
    { channel: 'A', seq: 6, messages: [6, 7] },
  ]);
  expect(a.events.filter((event) => event.type === 'gap')).toMatchObject([{ channel: 'A', from: 5, to: 5 }]);
});

test('a burst is flushed every 512 messages, runs included, so no batch to a tab grows without bound', async () => {
  const a = await openTab();
  hub.subscribe(a.tabId, { channel: 'A', last: true, after: null });
  await until(() => server.stats().subscribers['A'] === 1);
  const batchesBefore = a.batches;
  const frame = Array.from({ length: 1100 }, (_, i) => ({
    type: 'message',
    channel: 'A',
    seq: i + 1,
    data: i,
  }));
  server.publishRaw(JSON.stringify({ type: 'batch', messages: frame }));
  await until(() => channelEvents(a.events).length === 1100);
  expect(a.batches - batchesBefore).toBe(3);
  const runs = a.events.flatMap((event) => (event.type === 'channel' ? [event.messages.length] : []));
  expect(runs).toEqual([512, 512, 76]);
});
