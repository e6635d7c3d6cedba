// The error tabmux gives an app: a stable `code` beside the message.
import { messageOf } from '../hub/errors.js';
import { isErrorCode } from '../protocol/errors.js';
import type { ErrorCode } from '../protocol/public-types.js';

/** The error tabmux emits and rejects with; `code` is stable and machine-readable. */
export class TabmuxError extends Error {
  override readonly name = 'TabmuxError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Any error as a TabmuxError: a hub's error keeps the code it crossed the port with; others get `fallback`. */
export function toTabmuxError(error: unknown, fallback: ErrorCode): TabmuxError {
  if (error instanceof TabmuxError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  return new TabmuxError(isErrorCode(code) ? code : fallback, messageOf(error));
}
