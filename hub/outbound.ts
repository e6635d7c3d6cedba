// What goes to the server: encoded, checked for size, then sent now or queued in the outbox, nothing overtaking it.
import { encodeFrame, unsentFrame, type Codec } from './codec.js';
import type { Connection } from './connection-types.js';
import { errorEvent, refused } from './errors.js';
import { createOutbox } from './outbox.js';
import type { SendResult } from '../protocol/public-types.js';
import type { HubConfig, HubEvent } from '../protocol/session-types.js';

export function createOutbound(
  config: HubConfig,
  codec: Codec,
  connection: Connection,
  report: (event: HubEvent) => void,
) {
  const outbox = createOutbox(config.outbox);
  let sent = 0;

  return {
    /** Frames sent to the server. */
    get sent() {
      return sent;
    },
    get queuedMessages() {
      return outbox.size;
    },
    get queuedBytes() {
      return outbox.bytes;
    },
    /**
     * A control message (`what`: "a subscribe") goes now if the socket is ready; otherwise the hub sends its state
     * again when the socket opens. One the codec cannot encode, or larger than maxMessageBytes, is reported instead.
     */
    control(message: unknown, what: string): void {
      const encoded = encodeFrame(codec, message, config.maxMessageBytes);
      if (!('frame' in encoded)) {
        const problem =
          encoded.problem === 'not-encodable'
            ? `a control message could not be encoded: ${encoded.error}`
            : unsentFrame(encoded, what, config.maxMessageBytes);
        return report(errorEvent('encode-failed', problem));
      }
      if (connection.send(encoded.frame)) sent++;
    },
    /** The one path for everything a tab sends; `onSent` runs once it is on the socket. */
    deliver(message: unknown, onSent?: () => void): SendResult {
      const encoded = encodeFrame(codec, message, config.maxMessageBytes);
      if (!('frame' in encoded)) {
        return encoded.problem === 'not-encodable'
          ? refused('not-encodable', `the data cannot be encoded: ${encoded.error}`)
          : refused(
              'too-large',
              `the message takes ${encoded.bytes} bytes; maxMessageBytes is ${config.maxMessageBytes}`,
            );
      }
      const { frame, bytes } = encoded;
      // Nothing overtakes the queue: while it holds anything, new messages join its end.
      if (outbox.size === 0 && connection.send(frame)) {
        sent++;
        onSent?.();
        return { outcome: 'sent' };
      }
      if (config.outbox.maxMessages === 0) {
        return refused('not-open', `the socket is not open (status: ${connection.status.state})`);
      }
      const full = outbox.offer(frame, bytes, onSent);
      return full ? refused('outbox-full', `the socket is down and ${full}`) : { outcome: 'queued' };
    },
    /** The socket opened: what waited goes out, in order. */
    drain(): void {
      outbox.drain((frame) => {
        if (!connection.send(frame)) return false;
        sent++;
        return true;
      });
    },
  };
}
