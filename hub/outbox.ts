// What waits while the socket is down: first in, first out, bounded in count and bytes; nothing is dropped.
import type { Frame } from './codec.js';
import type { OutboxSettings } from '../protocol/session-types.js';

interface Entry {
  readonly frame: Frame;
  readonly bytes: number;
  readonly onSent: (() => void) | undefined;
}

export function createOutbox(settings: OutboxSettings) {
  let entries: Entry[] = [];
  let bytes = 0;

  return {
    get size() {
      return entries.length;
    },
    get bytes() {
      return bytes;
    },
    /** Queues a frame, or says why it cannot wait. */
    offer(frame: Frame, size: number, onSent?: () => void): string | null {
      if (entries.length >= settings.maxMessages) {
        return `the outbox holds ${entries.length} messages, its limit (outbox.maxMessages)`;
      }
      if (bytes + size > settings.maxBytes) {
        return `the outbox holds ${bytes} bytes and this message takes ${size}; the limit is ${settings.maxBytes} (outbox.maxBytes)`;
      }
      entries.push({ frame, bytes: size, onSent });
      bytes += size;
      return null;
    },
    /** Sends in order while `send` succeeds; what it refuses stays queued, in order. */
    drain(send: (frame: Frame) => boolean): void {
      let sent = 0;
      for (const entry of entries) {
        if (!send(entry.frame)) break;
        sent++;
        bytes -= entry.bytes;
        entry.onSent?.();
      }
      entries = sent === entries.length ? [] : entries.slice(sent);
    },
  };
}
