import type { ErrorCode } from '../worker/protocol.js';

/** The error tabmux emits; `code` is stable and machine-readable. */
export class TabmuxError extends Error {
  override readonly name = 'TabmuxError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
