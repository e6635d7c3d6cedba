// Asking the tabs for what only they have (a token, a URL): the newest tab first, the next one if that fails.
import type { HubEnvironment } from './environment.js';
import { withDeadline } from './deadline.js';
import { messageOf } from './errors.js';

/** A function a tab lent the hub, and what to call it in errors. */
export type Provider = () => unknown;

/**
 * Calls `providers` in turn until one returns a string within `deadlineMs`; rejects with the last failure.
 * `what` names the value in errors ("a token").
 */
export async function askTabs(
  providers: readonly Provider[],
  what: string,
  deadlineMs: number,
  env: Pick<HubEnvironment, 'setTimeout' | 'clearTimeout'>,
): Promise<string> {
  let lastError: unknown = new Error(`no tab offers ${what}`);
  for (const provider of providers) {
    try {
      const value = await withDeadline(
        Promise.resolve().then(provider),
        deadlineMs,
        `no ${what} within ${deadlineMs} ms`,
        env,
      );
      if (typeof value !== 'string') throw new TypeError(`${what} must be a string; got ${typeof value}`);
      return value;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(messageOf(lastError));
}
