// A promise with a deadline, for calls to a party that may never answer (a frozen tab, a dead hub).
import type { HubEnvironment } from './environment.js';

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

type Timers = Pick<HubEnvironment, 'setTimeout' | 'clearTimeout'>;

const globalTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** Settles like `promise`, or rejects with a TimeoutError saying `message` after `ms`. */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  message: string,
  timers: Timers = globalTimers,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = timers.setTimeout(() => reject(new TimeoutError(message)), ms);
    promise.then(resolve, reject).finally(() => timers.clearTimeout(timer));
  });
}
