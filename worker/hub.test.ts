import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../demo/server/reference-server.js';
import { NodeWebSocket, recordingSink, until } from '../test/helpers.js';
import { createHub, type Hub } from './hub.js';
import type { HubConfig } from './protocol.js';
import { testConfig } from '../test/helpers.js';

let server: ReferenceServer;
let hub: Hub | undefined;

beforeEach(async () => {
  server = await startReferenceServer();
});
afterEach(async () => {
  hub?.dispose();
  await server.close();
});

function makeHub(changes: Partial<HubConfig> = {}): Hub {
  hub = createHub(testConfig({ url: server.url, lingerMs: 100, maxMessageBytes: 1024, ...changes }), {
    environment: { WebSocket: NodeWebSocket },
  });
  return hub;
}

describe('hub', () => {
  test('opens no socket until the first tab attaches', async () => {
    const hub = makeHub();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.stats().totalConnections).toBe(0);
    expect(hub.stats().socket).toBe('none');

    const tab = recordingSink();
    hub.attach(tab.sink);
    await until(() => tab.states().includes('open'));
    expect(server.stats()).toMatchObject({ connections: 1, totalConnections: 1 });
    expect(tab.states()).toEqual(['connecting', 'open']);
  });

  test('fans every server message out to every tab, in order, in batches', async () => {
    const hub = makeHub();
    const tabs = [recordingSink(), recordingSink(), recordingSink()];
    for (const tab of tabs) hub.attach(tab.sink);
    await until(() => tabs.every((tab) => tab.states().includes('open')));
    for (let n = 0; n < 200; n++) server.publish({ n });
    const expected = Array.from({ length: 200 }, (_, n) => ({ n }));
    await until(() => tabs.every((tab) => tab.messages().length === 200));
    for (const tab of tabs) expect(tab.messages()).toEqual(expected);
    expect(hub.stats()).toMatchObject({ messagesIn: 200, tabs: 3, connections: 1 });
    expect(server.stats().totalConnections).toBe(1);
  });

  test('a second tab attaching shares the socket that is already open', async () => {
    const hub = makeHub();
    const first = recordingSink();
    hub.attach(first.sink);
    await until(() => first.states().includes('open'));
    const { status } = hub.attach(recordingSink().sink);
    expect(status.state).toBe('open');
    expect(server.stats().totalConnections).toBe(1);
  });

  test('closes the socket lingerMs after the last tab leaves, not before', async () => {
    const hub = makeHub({ lingerMs: 300 });
    const tabs = [recordingSink(), recordingSink()];
    const ids = tabs.map((tab) => hub.attach(tab.sink).tabId);
    await until(() => server.stats().connections === 1);
    hub.detach(ids[0]!);
    const lastLeft = Date.now();
    hub.detach(ids[1]!);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.stats().connections).toBe(1);
    await until(() => server.stats().connections === 0);
    expect(Date.now() - lastLeft).toBeGreaterThanOrEqual(290);
    expect(hub.stats()).toMatchObject({ state: 'closed', socket: 'none', tabs: 0 });
  });

  test('a tab that attaches during the linger keeps the socket', async () => {
    const hub = makeHub({ lingerMs: 100 });
    const first = hub.attach(recordingSink().sink);
    await until(() => server.stats().connections === 1);
    hub.detach(first.tabId);
    hub.attach(recordingSink().sink);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(server.stats()).toMatchObject({ connections: 1, totalConnections: 1 });
  });

  test('a send before the socket opens is queued, then goes out first, in order; after that sends go out at once', async () => {
    const hub = makeHub();
    const tab = recordingSink();
    const { tabId } = hub.attach(tab.sink);
    expect(hub.send(tabId, { early: 1 })).toEqual({ outcome: 'queued' });
    expect(hub.send(tabId, { early: 2 })).toEqual({ outcome: 'queued' });
    expect(hub.stats()).toMatchObject({ outboxMessages: 2, outboxBytes: 22 });
    await until(() => tab.states().includes('open'));
    expect(hub.send(tabId, { hello: 'server' })).toEqual({ outcome: 'sent' });
    await until(() => server.received.length === 3);
    expect(server.received).toEqual([{ early: 1 }, { early: 2 }, { hello: 'server' }]);
    expect(hub.stats()).toMatchObject({ messagesOut: 3, outboxMessages: 0, outboxBytes: 0 });
  });

  test('with the outbox off, a send before the socket opens is refused with the reason', () => {
    const hub = makeHub({ outbox: { maxMessages: 0, maxBytes: 0 } });
    const { tabId } = hub.attach(recordingSink().sink);
    expect(hub.send(tabId, 1)).toMatchObject({ outcome: 'refused', reason: 'not-open' });
  });

  test('send refuses what cannot be encoded, what is too large, and unknown tabs, and carries on', async () => {
    const hub = makeHub({ maxMessageBytes: 64 });
    const tab = recordingSink();
    const { tabId } = hub.attach(tab.sink);
    await until(() => tab.states().includes('open'));
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(hub.send(tabId, cyclic)).toMatchObject({ outcome: 'refused', reason: 'not-encodable' });
    expect(hub.send(tabId, undefined)).toMatchObject({ outcome: 'refused', reason: 'not-encodable' });
    expect(hub.send(tabId, 10n)).toMatchObject({ outcome: 'refused', reason: 'not-encodable' });
    expect(hub.send(tabId, 'é'.repeat(40))).toMatchObject({ outcome: 'refused', reason: 'too-large' });
    expect(hub.send('nobody', 1)).toMatchObject({ outcome: 'refused', reason: 'closed' });
    expect(hub.send(tabId, 'é'.repeat(20))).toEqual({ outcome: 'sent' });
    await until(() => server.received.length === 1);
    expect(hub.stats()).toMatchObject({ messagesOut: 1, badRequests: 1, state: 'open' });
  });

  test('an undecodable frame becomes an error event for every tab and is counted', async () => {
    const hub = makeHub();
    const tab = recordingSink();
    hub.attach(tab.sink);
    await until(() => tab.states().includes('open'));
    server.publishRaw('{oops');
    server.publish({ fine: true });
    await until(() => tab.messages().length === 1);
    expect(tab.events.filter((event) => event.type === 'error')).toEqual([
      {
        type: 'error',
        error: expect.objectContaining({ code: 'decode-failed', name: 'TabmuxError' }),
      },
    ]);
    expect(hub.stats()).toMatchObject({ decodeErrors: 1, messagesIn: 1 });
  });

  test('detaching an unknown tab is harmless', () => {
    const hub = makeHub();
    expect(() => hub.detach('nobody')).not.toThrow();
  });

  test('a malformed URL fails the hub with the reason instead of throwing', async () => {
    hub = createHub(testConfig({ url: 'not a url' }), { environment: { WebSocket: NodeWebSocket } });
    const tab = recordingSink();
    hub.attach(tab.sink);
    await until(() => tab.states().includes('failed'));
    expect(hub.stats().state).toBe('failed');
    const failed = tab.events.find((event) => event.type === 'status' && event.status.state === 'failed');
    expect(failed).toMatchObject({ status: { reason: expect.stringContaining('cannot open not a url') } });
  });
});
