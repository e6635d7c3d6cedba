// What the hub does after a socket closed or an attempt failed: a pure function of the close and the outage so far,
// so every rule can be read in one place and tested from a table.
import type { CloseClass } from '../protocol/close-codes.js';
import type { ReconnectSettings } from '../protocol/session-types.js';

/** The outage as the connection knows it when an attempt ends. */
export interface RetryState {
  /** Failed attempts so far in this outage (`Status.attempt`). */
  readonly attempt: number;
  /** When the outage began (`null`: the socket was up until now). */
  readonly outageSince: number | null;
  /** Whether the one immediate retry with a fresh token was spent. */
  readonly authRetried: boolean;
  readonly online: boolean;
  /** Whether any tab offers `auth`. */
  readonly hasAuth: boolean;
}

/** How an attempt ended: a close of the socket (classified), or a failure before one (a timeout, `auth` threw). */
export interface Ending {
  readonly class: CloseClass;
  readonly code: number | null;
  /** Says what happened, for the status's reason. */
  readonly what: string;
  /** The socket had been open and accepted: the outage starts now. */
  readonly wasReady: boolean;
}

export type RetryDecision =
  /** Ask the tabs for a fresh token and try again at once. */
  | { readonly action: 'auth-again' }
  /** Stop trying: the status turns `state` with `reason`. */
  | {
      readonly action: 'stop';
      readonly state: 'unauthorized' | 'failed';
      readonly reason: string;
      readonly attempt?: number;
    }
  /** Wait for the browser to come back online. */
  | { readonly action: 'offline' }
  /** Try again after a backoff (`suspended`: on the slow cadence of a long outage). */
  | {
      readonly action: 'retry';
      readonly attempt: number;
      readonly suspended: boolean;
      readonly outageSince: number;
      readonly reason: string;
    };

export function decideRetry(
  settings: ReconnectSettings,
  state: RetryState,
  ending: Ending,
  now: number,
): RetryDecision {
  switch (ending.class) {
    case 'auth':
      // Once, at once, with a fresh token: an expired token is the usual cause.
      if (state.hasAuth && !state.authRetried) return { action: 'auth-again' };
      return {
        action: 'stop',
        state: 'unauthorized',
        reason: state.hasAuth
          ? `the server refused the credentials twice (${ending.code})`
          : `the server refused the connection (${ending.code}) and no \`auth\` option is set`,
      };
    case 'fatal':
      return { action: 'stop', state: 'failed', reason: `${ending.what}, which is not retried` };
    case 'retry': {
      const attempt = ending.wasReady ? 1 : state.attempt + 1;
      const outageSince = state.outageSince ?? now;
      if (attempt > settings.maxAttempts)
        return {
          action: 'stop',
          state: 'failed',
          attempt: attempt - 1,
          reason: `gave up after ${attempt - 1} attempts: ${ending.what}`,
        };
      if (!state.online) return { action: 'offline' };
      const suspended = now - outageSince >= settings.suspendAfter;
      return {
        action: 'retry',
        attempt,
        suspended,
        outageSince,
        reason: suspended
          ? `still failing after ${Math.round((now - outageSince) / 1000)} s: ${ending.what}`
          : ending.what,
      };
    }
  }
}
