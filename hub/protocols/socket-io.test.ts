// The socket.io protocol against the real `socket.io` server, through a real hub in Node.
import { afterEach, expect, test } from 'vitest';
import { NodeWebSocket, recordingSink, testConfig } from '../../test/helpers.js';
import {
  startSocketIoServer,
  type SocketIoTestServer,
  type SocketIoTestServerOptions,
} from '../../test/socket-io-server.js';
import { createHub, type Hub } from '../hub.js';
import type { HubConfig, TabProviders } from '../../protocol/session-types.js';
import type { SocketIoOptions } from '../../protocol/protocol-spec.js';
import { socketIoProtocol } from './socket-io.js';

let running: SocketIoTestServer | null = null;
let hub: Hub | null = null;

afterEach(async () => {
  hub?.dispose();
  hub = null;
  await running?.close();
  running = null;
});

async function setUp(
  server: SocketIoTestServerOptions = {},
  protocol: SocketIoOptions = { join: 'join', leave: 'leave' },
  config: Partial<HubConfig> = {},
) {
  const started = (running = await startSocketIoServer(server));
  const current = (hub = createHub(testConfig({ url: started.url, lingerMs: 0, ...config }), {
    protocol: socketIoProtocol(protocol),
    environment: { WebSocket: NodeWebSocket },
  }));
  const tab = (providers?: TabProviders) => {
    const recorder = recordingSink();
    return Object.assign(recorder, current.attach(recorder.sink, providers));
  };
  return { hub: current, tab, server: started };
}

const subscribe = (channel: string) => ({ channel, last: false, after: null });
const until = (check: () => boolean) => expect.poll(check, { timeout: 5000, interval: 10 }).toBe(true);
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const joins = (server: SocketIoTestServer, event: string) =>
  server.received.filter(([name]) => name === event);

test('three tabs of a room: one Engine.IO connection, one join, each event to each tab once, one leave', async () => {
  const { hub, tab, server } = await setUp();
  const tabs = [tab(), tab(), tab()];
  await until(() => hub.stats().state === 'open');
  for (const { session } of tabs) session.subscribe(subscribe('prices'));
  await until(() => joins(server, 'join').length === 1);
  for (let n = 1; n <= 10; n++) expect(await server.emitToRoom('prices', { n })).toBe(1);
  for (const t of tabs) await until(() => t.ofType('channel').flatMap((e) => e.messages).length === 10);
  for (const t of tabs)
    expect(t.ofType('channel').flatMap((e) => e.messages)).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ n: i + 1 })),
    );
  expect(server.connections()).toEqual({ total: 1, open: 1 });
  tabs[0]!.session.unsubscribe('prices');
  tabs[1]!.session.detach();
  tabs[2]!.session.unsubscribe('prices');
  await until(() => joins(server, 'leave').length === 1);
  expect(joins(server, 'join')).toEqual([['join', 'prices']]);
  expect(joins(server, 'leave')).toEqual([['leave', 'prices']]);
});

test('events nobody subscribed to reach every tab as [name, ...args]; send and publish emit', async () => {
  const { hub, tab, server } = await setUp();
  const [a, b] = [tab(), tab()];
  await until(() => hub.stats().state === 'open');
  server.emitAll('notice', 'deploy', { at: 1 });
  await until(() => a.messages().length === 1 && b.messages().length === 1);
  expect(a.messages()).toEqual([['notice', 'deploy', { at: 1 }]]);
  expect(a.session.send(['shout', 'hi'])).toEqual({ outcome: 'sent' });
  expect(a.session.publish('shout', 'there')).toEqual({ outcome: 'sent' });
  await until(() => b.messages().length === 3);
  expect(b.messages().slice(1)).toEqual([
    ['shouted', 'hi'],
    ['shouted', 'there'],
  ]);
  expect(a.session.send({ not: 'an event' })).toMatchObject({ outcome: 'refused', reason: 'not-encodable' });
});

test('a request is an emit with an acknowledgement, answered to the asking tab', async () => {
  const { hub, tab } = await setUp();
  const [a, b] = [tab(), tab()];
  await until(() => hub.stats().state === 'open');
  expect(a.session.request('r1', ['echo', { x: 1 }])).toEqual({ outcome: 'sent' });
  await until(() => a.ofType('reply').length === 1);
  expect(a.ofType('reply')).toEqual([{ type: 'reply', requestId: 'r1', data: { echo: { x: 1 } } }]);
  expect(b.ofType('reply')).toEqual([]);
});

test('the server’s pings are answered: the connection outlives pingInterval + pingTimeout many times over', async () => {
  const { hub, tab, server } = await setUp({ pingInterval: 100, pingTimeout: 100 });
  tab();
  await until(() => hub.stats().state === 'open');
  // Eight of the server's pings answered: four times its pingInterval + pingTimeout.
  await until(() => hub.stats().framesIn >= 9);
  expect(server.connections()).toEqual({ total: 1, open: 1 });
  expect(hub.stats()).toMatchObject({ state: 'open', connections: 1, pingsSent: 0 });
});

test('a server restart costs one reconnect; the rooms are joined again and events flow', async () => {
  const { hub, tab, server } = await setUp(
    {},
    { join: 'join', leave: 'leave' },
    {
      reconnect: { ...testConfig({ url: null }).reconnect, initialDelay: 50, maxDelay: 200 },
    },
  );
  const a = tab();
  tab();
  await until(() => hub.stats().state === 'open');
  a.session.subscribe(subscribe('prices'));
  await until(() => joins(server, 'join').length === 1);
  await server.restart(300);
  await until(() => hub.stats().state === 'open' && joins(server, 'join').length === 2);
  expect(server.connections()).toEqual({ total: 2, open: 1 });
  expect(await server.emitToRoom('prices', 'after')).toBe(1);
  await until(() => a.ofType('channel').some((e) => e.messages.includes('after')));
  expect(hub.stats().connections).toBe(2);
});

test('a token the middleware refuses ends in unauthorized; the server disconnecting the client is not retried', async () => {
  const refused = await setUp({ tokens: ['good'] });
  refused.tab({ auth: () => 'bad' });
  await until(() => refused.hub.stats().state === 'unauthorized');
  expect(refused.hub.stats().connections).toBe(0);
  hub?.dispose();
  await running?.close();

  const { hub: accepted, tab, server } = await setUp({ tokens: ['good'] });
  tab({ auth: () => 'good' });
  await until(() => accepted.stats().state === 'open');
  server.disconnectAll();
  await until(() => accepted.stats().state === 'failed');
  expect(accepted.stats().connections).toBe(1);
  await wait(500);
  expect(server.connections().total).toBe(1);
});

test('the URL gets Socket.IO’s path and query; parse reads namespaces and acks, and refuses binary packets', () => {
  const protocol = socketIoProtocol({ namespace: '/chat' });
  expect(protocol.url!('ws://h:1/')).toBe('ws://h:1/socket.io/?EIO=4&transport=websocket');
  expect(protocol.url!('ws://h:1/rt/?EIO=4&transport=websocket')).toBe(
    'ws://h:1/rt/?EIO=4&transport=websocket',
  );
  expect(protocol.handshake!('t')).toEqual(['40/chat,{"token":"t"}']);
  expect(protocol.parse('40/chat,{"sid":"x"}')).toEqual({ kind: 'ready' });
  expect(protocol.parse('40{"sid":"x"}')).toEqual({ kind: 'ignore' });
  expect(protocol.parse('2')).toEqual({ kind: 'send', messages: ['3'] });
  expect(protocol.request('hub:1', ['echo', 1])).toBe('42/chat,0["echo",1]');
  expect(protocol.parse('43/chat,0[{"ok":true}]')).toEqual({
    kind: 'reply',
    id: 'hub:1',
    data: { ok: true },
  });
  expect(protocol.parse('451-/chat,["file",{"_placeholder":true,"num":0}]')).toMatchObject({
    kind: 'invalid',
  });
  expect(protocol.parse('4x')).toMatchObject({ kind: 'invalid' });
  expect(protocol.parse(new ArrayBuffer(2))).toMatchObject({ kind: 'invalid' });
});

test("the server's announced ping interval and timeout are kept, not the hub's heartbeat: a server pinging every 1.5 s is not cut", async () => {
  // The hub's own heartbeat would give up after 300 + 200 ms of silence; the server pings every 1,500 ms.
  const { hub, tab, server } = await setUp(
    { pingInterval: 1500, pingTimeout: 3000 },
    {},
    {
      heartbeat: { ...testConfig({ url: null }).heartbeat, interval: 300, timeout: 200 },
    },
  );
  tab();
  await until(() => hub.stats().state === 'open');
  await wait(4000);
  expect(hub.stats().heartbeatTimeouts).toBe(0);
  expect(server.connections()).toEqual({ total: 1, open: 1 });
}, 10_000);
