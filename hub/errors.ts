// Errors and refusals as the hub reports them, built in one place so they read the same everywhere.
import type { ErrorCode, RefusalReason, SendResult } from '../protocol/public-types.js';
import type { ErrorInfo, HubEvent } from '../protocol/session-types.js';

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function errorInfo(code: ErrorCode, message: string): ErrorInfo {
  return { name: 'TabmuxError', code, message };
}

export function errorEvent(code: ErrorCode, message: string): HubEvent {
  return { type: 'error', error: errorInfo(code, message) };
}

export function refused(reason: RefusalReason, message: string): SendResult {
  return { outcome: 'refused', reason, message };
}

/** A malformed call from a tab. Its `code` crosses the port with it (see shared-worker-host.ts). */
export class BadRequest extends TypeError {
  readonly code: ErrorCode = 'bad-request';
  constructor(message: string) {
    super(`tabmux: ${message}`);
  }
}
