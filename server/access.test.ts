// Who may do what: the `authorize` hook against raw clients, and JWT rules on a fleet of two instances sharing a real
// Redis. A refused channel sends nothing, not even its latest message; the socket stays open for the rest.
import { generateKeyPair, exportSPKI, SignJWT, type CryptoKey } from 'jose';
import { expect, test } from 'vitest';
import { connect, serve, type RawClient, type ServerUnderTest } from '../test/raw-client.js';
import { closeAfterEach, useRedis } from '../test/vitest-hooks.js';
import type { AccessRequest } from './access.js';
import { jwtAccess } from './jwt.js';
import { redisBroker } from './redis-broker.js';

const redis = useRedis();
const track = closeAfterEach();

async function server(options: Parameters<typeof serve>[0] = {}): Promise<ServerUnderTest> {
  return track(await serve(options));
}

/** Subscribes and waits for the answer: `subscribed`, or `ended`. */
async function subscribe(client: RawClient, channel: string): Promise<Record<string, unknown>> {
  client.send({ type: 'subscribe', channel });
  await client.waitFor({ channel });
  return client.messages.find(
    (m) => m['channel'] === channel && (m['type'] === 'subscribed' || m['type'] === 'ended'),
  )!;
}

test('authorize refuses a subscribe with `ended` (forbidden) and nothing of the channel, its latest message included; the socket serves what is allowed', async () => {
  const asked: AccessRequest['action'][] = [];
  const running = await server({
    authorize: ({ action, channel }) => {
      asked.push(action);
      return channel !== 'secret';
    },
  });
  await running.server.publish('secret', { pin: 1234 });
  await running.server.publish('public', { hello: 1 });
  const client = await connect(running.url);
  expect(await subscribe(client, 'secret')).toEqual({
    type: 'ended',
    channel: 'secret',
    reason: 'forbidden: this connection may not follow "secret" (not allowed)',
    failed: true,
    code: 'forbidden',
  });
  expect(await subscribe(client, 'public')).toMatchObject({ type: 'subscribed', seq: 1 });
  await running.server.publish('secret', { pin: 5678 });
  await running.server.publish('public', { hello: 2 });
  await client.waitFor({ type: 'message', channel: 'public', seq: 2 });
  // The later public message proves the secret one, published before it, was not sent.
  expect(client.messages.filter((m) => m['channel'] === 'secret').map((m) => m['type'])).toEqual(['ended']);
  client.send({ type: 'resume', channel: 'secret', after: 0 });
  await expect.poll(() => client.messages.filter((m) => m['type'] === 'ended').length).toBe(2);
  expect(asked).toEqual(['subscribe', 'subscribe', 'resume']);
  expect(running.server.stats().refused.forbidden).toBe(2);
});

test('authorize refuses a publish and a request with an error frame coded `forbidden`; a throw refuses with its message', async () => {
  const running = await server({
    authorize: async ({ action, channel, identity }) => {
      if (action === 'request') throw new Error('requests are for staff');
      return action !== 'publish' || (channel === 'chat' && identity === null);
    },
    onRequest: () => 'answer',
  });
  const client = await connect(running.url);
  client.send({ type: 'publish', channel: 'prices', data: 1 });
  expect(await client.waitFor({ type: 'error', channel: 'prices' })).toEqual({
    type: 'error',
    channel: 'prices',
    code: 'forbidden',
    message: 'forbidden: publishing on "prices" is not allowed (not allowed)',
  });
  client.send({ type: 'request', id: 'r1', data: 'q' });
  expect(await client.waitFor({ type: 'error', id: 'r1' })).toEqual({
    type: 'error',
    id: 'r1',
    code: 'forbidden',
    message: 'forbidden: requests are for staff',
  });
  client.send({ type: 'publish', channel: 'chat', data: 'hi' });
  await expect.poll(() => running.server.stats().published).toBe(1);
});

/** Two instances sharing one Redis, each checking JWTs signed with `secret`. */
async function fleet(secret: string): Promise<[ServerUnderTest, ServerUnderTest]> {
  const access = await jwtAccess({ secret });
  const prefix = `access${Math.random().toString(36).slice(2)}:`;
  const instances: ServerUnderTest[] = [];
  for (let i = 0; i < 2; i++) {
    const broker = track(await redisBroker({ url: redis.url, prefix }));
    instances.push(await server({ broker, ...access, authTimeoutMs: 2000 }));
  }
  return instances as [ServerUnderTest, ServerUnderTest];
}

function token(key: Uint8Array | CryptoKey, claims: object, expiresIn = '1h', alg = 'HS256') {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

async function authed(url: string, jwt: string): Promise<RawClient> {
  const client = await connect(url);
  client.send({ type: 'auth', token: jwt });
  await client.waitFor({ type: 'auth-ok' });
  return client;
}

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!';
const key = new TextEncoder().encode(SECRET);

test('JWT on a Redis fleet: `channels` patterns (a trailing * too) allow subscribes on either instance, `publish` patterns publishes; the rest is forbidden', async () => {
  const [a, b] = await fleet(SECRET);
  const claims = { sub: 'u1', channels: ['prices', 'user:u1:*'], publish: ['chat'] };
  const [onA, onB] = [
    await authed(a.url, await token(key, claims)),
    await authed(b.url, await token(key, claims)),
  ];
  expect(await subscribe(onA, 'prices')).toMatchObject({ type: 'subscribed' });
  expect(await subscribe(onB, 'user:u1:orders')).toMatchObject({ type: 'subscribed' });
  expect(await subscribe(onB, 'user:u2:orders')).toMatchObject({ type: 'ended', code: 'forbidden' });
  expect(await subscribe(onA, 'chat')).toMatchObject({ type: 'ended', code: 'forbidden' });
  onA.send({ type: 'publish', channel: 'prices', data: 'no' });
  expect(await onA.waitFor({ type: 'error', channel: 'prices' })).toMatchObject({ code: 'forbidden' });
  await b.server.publish('user:u1:orders', { order: 1 });
  await a.server.publish('user:u2:orders', { order: 2 });
  onB.send({ type: 'publish', channel: 'chat', data: 'hi' });
  await expect.poll(() => a.server.stats().published + b.server.stats().published).toBe(3);
  await a.server.publish('prices', 1);
  await onA.waitFor({ type: 'message', channel: 'prices', seq: 1 });
  await onB.waitFor({ type: 'message', channel: 'user:u1:orders', seq: 1 });
  expect(onB.messages.some((m) => m['type'] === 'message' && m['channel'] === 'user:u2:orders')).toBe(false);
});

test('JWT: expired, wrongly signed and malformed tokens are closed with 4401 saying why', async () => {
  const [a] = await fleet(SECRET);
  const cases: [string, string][] = [
    [await token(key, { channels: ['prices'] }, '-1s'), 'invalid token: it has expired'],
    [
      await token(new TextEncoder().encode('another-secret-of-thirty-two-bytes!'), {}),
      'invalid token: the signature does not match',
    ],
    [
      await token(key, { channels: 'prices' }),
      'invalid token: the `channels` claim must be an array of channel patterns',
    ],
    ['not.a.jwt', expect.stringMatching(/^invalid token: /) as unknown as string],
  ];
  for (const [jwt, reason] of cases) {
    const client = await connect(a.url);
    client.send({ type: 'auth', token: jwt });
    expect(await client.closed).toEqual({ code: 4401, reason });
  }
  expect(a.server.stats().refused.authFailures).toBe(4);
});

test('JWT: a token refreshed mid-stream with fewer channels ends the ones it lost, forbidden; one that expires closes the socket with 4401', async () => {
  const [a, b] = await fleet(SECRET);
  const client = await authed(a.url, await token(key, { channels: ['prices', 'news'] }));
  await subscribe(client, 'prices');
  await subscribe(client, 'news');
  client.send({ type: 'auth', token: await token(key, { channels: ['prices'] }) });
  expect(await client.waitFor({ type: 'ended', channel: 'news' })).toMatchObject({
    failed: true,
    code: 'forbidden',
  });
  await b.server.publish('news', 'lost');
  await b.server.publish('prices', 'kept');
  await client.waitFor({ type: 'message', channel: 'prices' });
  expect(client.messages.some((m) => m['type'] === 'message' && m['channel'] === 'news')).toBe(false);

  const expiring = await authed(a.url, await token(key, { channels: ['prices'] }, '2s'));
  expect(await expiring.closed).toEqual({ code: 4401, reason: 'the token expired: send a fresh one' });
});

test('JWT with an ES256 public key: a token it signed is accepted, one signed with HS256 is refused', async () => {
  const pair = await generateKeyPair('ES256');
  const access = await jwtAccess({ publicKey: await exportSPKI(pair.publicKey) });
  const running = await server({ ...access });
  const client = await authed(running.url, await token(pair.privateKey, { channels: ['x'] }, '1h', 'ES256'));
  expect(await subscribe(client, 'x')).toMatchObject({ type: 'subscribed' });
  const other = await connect(running.url);
  other.send({ type: 'auth', token: await token(key, { channels: ['x'] }) });
  expect((await other.closed).code).toBe(4401);
});
