import { afterEach, expect, test } from 'vitest';
import { connect, serve, type ServerUnderTest } from '../test/raw-client.js';
import { memoryBroker } from './memory-broker.js';
import type { ServerOptions } from './types.js';

let running: ServerUnderTest | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});
const start = async (options: Omit<ServerOptions, 'server' | 'wss'> = {}) => (running = await serve(options));

test('subscribe: the latest message first, marked `last`, then `subscribed` with the head, then every new message', async () => {
  const { url, server } = await start();
  await server.publish('A', 'one');
  await server.publish('A', 'two');
  const client = await connect(url);
  client.send({ type: 'subscribe', channel: 'A' });
  await client.waitFor({ type: 'subscribed', channel: 'A', seq: 2 });
  await server.publish('A', 'three');
  await client.waitFor({ type: 'message', seq: 3 });
  expect(client.messages).toEqual([
    { type: 'message', channel: 'A', seq: 2, data: 'two', last: true },
    { type: 'subscribed', channel: 'A', seq: 2 },
    { type: 'message', channel: 'A', seq: 3, data: 'three' },
  ]);
});

test('subscribe with `last: false`: no latest message, only `subscribed` with the head and what comes after', async () => {
  const { url, server } = await start();
  await server.publish('A', 'one');
  const client = await connect(url);
  client.send({ type: 'subscribe', channel: 'A', last: false });
  await client.waitFor({ type: 'subscribed', channel: 'A', seq: 1 });
  await server.publish('A', 'two');
  await client.waitFor({ type: 'message', seq: 2 });
  expect(client.messages).toEqual([
    { type: 'subscribed', channel: 'A', seq: 1 },
    { type: 'message', channel: 'A', seq: 2, data: 'two' },
  ]);
});

test('resume: every kept message after `after`, then `subscribed`; a resume from before the buffer shows the gap', async () => {
  const { url, server } = await start({ broker: memoryBroker({ replayLimit: 3 }) });
  for (let n = 1; n <= 6; n++) await server.publish('A', n);
  const client = await connect(url);
  client.send({ type: 'resume', channel: 'A', after: 4 });
  await client.waitFor({ type: 'subscribed', seq: 6 });
  expect(client.messages.map((m) => m['seq'])).toEqual([5, 6, 6]);
  const late = await connect(url);
  late.send({ type: 'resume', channel: 'A', after: 1 });
  await late.waitFor({ type: 'subscribed', seq: 6 });
  // 2 and 3 are gone: the client sees 4 follow 1 and names the gap itself.
  expect(late.messages.map((m) => m['seq'])).toEqual([4, 5, 6, 6]);
});

test('messages published while a socket joins reach it once each, in order, after its history', async () => {
  const { url, server } = await start();
  for (let n = 1; n <= 50; n++) await server.publish('A', n);
  const client = await connect(url);
  client.send({ type: 'resume', channel: 'A', after: 0 });
  // Published while the join reads the history: each must come once, after `subscribed` or within the history.
  const racing = Array.from({ length: 50 }, (_, i) => server.publish('A', 51 + i));
  await Promise.all(racing);
  await client.waitFor({ type: 'message', seq: 100 });
  const seqs = client.messages.filter((m) => m['type'] === 'message').map((m) => m['seq']);
  expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
});

test('unsubscribe stops the messages; a socket that closes leaves every channel', async () => {
  const { url, server } = await start();
  const client = await connect(url);
  client.send({ type: 'subscribe', channel: 'A' });
  client.send({ type: 'subscribe', channel: 'B' });
  await client.waitFor({ type: 'subscribed', channel: 'B' });
  expect(server.stats().subscribers).toEqual({ A: 1, B: 1 });
  client.send({ type: 'unsubscribe', channel: 'A' });
  client.send({ type: 'ping' });
  await client.waitFor({ type: 'pong' });
  expect(server.stats().subscribers).toEqual({ B: 1 });
  client.ws.close();
  await client.closed;
  await expect.poll(() => server.stats().subscribers).toEqual({});
});

test('requests go to onRequest: its value is the reply, its throw an error reply, with the client it came from', async () => {
  const seen: unknown[] = [];
  const { url } = await start({
    onRequest: (data, client) => {
      seen.push(client.id);
      if (data === 'fail') throw new Error('no such thing');
      return { echo: data };
    },
  });
  const client = await connect(url);
  client.send({ type: 'request', id: 'r1', data: 'x' });
  client.send({ type: 'request', id: 'r2', data: 'fail' });
  expect(await client.waitFor({ id: 'r1' })).toEqual({ type: 'reply', id: 'r1', data: { echo: 'x' } });
  expect(await client.waitFor({ id: 'r2' })).toEqual({ type: 'error', id: 'r2', message: 'no such thing' });
  expect(seen).toHaveLength(2);
  expect(seen[1]).toBe(seen[0]);
});

test('publish from a client reaches every subscriber; onPublish can refuse it', async () => {
  const { url } = await start({ onPublish: (channel) => channel !== 'read-only' });
  const [publisher, reader] = [await connect(url), await connect(url)];
  reader.send({ type: 'subscribe', channel: 'A' });
  await reader.waitFor({ type: 'subscribed' });
  publisher.send({ type: 'publish', channel: 'A', data: { hi: 1 } });
  await reader.waitFor({ type: 'message', data: { hi: 1 } });
  publisher.send({ type: 'publish', channel: 'read-only', data: 1 });
  expect(await publisher.waitFor({ type: 'error' })).toMatchObject({ channel: 'read-only' });
});

test('auth: the token goes to authenticate; accepted is auth-ok and the identity; refused or absent is 4401', async () => {
  const { url } = await start({
    authenticate: (token) => (token === 'good' ? { user: 'ann' } : false),
    onRequest: (_data, client) => client.identity,
  });
  const good = await connect(url);
  good.send({ type: 'auth', token: 'good' });
  await good.waitFor({ type: 'auth-ok' });
  good.send({ type: 'request', id: 'who', data: null });
  expect(await good.waitFor({ id: 'who' })).toMatchObject({ data: { user: 'ann' } });
  const bad = await connect(url);
  bad.send({ type: 'auth', token: 'bad' });
  expect(await bad.closed).toEqual({ code: 4401, reason: 'invalid token' });
  const none = await connect(url);
  none.send({ type: 'subscribe', channel: 'A' });
  expect((await none.closed).code).toBe(4401);
});

test('under load a socket gets its messages in batch frames; a lone message goes alone', async () => {
  const { url, server } = await start();
  const client = await connect(url);
  const frames: string[] = [];
  client.ws.on('message', (raw) => frames.push(raw.toString().slice(0, 20)));
  client.send({ type: 'subscribe', channel: 'A' });
  await client.waitFor({ type: 'subscribed' });
  frames.length = 0;
  await server.publish('A', 'alone');
  await client.waitFor({ data: 'alone' });
  for (let n = 0; n < 1200; n++) void server.publish('A', n);
  await client.waitFor({ data: 1199 });
  expect(frames[0]).toMatch(/^{"type":"message"/);
  expect(frames.slice(1)).toEqual(['{"type":"batch","mes', '{"type":"batch","mes', '{"type":"batch","mes']);
});

test('close() closes every socket with 1012, so clients come back later with their own jitter', async () => {
  const { url } = await start();
  const client = await connect(url);
  const closing = running!.close();
  running = undefined;
  expect(await client.closed).toEqual({ code: 1012, reason: 'server restart' });
  await closing;
});
