// The one hub test with a real server and real timers: what the fake socket stands for is checked against `ws`.
import { afterEach, expect, test, vi } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { NodeWebSocket, recordingSink, testConfig } from '../test/helpers.js';
import { createHub, type Hub } from './hub.js';

let server: TestServer | undefined;
let hub: Hub | undefined;
afterEach(async () => {
  hub?.dispose();
  await server?.close();
});

test('against a real server: one socket for two tabs, channels, requests, sends, and a resume after a restart', async () => {
  server = await startTestServer();
  hub = createHub(
    testConfig({ url: server.url, reconnect: { ...testConfig({ url: null }).reconnect, initialDelay: 50 } }),
    {
      environment: { WebSocket: NodeWebSocket },
    },
  );
  const [a, b] = [recordingSink(), recordingSink()];
  const sessionA = hub.attach(a.sink).session;
  const sessionB = hub.attach(b.sink).session;
  sessionA.subscribe({ channel: 'A', last: true, after: null });
  sessionB.subscribe({ channel: 'A', last: true, after: null });
  await vi.waitFor(() => expect(server!.stats().subscribers).toEqual({ A: 1 }));
  server.publishTo('A', 'one');
  expect(sessionB.request('r1', 'question')).toEqual({ outcome: 'sent' });
  expect(sessionA.send({ plain: true })).toEqual({ outcome: 'sent' });
  await vi.waitFor(() => expect(b.ofType('reply')).toHaveLength(1));
  expect(b.ofType('reply')[0]).toEqual({ type: 'reply', requestId: 'r1', data: { echo: 'question' } });
  await vi.waitFor(() => expect(server!.received).toContainEqual({ plain: true }));

  await server.restart(100);
  server.publishTo('A', 'two');
  await vi.waitFor(() => expect(a.channelMessages()).toEqual(['A:1', 'A:2']), { timeout: 5000 });
  expect(b.channelMessages()).toEqual(['A:1', 'A:2']);
  expect(server.stats().totalConnections).toBe(2);
  expect(server.received).toContainEqual({ type: 'resume', channel: 'A', after: 1 });
});
