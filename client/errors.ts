// The error tabmux gives an app: a stable `code` beside the message.
import { messageOf } from '../worker/errors.js';
import type { ErrorCode } from '../worker/public-types.js';

/** The error tabmux emits and rejects with; `code` is stable and machine-readable. */
export class TabmuxError extends Error {
  override readonly name = 'TabmuxError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

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
};

/** Any error as a TabmuxError: a hub's error keeps the code it crossed the port with; others get `fallback`. */
export function toTabmuxError(error: unknown, fallback: ErrorCode): TabmuxError {
  if (error instanceof TabmuxError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  return new TabmuxError(
    typeof code === 'string' && Object.hasOwn(CODES, code) ? (code as ErrorCode) : fallback,
    messageOf(error),
  );
}
