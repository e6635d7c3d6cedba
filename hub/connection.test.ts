import { beforeEach, describe, expect, test } from 'vitest';
import { fullJitter } from './backoff.js';
import { jsonCodec } from './codec.js';
import { defaultProtocol } from './wire-protocol.js';
import { createConnection } from './connection.js';
import type { Connection, ConnectionSettings } from './connection-types.js';
import type { Status } from '../protocol/public-types.js';
import { fakeClock, fakeEnvironment, FakeWebSocket } from '../test/fake-time.js';
import { testConfig } from '../test/helpers.js';

type Clock = ReturnType<typeof fakeClock>;
let clock: Clock;
let statuses: Status[];
let messages: unknown[];
let errors: string[];

beforeEach(() => {
  clock = fakeClock();
  statuses = [];
  messages = [];
  errors = [];
});

function connection(
  changes: {
    reconnect?: Partial<ConnectionSettings['reconnect']>;
    heartbeat?: Partial<ConnectionSettings['heartbeat']>;
    random?: () => number;
    auth?: () => Promise<string>;
  } = {},
): Connection {
  const base = testConfig({ url: 'ws://test/' });
  const settings: ConnectionSettings = {
    ...base,
    reconnect: { ...base.reconnect, ...changes.reconnect },
    heartbeat: { ...base.heartbeat, interval: 0, ...changes.heartbeat },
  };
  return createConnection(
    settings,
    {
      status: (status) => statuses.push(status),
      event: (event) => messages.push(event),
      error: (code, message) => errors.push(`${code}: ${message}`),
      url: async () => 'ws://test/',
      token: async () => (changes.auth ? changes.auth() : null),
      hasAuth: () => changes.auth !== undefined,
      opened: () => {},
      closed: () => {},
      log: () => {},
    },
    fakeEnvironment(clock, changes.random),
    jsonCodec,
    defaultProtocol,
  );
}

const last = () => statuses.at(-1)!;
/** The delays of the retries scheduled so far, in ms. */
const delays = () =>
  statuses.flatMap((s) => (s.nextAttemptAt !== null ? [s.nextAttemptAt - clockAt.get(s)!] : []));
const clockAt = new WeakMap<Status, number>();
function recordTimes() {
  const push = statuses.push.bind(statuses);
  statuses.push = (...items: Status[]) => {
    for (const item of items) clockAt.set(item, clock.now());
    return push(...items);
  };
}

/** Lets every attempt fail at once (the server refuses), `count` times. */
async function failAttempts(count: number) {
  for (let i = 0; i < count; i++) {
    FakeWebSocket.last.drop(1006);
    await clock.advance(last().nextAttemptAt! - clock.now());
  }
}

describe('backoff', () => {
  test('full jitter: the exact delays for a given random source, doubling up to the cap', async () => {
    recordTimes();
    const c = connection({ random: () => 0.5 });
    c.start();
    await clock.advance(0);
    await failAttempts(8);
    expect(delays()).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    expect(FakeWebSocket.instances).toHaveLength(9);
  });

  test('the jitter spans the whole window at the cap instead of collapsing onto it', async () => {
    const samples = [0.999, 0.001, 0.5];
    const delay = fullJitter({ initialDelay: 1000, factor: 2, maxDelay: 30_000 }, () => samples.shift()!);
    expect([delay(10), delay(10), delay(10)]).toEqual([29970, 30, 15000]);
  });

  test('status says which attempt comes next, when, and why', async () => {
    const c = connection({ random: () => 0.25 });
    c.start();
    await clock.advance(0);
    expect(last().state).toBe('connecting');
    FakeWebSocket.last.drop(1006);
    expect(last()).toMatchObject({
      state: 'reconnecting',
      attempt: 1,
      nextAttemptAt: clock.now() + 250,
      lastClose: { code: 1006 },
      reason: 'closed with 1006',
    });
  });

  test('the backoff starts again from the bottom only after the connection stayed open for stableAfter', async () => {
    recordTimes();
    const c = connection({ random: () => 0.5, reconnect: { stableAfter: 5000 } });
    c.start();
    await clock.advance(0);
    await failAttempts(3); // 500, 1000, 2000
    FakeWebSocket.last.open();
    await clock.advance(1000); // open, but not yet stable
    FakeWebSocket.last.drop(1006);
    await clock.advance(last().nextAttemptAt! - clock.now());
    FakeWebSocket.last.open();
    await clock.advance(5000); // stable now
    FakeWebSocket.last.drop(1006);
    expect(delays()).toEqual([500, 1000, 2000, 4000, 500]);
  });

  test('after suspendAfter of failures the hub is suspended and retries on the slow cadence', async () => {
    const c = connection({
      random: () => 0.5,
      reconnect: { suspendAfter: 20_000, suspendedRetryDelay: 30_000, maxDelay: 8000 },
    });
    c.start();
    await clock.advance(0);
    const began = clock.now();
    for (;;) {
      FakeWebSocket.last.drop(1006);
      if (last().state === 'suspended') break;
      expect(last().state).toBe('reconnecting');
      await clock.advance(last().nextAttemptAt! - clock.now());
    }
    expect(clock.now() - began).toBeGreaterThanOrEqual(20_000);
    expect(clock.now() - began).toBeLessThan(20_000 + 8000);
    // 0.5 + 0.5 / 2 = 0.75 of the slow cadence
    expect(last().nextAttemptAt! - clock.now()).toBe(22_500);
    expect(last().reason).toMatch(/^still failing after \d+ s: closed with 1006/);
    await clock.advance(22_500);
    expect(last()).toMatchObject({ state: 'suspended', nextAttemptAt: null }); // an attempt is under way
    FakeWebSocket.last.open();
    expect(last().state).toBe('open');
  });

  test('with a finite maxAttempts the hub ends in failed and makes no further attempt', async () => {
    const c = connection({ reconnect: { maxAttempts: 3 } });
    c.start();
    await clock.advance(0);
    await failAttempts(3);
    FakeWebSocket.last.drop(1006);
    expect(last()).toMatchObject({ state: 'failed', reason: 'gave up after 3 attempts: closed with 1006' });
    await clock.advance(600_000);
    expect(FakeWebSocket.instances).toHaveLength(4);
  });

  test('reconnect() tries at once and resets the backoff', async () => {
    recordTimes();
    const c = connection({ random: () => 0.5 });
    c.start();
    await clock.advance(0);
    await failAttempts(4);
    FakeWebSocket.last.drop(1006);
    expect(last().attempt).toBe(5);
    c.reconnect();
    await clock.advance(0);
    expect(FakeWebSocket.instances).toHaveLength(6);
    FakeWebSocket.last.drop(1006);
    expect(last()).toMatchObject({ attempt: 1, nextAttemptAt: clock.now() + 500 });
  });

  test('300 reconnect() calls during one attempt coalesce into it: one socket, never a second beside it (issue 26)', async () => {
    const c = connection();
    c.start();
    await clock.advance(0);
    expect(FakeWebSocket.instances).toHaveLength(1);
    for (let i = 0; i < 300; i++) c.reconnect();
    await clock.advance(0);
    expect(FakeWebSocket.instances).toHaveLength(1);
    FakeWebSocket.last.open();
    await clock.advance(0);
    expect(last().state).toBe('open');
  });

  test('an attempt that hangs is abandoned after connectTimeout and retried', async () => {
    const c = connection({ reconnect: { connectTimeout: 10_000 } });
    c.start();
    await clock.advance(9_999);
    expect(last().state).toBe('connecting');
    await clock.advance(1);
    expect(FakeWebSocket.instances[0]!.closedWith).not.toBeNull();
    expect(last()).toMatchObject({
      state: 'reconnecting',
      reason: 'no connection within connectTimeout (10000 ms)',
    });
  });

  test('connectTimeout covers the whole attempt, the wait for a token included', async () => {
    const c = connection({
      reconnect: { connectTimeout: 10_000 },
      auth: () => new Promise((resolve) => clock.setTimeout(() => resolve('late'), 8000)),
    });
    c.start();
    await clock.advance(8000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await clock.advance(1999);
    expect(last().state).toBe('connecting');
    await clock.advance(1);
    expect(FakeWebSocket.instances[0]!.closedWith).not.toBeNull();
    expect(last()).toMatchObject({
      state: 'reconnecting',
      reason: 'no connection within connectTimeout (10000 ms)',
      lastClose: { code: 1000, reason: 'connect timeout', byHub: true },
    });
  });

  test('a token that never comes is abandoned after connectTimeout like any other hung attempt', async () => {
    const c = connection({ reconnect: { connectTimeout: 3000 }, auth: () => new Promise(() => {}) });
    c.start();
    await clock.advance(3000);
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(last()).toMatchObject({
      state: 'reconnecting',
      reason: 'no connection within connectTimeout (3000 ms)',
    });
  });

  test('a socket error is reported to the tabs, not swallowed; the close that follows decides what next', async () => {
    const c = connection();
    c.start();
    await clock.advance(0);
    const ws = FakeWebSocket.last;
    ws.onerror?.({});
    expect(errors).toEqual(['socket-error: the socket to ws://test/ reported an error']);
    ws.drop(1006);
    expect(last().state).toBe('reconnecting');
    ws.onerror?.({}); // a dropped socket's late events are ignored
    expect(errors).toHaveLength(1);
  });

  test('fatal closes are not retried', async () => {
    const c = connection();
    c.start();
    await clock.advance(0);
    FakeWebSocket.last.open();
    FakeWebSocket.last.drop(1002, 'protocol error');
    expect(last()).toMatchObject({ state: 'failed', lastClose: { code: 1002 } });
    await clock.advance(600_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe('heartbeat', () => {
  test('pings after interval of silence, and a missing pong closes the socket and reconnects', async () => {
    const c = connection({ heartbeat: { interval: 30_000, timeout: 5000 } });
    c.start();
    await clock.advance(0);
    const ws = FakeWebSocket.last;
    ws.open();
    await clock.advance(29_999);
    expect(ws.sent).toEqual([]);
    await clock.advance(1);
    expect(ws.sent).toEqual([{ type: 'ping' }]);
    await clock.advance(4_999);
    expect(last().state).toBe('open');
    await clock.advance(1);
    expect(ws.closedWith).toEqual({ code: 4408, reason: 'heartbeat timeout' });
    // The hub's own close is the last close, so a status display can say what happened.
    expect(last()).toMatchObject({
      state: 'reconnecting',
      reason: 'no answer to a ping within 5000 ms',
      lastClose: { code: 4408, reason: 'heartbeat timeout', wasClean: false, byHub: true },
    });
    expect(c.counters).toMatchObject({ pingsSent: 1, heartbeatTimeouts: 1 });
  });

  test('a pong records the round trip and is not passed on; any message counts as life', async () => {
    const c = connection({ heartbeat: { interval: 1000, timeout: 500 } });
    c.start();
    await clock.advance(0);
    const ws = FakeWebSocket.last;
    ws.open();
    await clock.advance(1000);
    await clock.advance(42);
    ws.receive({ type: 'pong' });
    expect(last().rttMs).toBe(42);
    expect(messages).toEqual([]);
    await clock.advance(1000);
    expect(ws.sent).toHaveLength(2);
    ws.receive({ type: 'news' });
    await clock.advance(600);
    expect(last().state).toBe('open');
    expect(messages).toEqual([{ kind: 'other', data: { type: 'news' } }]);
  });

  test('ping and pong follow the options, for servers with other conventions', async () => {
    const c = connection({
      heartbeat: { interval: 1000, timeout: 500, ping: { action: 'ping' }, pong: { action: 'pong' } },
    });
    c.start();
    await clock.advance(0);
    FakeWebSocket.last.open();
    await clock.advance(1000);
    expect(FakeWebSocket.last.sent).toEqual([{ action: 'ping' }]);
    FakeWebSocket.last.receive({ action: 'pong' });
    await clock.advance(600);
    expect(last().state).toBe('open');
    expect(c.counters.pongsReceived).toBe(1);
  });

  test('deadlines are wall-clock: a timer that fires late still sees the real silence', async () => {
    const c = connection({ heartbeat: { interval: 1000, timeout: 500 } });
    c.start();
    await clock.advance(0);
    FakeWebSocket.last.open();
    await clock.advance(1000);
    clock.jump(10_000); // the context was throttled: no timer ran for 10 s
    c.wake();
    expect(last()).toMatchObject({ state: 'reconnecting', reason: 'no answer to a ping within 500 ms' });
  });

  test('an interval of 0 sends no ping at all', async () => {
    const c = connection({ heartbeat: { interval: 0 } });
    c.start();
    await clock.advance(0);
    FakeWebSocket.last.open();
    await clock.advance(3_600_000);
    expect(FakeWebSocket.last.sent).toEqual([]);
    expect(last().state).toBe('open');
  });
});

describe('auth', () => {
  test('the token goes in the first frame, and open waits for the server to accept it', async () => {
    const c = connection({ auth: async () => 'secret' });
    c.start();
    await clock.advance(0);
    const ws = FakeWebSocket.last;
    expect(ws.url).toBe('ws://test/');
    ws.open();
    expect(ws.sent).toEqual([{ type: 'auth', token: 'secret' }]);
    expect(last().state).toBe('connecting');
    ws.receive({ type: 'auth-ok' });
    expect(last().state).toBe('open');
    expect(c.send('"x"')).toBe(true);
  });

  test('a refusal fetches a fresh token and retries at once; a second refusal is unauthorized, for good', async () => {
    const tokens = ['expired', 'fresh', 'never used'];
    const c = connection({ auth: async () => tokens.shift()! });
    c.start();
    await clock.advance(0);
    FakeWebSocket.last.open();
    FakeWebSocket.last.drop(4401, 'token expired');
    await clock.advance(0);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.open();
    expect(FakeWebSocket.last.sent).toEqual([{ type: 'auth', token: 'fresh' }]);
    FakeWebSocket.last.drop(4403);
    expect(last()).toMatchObject({ state: 'unauthorized', lastClose: { code: 4403 } });
    await clock.advance(600_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(tokens).toEqual(['never used']);
  });

  test('an accepted token resets the one retry, so a later expiry is retried again', async () => {
    const c = connection({ auth: async () => 'token' });
    c.start();
    for (let round = 0; round < 3; round++) {
      await clock.advance(0);
      FakeWebSocket.last.open();
      FakeWebSocket.last.receive({ type: 'auth-ok' });
      FakeWebSocket.last.drop(4401);
    }
    await clock.advance(0);
    expect(FakeWebSocket.instances).toHaveLength(4);
    expect(last().state).not.toBe('unauthorized');
  });

  test('an auth function that throws is reported in the status and retried with backoff', async () => {
    let calls = 0;
    const c = connection({
      auth: async () => {
        calls++;
        throw new Error('login server down');
      },
    });
    c.start();
    await clock.advance(0);
    expect(last()).toMatchObject({
      state: 'reconnecting',
      reason: 'the auth function failed: login server down',
    });
    expect(FakeWebSocket.instances).toHaveLength(0);
    await clock.advance(last().nextAttemptAt! - clock.now());
    expect(calls).toBe(2);
  });

  test('without an auth option a refusal is unauthorized at once', async () => {
    const c = connection();
    c.start();
    await clock.advance(0);
    FakeWebSocket.last.drop(4401);
    expect(last()).toMatchObject({ state: 'unauthorized' });
    expect(last().reason).toContain('no `auth` option');
  });
});

describe('online and offline', () => {
  test('offline closes the socket and stops retrying; online tries at once', async () => {
    const c = connection({ random: () => 0.99, reconnect: { initialDelay: 60_000 } });
    c.start();
    await clock.advance(0);
    FakeWebSocket.last.open();
    c.setOnline(false);
    expect(last()).toMatchObject({ state: 'offline', reason: 'the browser is offline' });
    expect(FakeWebSocket.last.closedWith).not.toBeNull();
    await clock.advance(600_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    c.setOnline(true);
    await clock.advance(0);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.open();
    expect(last().state).toBe('open');
  });

  test('a hub that starts offline waits for online', async () => {
    const c = connection();
    c.setOnline(false);
    c.start();
    await clock.advance(10_000);
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(last().state).toBe('offline');
    c.setOnline(true);
    await clock.advance(0);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  test('wake() runs a retry that is overdue because timers ran late', async () => {
    const c = connection({ random: () => 0.5 });
    c.start();
    await clock.advance(0);
    FakeWebSocket.last.drop(1006);
    clock.jump(5000);
    c.wake();
    await clock.advance(0);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
});

test('stop closes the socket, stops retrying and reports closed', async () => {
  const c = connection();
  c.start();
  await clock.advance(0);
  FakeWebSocket.last.open();
  c.stop(1000, 'no tabs left');
  expect(FakeWebSocket.last.closedWith).toEqual({ code: 1000, reason: 'no tabs left' });
  expect(last().state).toBe('closed');
  FakeWebSocket.last.drop(1006); // a late event of the dropped socket
  await clock.advance(600_000);
  expect(FakeWebSocket.instances).toHaveLength(1);
  expect(last().state).toBe('closed');
});
