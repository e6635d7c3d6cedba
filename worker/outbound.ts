// What goes to the server: encoded, checked for size, then sent now or queued in the outbox, nothing overtaking it.
import { frameBytes, type Codec, type Frame } from './codec.js';
import type { Connection } from './connection.js';
import { errorEvent, messageOf, refused } from './errors.js';
import { createOutbox } from './outbox.js';
import type { SendResult } from './public-types.js';
import type { HubConfig, HubEvent } from './session-types.js';

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
      let frame: Frame;
      try {
        frame = codec.encode(message);
      } catch (error) {
        report(errorEvent('encode-failed', `a control message could not be encoded: ${messageOf(error)}`));
        return;
      }
      const bytes = frameBytes(frame, config.maxMessageBytes);
      if (bytes > config.maxMessageBytes) {
        report(
          errorEvent(
            'encode-failed',
            `${what} frame of ${bytes} bytes is over maxMessageBytes (${config.maxMessageBytes}); it was not sent`,
          ),
        );
        return;
      }
      if (connection.send(frame)) sent++;
    },
    /** The one path for everything a tab sends; `onSent` runs once it is on the socket. */
    deliver(message: unknown, onSent?: () => void): SendResult {
      let frame: Frame;
      try {
        frame = codec.encode(message);
      } catch (error) {
        return refused('not-encodable', `the data cannot be encoded: ${messageOf(error)}`);
      }
      const bytes = frameBytes(frame, config.maxMessageBytes);
      if (bytes > config.maxMessageBytes) {
        return refused(
          'too-large',
          `the message takes ${bytes} bytes; maxMessageBytes is ${config.maxMessageBytes}`,
        );
      }
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
