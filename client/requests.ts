// This tab's requests waiting for their replies, each with its own timeout.
import type { ErrorInfo } from '../protocol/session-types.js';
import { TabmuxError } from './errors.js';

interface Pending {
  readonly resolve: (data: unknown) => void;
  readonly reject: (error: TabmuxError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export function createRequests() {
  const pending = new Map<string, Pending>();
  let counter = 0;

  function take(id: string): Pending | undefined {
    const entry = pending.get(id);
    if (entry) {
      pending.delete(id);
      clearTimeout(entry.timer);
    }
    return entry;
  }

  return {
    /** Registers a request; `onTimeout` runs if no answer comes within `timeoutMs`. */
    start(timeoutMs: number, onTimeout: (id: string) => void): { id: string; reply: Promise<unknown> } {
      const id = String(++counter);
      const reply = new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          take(id);
          onTimeout(id);
          reject(new TabmuxError('request-timeout', `tabmux: no reply within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
      });
      return { id, reply };
    },
    resolve(id: string, data: unknown): void {
      take(id)?.resolve(data);
    },
    reject(id: string, error: ErrorInfo | TabmuxError): void {
      take(id)?.reject(error instanceof TabmuxError ? error : new TabmuxError(error.code, error.message));
    },
    rejectAll(code: ErrorInfo['code'], message: string): void {
      for (const id of [...pending.keys()]) take(id)?.reject(new TabmuxError(code, message));
    },
  };
}
