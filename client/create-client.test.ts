import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { NodeWebSocket } from '../test/helpers.js';
import type { Client } from './client-types.js';
import type { LogEntry } from '../protocol/public-types.js';
import { createClient } from './create-client.js';

let server: TestServer;
let client: Client | undefined;

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  client?.close();
  await server.close();
});

const opened = (c: Client) => vi.waitFor(() => expect(c.status.state).toBe('open'));

test('in Node the client runs the hub in-process and talks to a real server', async () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  const messages: unknown[] = [];
  const states: string[] = [];
  client.on('message', (message) => messages.push(message));
  client.on('status', (status) => states.push(status.state));
  await opened(client);
  expect(client.transport).toBe('in-page');
  expect(states).toEqual(['open']);

  server.publish({ hello: 'node' });
  await vi.waitFor(() => expect(messages).toEqual([{ hello: 'node' }]));
  expect(await client.send({ back: 1 })).toEqual({ outcome: 'sent' });
  await vi.waitFor(() => expect(server.received).toEqual([{ back: 1 }]));
  // Every socket opens with a ping: the server's pong proves it was reached (see the `fallback` option).
  expect(server.stats().pings).toBe(1);
  expect((await client.stats()).tabs).toBe(1);
});

test('an unsubscribed listener hears nothing more', async () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  const heard: unknown[] = [];
  const witness: unknown[] = [];
  const off = client.on('message', (message) => heard.push(message));
  client.on('message', (message) => witness.push(message));
  await opened(client);
  server.publish(1);
  await vi.waitFor(() => expect(heard).toEqual([1]));
  off();
  server.publish(2);
  await vi.waitFor(() => expect(witness).toEqual([1, 2]));
  expect(heard).toEqual([1]);
});

test('a send made before the socket is open waits in the outbox, taken as it was when sent', async () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  const data = { n: 1 };
  const pending = client.send(data);
  data.n = 2;
  expect(await pending).toEqual({ outcome: 'queued' });
  await vi.waitFor(() => expect(server.received).toEqual([{ n: 1 }]));
});

test('close releases the socket; later calls say the client is closed, each by its own rule', async () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  await opened(client);
  client.close();
  expect(client.status.state).toBe('closed');
  await vi.waitFor(() => expect(server.stats().connections).toBe(0));
  expect(await client.send(1)).toMatchObject({ outcome: 'refused', reason: 'closed' });
  await expect(client.stats()).rejects.toMatchObject({ name: 'TabmuxError', code: 'closed' });
  await expect(client.request(1)).rejects.toMatchObject({ code: 'closed' });
  expect(() => client!.subscribe('A', () => {})).toThrow(expect.objectContaining({ code: 'closed' }));
});

test('a url function is called before each attempt, so a tab can move to another server', async () => {
  const other = await startTestServer();
  try {
    const urls = [server.url, other.url];
    let calls = 0;
    client = createClient({
      url: async () => urls[Math.min(calls++, 1)]!,
      WebSocket: NodeWebSocket,
      reconnect: { initialDelay: 20 },
    });
    await opened(client);
    expect(server.stats().connections).toBe(1);
    server.closeAll(1012);
    await vi.waitFor(() => expect(other.stats().connections).toBe(1));
    expect(calls).toBe(2);
  } finally {
    client?.close();
    await other.close();
  }
});

test('a url function returning garbage fails the client with the reason and an error event', async () => {
  client = createClient({ url: () => 'nope:' as string, WebSocket: NodeWebSocket });
  const errors: string[] = [];
  client.on('error', (error) => errors.push(error.message));
  await vi.waitFor(() => expect(client!.status.state).toBe('failed'));
  expect(client.status.reason).toMatch(/must use ws: or wss:/);
  expect(errors).toHaveLength(1);
});

test('a listener that throws does not stop the others', async () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  const heard: unknown[] = [];
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    client.on('message', () => {
      throw new Error('listener bug');
    });
    client.on('message', (message) => heard.push(message));
    await opened(client);
    server.publish('x');
    await vi.waitFor(() => expect([heard.length, uncaught.length]).toEqual([1, 1]));
    expect((uncaught[0] as Error).message).toBe('listener bug');
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});

test('bad arguments throw a TypeError at the call, in every method', () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  const c = client;
  expect(() => c.on('nope' as never, () => {})).toThrow(/unknown event "nope"/);
  expect(() => c.subscribe('', () => {})).toThrow(TypeError);
  expect(() => c.subscribe('A', 'handler' as never)).toThrow(TypeError);
  expect(() => c.publish(7 as never, 1)).toThrow(TypeError);
  expect(() => c.request(1, { timeout: -1 })).toThrow(TypeError);
});

test('debug: the hub and the tab log what they decide to the console, prefixed; off, nothing is printed', async () => {
  const printed: string[] = [];
  const spies = (['debug', 'info', 'warn'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void printed.push(args.join(' '))),
  );
  try {
    client = createClient({ url: server.url, WebSocket: NodeWebSocket, debug: true });
    await opened(client);
    server.closeAll(4000, 'bye');
    await vi.waitFor(() => expect(printed).toContain('[tabmux hub] socket closed: 4000 (bye)'));
    expect(printed).toContain('[tabmux hub] socket open over websocket');
    expect(printed.some((line) => line.startsWith('[tabmux tab] attached to a hub (in-page)'))).toBe(true);
    expect(
      printed.some((line) =>
        /^\[tabmux hub\] after "closed with 4000 \(bye\)": retrying \(attempt 1\) in \d+ ms$/.test(line),
      ),
    ).toBe(true);
    client.close();

    printed.length = 0;
    client = createClient({ url: server.url, WebSocket: NodeWebSocket, name: 'quiet' });
    const entries: LogEntry[] = [];
    await opened(client);
    server.closeAll(4000, 'again');
    await vi.waitFor(() => expect(client!.status.lastClose?.reason).toBe('again'));
    await opened(client);
    expect(printed).toEqual([]);
    // A log listener gets the lines without any console output.
    client.on('log', (entry) => entries.push(entry));
    await client.stats(); // a call made after it: the hub has heard the tab asking
    server.closeAll(4000, 'heard');
    await vi.waitFor(() =>
      expect(entries).toContainEqual(
        expect.objectContaining({ source: 'hub', message: 'socket closed: 4000 (heard)' }),
      ),
    );
    expect(printed).toEqual([]);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
});
