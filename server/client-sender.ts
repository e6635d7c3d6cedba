// What goes to one client: queued texts leave together at the end of the tick, as one batch frame, because a
// browser pays per frame far more than per byte; pongs and auth answers go alone, after what was queued before them.
import type { ClientSocket } from './client-socket.js';
import { encodeBatch } from '../protocol/wire.js';
import type { Counters } from './client-connection.js';

/** The most messages one batch frame carries. */
const BATCH_LIMIT = 500;

export interface Sender {
  queue(text: string): void;
  /** Flushes what is queued, then sends `text` as a frame of its own. */
  alone(text: string): void;
  /** Nothing more is sent (the socket is closing). */
  stop(): void;
}

/**
 * `slow` is called when more than `maxBufferedBytes` wait for a client that does not read; `wrote` after each frame
 * that left bytes waiting (for the server-wide budget).
 */
export function createSender(
  ws: ClientSocket,
  maxBufferedBytes: number,
  counters: Counters,
  slow: () => void,
  wrote: () => void = () => {},
): Sender {
  let outgoing: string[] = [];
  let scheduled = false;
  let stopped = false;

  function flush(): void {
    scheduled = false;
    const texts = outgoing;
    outgoing = [];
    for (let i = 0; i < texts.length && !stopped; i += BATCH_LIMIT) {
      const part = texts.slice(i, i + BATCH_LIMIT);
      write(encodeBatch(part), part.length);
    }
  }

  function write(frame: string, messages: number): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame);
    counters.messagesOut += messages;
    counters.framesOut++;
    counters.bytesOut += frame.length;
    // A client that does not read would make the server hold everything for it: it is let go instead.
    if (ws.bufferedAmount > maxBufferedBytes) slow();
    else if (ws.bufferedAmount > 0) wrote();
  }

  return {
    queue(text) {
      if (stopped) return;
      outgoing.push(text);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    alone(text) {
      flush();
      if (!stopped) write(text, 1);
    },
    stop() {
      stopped = true;
    },
  };
}
