// The names of a tab session's methods, for the code that carries them across a port (host and client alike).
import type { TabSession } from './session-types.js';

export const SESSION_METHODS = [
  'send',
  'subscribe',
  'unsubscribe',
  'publish',
  'request',
  'cancelRequest',
  'stats',
  'reconnect',
  'network',
  'wake',
  'debug',
  'detach',
] as const satisfies readonly (keyof TabSession)[];

// Fails to compile when TabSession gains a method this list lacks.
true satisfies Exclude<keyof TabSession, (typeof SESSION_METHODS)[number]> extends never ? true : never;
