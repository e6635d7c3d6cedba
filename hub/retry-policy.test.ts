// The retry policy from a table: one row per rule, each naming what a user would see.
import { expect, test } from 'vitest';
import { decideRetry, type Ending, type RetryState } from './retry-policy.js';
import type { ReconnectSettings } from '../protocol/session-types.js';

const settings: ReconnectSettings = {
  initialDelay: 500,
  factor: 2,
  maxDelay: 30_000,
  maxAttempts: 5,
  stableAfter: 5_000,
  connectTimeout: 10_000,
  suspendAfter: 60_000,
  suspendedRetryDelay: 60_000,
};
const state: RetryState = { attempt: 0, outageSince: null, authRetried: false, online: true, hasAuth: true };
const closed = (code: number, cls: Ending['class'], wasReady = false): Ending => ({
  class: cls,
  code,
  what: `closed with ${code}`,
  wasReady,
});

test.each<[string, Partial<RetryState>, Ending, number, unknown]>([
  [
    'an auth close with `auth` set asks for a fresh token once',
    {},
    closed(4401, 'auth'),
    0,
    { action: 'auth-again' },
  ],
  [
    'a second auth close stops: unauthorized',
    { authRetried: true },
    closed(4401, 'auth'),
    0,
    { action: 'stop', state: 'unauthorized', reason: 'the server refused the credentials twice (4401)' },
  ],
  [
    'an auth close without `auth` stops at once, saying so',
    { hasAuth: false },
    closed(4403, 'auth'),
    0,
    {
      action: 'stop',
      state: 'unauthorized',
      reason: 'the server refused the connection (4403) and no `auth` option is set',
    },
  ],
  [
    'a fatal close is not retried',
    {},
    closed(1002, 'fatal'),
    0,
    { action: 'stop', state: 'failed', reason: 'closed with 1002, which is not retried' },
  ],
  [
    'a dropped open socket starts an outage: attempt 1',
    { attempt: 0 },
    closed(1006, 'retry', true),
    1_000,
    { action: 'retry', attempt: 1, suspended: false, outageSince: 1_000, reason: 'closed with 1006' },
  ],
  [
    'a failed attempt counts on from the outage',
    { attempt: 2, outageSince: 500 },
    closed(1006, 'retry'),
    1_000,
    { action: 'retry', attempt: 3, suspended: false, outageSince: 500, reason: 'closed with 1006' },
  ],
  [
    'past maxAttempts it gives up, naming the count',
    { attempt: 5, outageSince: 0 },
    closed(1006, 'retry'),
    1_000,
    { action: 'stop', state: 'failed', attempt: 5, reason: 'gave up after 5 attempts: closed with 1006' },
  ],
  ['offline waits for the network', { online: false }, closed(1006, 'retry'), 0, { action: 'offline' }],
  [
    'an outage longer than suspendAfter is suspended, and says for how long',
    { attempt: 1, outageSince: 0 },
    closed(1006, 'retry'),
    61_000,
    {
      action: 'retry',
      attempt: 2,
      suspended: true,
      outageSince: 0,
      reason: 'still failing after 61 s: closed with 1006',
    },
  ],
])('%s', (_, changes, ending, now, expected) => {
  expect(decideRetry(settings, { ...state, ...changes }, ending, now)).toEqual(expected);
});
