import { afterEach, beforeEach, expect, test } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../demo/server/reference-server.js';
import { NodeWebSocket, until } from '../test/helpers.js';
import { createClient, type Client } from './create-client.js';

let server: ReferenceServer;
let client: Client | undefined;

beforeEach(async () => {
  server = await startReferenceServer();
});
afterEach(async () => {
  client?.close();
  await server.close();
});

test('in Node the client runs the hub in-process and talks to a real server', async () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  const messages: unknown[] = [];
  const states: string[] = [];
  client.on('message', (message) => messages.push(message));
  client.on('status', (status) => states.push(status.state));
  await until(() => client!.status.state === 'open');
  expect(client.transport).toBe('in-page');
  expect(states).toEqual(['open']);

  server.publish({ hello: 'node' });
  await until(() => messages.length === 1);
  expect(messages).toEqual([{ hello: 'node' }]);
  expect(await client.send({ back: 1 })).toEqual({ outcome: 'sent' });
  await until(() => server.received.length === 1);
  expect((await client.stats()).tabs).toBe(1);
});

test('an unsubscribed listener hears nothing more', async () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  const heard: unknown[] = [];
  const off = client.on('message', (message) => heard.push(message));
  await until(() => client!.status.state === 'open');
  server.publish(1);
  await until(() => heard.length === 1);
  off();
  server.publish(2);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(heard).toEqual([1]);
});

test('a send made before the socket is open waits in the outbox, taken as it was when sent', async () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  const data = { n: 1 };
  const pending = client.send(data);
  data.n = 2;
  expect(await pending).toEqual({ outcome: 'queued' });
  await until(() => server.received.length === 1);
  expect(server.received).toEqual([{ n: 1 }]);
});

test('close releases the socket and refuses later sends', async () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  await until(() => client!.status.state === 'open');
  client.close();
  expect(client.status.state).toBe('closed');
  await until(() => server.stats().connections === 0);
  expect(await client.send(1)).toMatchObject({ outcome: 'refused', reason: 'closed' });
  await expect(client.stats()).rejects.toThrow(/closed/);
});

test('a url function is called to get the URL', async () => {
  client = createClient({ url: async () => server.url, WebSocket: NodeWebSocket });
  await until(() => client!.status.state === 'open');
});

test('a url function returning garbage fails the client with the reason and an error event', async () => {
  client = createClient({ url: () => 'nope:' as string, WebSocket: NodeWebSocket });
  const errors: string[] = [];
  client.on('error', (error) => errors.push(error.message));
  await until(() => client!.status.state === 'failed');
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
    await until(() => client!.status.state === 'open');
    server.publish('x');
    await until(() => heard.length === 1 && uncaught.length === 1);
    expect((uncaught[0] as Error).message).toBe('listener bug');
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});

test('on() with an unknown event name is a TypeError', () => {
  client = createClient({ url: server.url, WebSocket: NodeWebSocket });
  expect(() => client!.on('nope' as never, () => {})).toThrow(/unknown event "nope"/);
});
