// The graphql-ws protocol against the real `graphql-ws` server, through a real hub in Node.
import { afterEach, expect, test } from 'vitest';
import { startGraphqlServer, type GraphqlTestServer } from '../../test/graphql-server.js';
import { NodeWebSocket, recordingSink, testConfig } from '../../test/helpers.js';
import { createHub, type Hub } from '../hub.js';
import type { TabProviders } from '../../protocol/session-types.js';
import { graphqlChannel } from './graphql-channel.js';
import { graphqlWsProtocol } from './graphql-ws.js';

let running: GraphqlTestServer | null = null;
let hub: Hub | null = null;

afterEach(async () => {
  hub?.dispose();
  hub = null;
  await running?.close();
  running = null;
});

async function setUp(options: { tokens?: string[] } = {}) {
  const server = (running = await startGraphqlServer({ tokens: options.tokens ?? null }));
  hub = createHub(testConfig({ url: server.url, lingerMs: 0 }), {
    protocol: graphqlWsProtocol(),
    environment: { WebSocket: NodeWebSocket },
  });
  const current = hub;
  const tab = (providers?: TabProviders) => {
    const recorder = recordingSink();
    return Object.assign(recorder, current.attach(recorder.sink, providers));
  };
  return { hub: current, tab, server };
}

const TICKS = graphqlChannel('subscription Ticks($topic: String!) { ticks(topic: $topic) }', { topic: 'a' });
const subscribe = (channel: string) => ({ channel, last: false, after: null });
const until = (check: () => boolean) => expect.poll(check, { timeout: 5000, interval: 10 }).toBe(true);

test('three tabs of one subscription: one server subscribe, every tick to every tab in order, one complete at the end', async () => {
  const { hub, tab, server } = await setUp();
  const tabs = [tab(), tab(), tab()];
  await until(() => hub.stats().state === 'open');
  for (const { session } of tabs) session.subscribe(subscribe(TICKS));
  await until(() => server.subscribes('ticks').length === 1 && server.tick('a', 0) === 1);
  for (let n = 1; n <= 20; n++) server.tick('a', n);
  for (const t of tabs) await until(() => t.ofType('channel').flatMap((e) => e.messages).length === 21);
  for (const t of tabs) {
    const ticks = t.ofType('channel').flatMap((e) => e.messages) as { data: { ticks: number } }[];
    expect(ticks.map((m) => m.data.ticks)).toEqual(Array.from({ length: 21 }, (_, i) => i));
  }
  expect(server.connections()).toEqual({ total: 1, open: 1 });
  tabs[0]!.session.unsubscribe(TICKS);
  tabs[1]!.session.detach();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(server.completes()).toEqual([]);
  tabs[2]!.session.unsubscribe(TICKS);
  await until(() => server.completes().length === 1);
  expect(server.completes()[0]!['id']).toBe(server.subscribes('ticks')[0]!['id']);
});

test('a query is answered to the asking tab only; a bad one is a server error for that request', async () => {
  const { hub, tab } = await setUp();
  const [a, b] = [tab(), tab()];
  await until(() => hub.stats().state === 'open');
  a.session.request('q1', {
    query: 'query ($name: String) { hello(name: $name) }',
    variables: { name: 'tabs' },
  });
  a.session.request('q2', { query: '{ nope }' });
  await until(() => a.ofType('reply').length === 1 && a.ofType('reply-error').length === 1);
  expect(a.ofType('reply')).toEqual([
    { type: 'reply', requestId: 'q1', data: { data: { hello: 'Hello, tabs' } } },
  ]);
  expect(a.ofType('reply-error')[0]).toMatchObject({
    requestId: 'q2',
    error: { code: 'server-error', message: expect.stringContaining('nope') },
  });
  expect(b.events.filter((e) => e.type !== 'status')).toEqual([]);
  expect(a.session.request('q3', 'not an operation')).toMatchObject({
    outcome: 'refused',
    reason: 'not-encodable',
  });
  expect(hub.stats().unknownReplies).toBe(0);
});

test('a server ping is answered with a pong; the hub’s own ping is answered by the server', async () => {
  const server = (running = await startGraphqlServer());
  hub = createHub(
    testConfig({
      url: server.url,
      heartbeat: { interval: 200, timeout: 150, ping: { type: 'ping' }, pong: { type: 'pong' } },
    }),
    { protocol: graphqlWsProtocol(), environment: { WebSocket: NodeWebSocket } },
  );
  const current = hub;
  current.attach(() => {});
  await until(() => current.stats().state === 'open');
  server.pingAll();
  await until(() => server.received.some((frame) => frame['type'] === 'pong'));
  await until(() => current.stats().pongsReceived >= 1);
  expect(current.stats()).toMatchObject({ state: 'open', heartbeatTimeouts: 0, decodeErrors: 0 });
});

test('a subscription the server completes or fails reaches its tabs; a later subscriber subscribes anew', async () => {
  const { hub, tab, server } = await setUp();
  const [a, b] = [tab(), tab()];
  await until(() => hub.stats().state === 'open');
  a.session.subscribe(subscribe(TICKS));
  b.session.subscribe(subscribe(TICKS));
  await until(() => server.tick('a', 1) === 1);
  server.endTopic('a');
  await until(() => a.ofType('end').length === 1 && b.ofType('end').length === 1);
  expect(a.ofType('end')[0]).toEqual({
    type: 'end',
    channel: TICKS,
    reason: 'the server completed the subscription',
    error: null,
  });
  expect(hub.stats().channels).toBe(0);
  a.session.subscribe(subscribe(TICKS));
  await until(() => server.subscribes('ticks').length === 2 && server.tick('a', 2) === 1);
  await until(() => a.ofType('channel').flatMap((e) => e.messages).length >= 2);
  expect(server.completes()).toEqual([]);

  // A document the server refuses is a graphql-ws `error`: the subscription failed.
  a.session.subscribe(subscribe('subscription { nope }'));
  await until(() => a.ofType('end').length === 2);
  expect(a.ofType('end')[1]).toMatchObject({
    channel: 'subscription { nope }',
    error: { code: 'server-error', message: expect.stringContaining('nope') },
  });
  // A resolver that throws is a result with `errors`, then `complete`: delivered as such, then ended.
  a.session.subscribe(subscribe('subscription { failing }'));
  await until(() => a.ofType('end').length === 3);
  expect(a.ofType('end')[2]).toMatchObject({ channel: 'subscription { failing }', error: null });
  const failing = a.ofType('channel').filter((e) => e.channel === 'subscription { failing }');
  expect(failing.flatMap((e) => e.messages)).toMatchObject([
    { errors: [{ message: 'this subscription always fails' }] },
  ]);
  expect(hub.stats()).toMatchObject({ state: 'open', channels: 1 });
});

test('the auth token goes in connection_init; a token the server refuses ends in unauthorized', async () => {
  const { hub, tab, server } = await setUp({ tokens: ['good'] });
  tab({ auth: () => 'bad' });
  await until(() => hub.stats().state === 'unauthorized');
  expect(hub.stats().connections).toBe(0);
  expect(server.received.filter((frame) => frame['type'] === 'connection_init')).toEqual([
    { type: 'connection_init', payload: { token: 'bad' } },
    { type: 'connection_init', payload: { token: 'bad' } },
  ]);
});

test('channels: equal variables in any key order make one name; without variables the name is the query', () => {
  expect(graphqlChannel('subscription { a }')).toBe('subscription { a }');
  expect(graphqlChannel('q', { b: 1, a: { d: 2, c: 3 } })).toBe(
    graphqlChannel('q', { a: { c: 3, d: 2 }, b: 1 }),
  );
  expect(() => graphqlChannel('')).toThrow(/needs a GraphQL document/);
});
