// Errors as they cross the tab ⇄ hub boundary: every code, and the one class a lost hub is reported with.
import type { ErrorCode } from './public-types.js';

/** Every code, so a code that crossed a port can be checked; a new ErrorCode fails to compile until it is here. */
const CODES: Readonly<Record<ErrorCode, true>> = {
  'decode-failed': true,
  'encode-failed': true,
  'socket-error': true,
  'transport-failed': true,
  'bad-request': true,
  'request-timeout': true,
  'connection-closed': true,
  'server-error': true,
  refused: true,
  closed: true,
  undeliverable: true,
  'protocol-error': true,
  forbidden: true,
  'rate-limited': true,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(CODES, value);
}

/**
 * A call that was under way when the tab's link to its hub ended, or that reached a hub the tab is not attached to.
 * Comlink rebuilds errors that cross a port as plain `Error`s that keep their `name`; `rebuildHubLost` turns such
 * an error back into this class at the port, so that everything past it can use `instanceof`.
 */
export class HubLostError extends Error {
  override readonly name = 'HubLostError';
}

/** `error` as a `HubLostError` when it is one that crossed a port, else `error` unchanged. */
export function rebuildHubLost(error: unknown): unknown {
  if (error instanceof HubLostError || !(error instanceof Error) || error.name !== 'HubLostError')
    return error;
  return new HubLostError(error.message);
}
