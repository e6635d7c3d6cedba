// Which transport the next attempt uses: the socket while it works, the HTTP fallback once it has failed a few times
// in a row, long polling where a stream never gets through. Pure, so its table is tested without a clock.
import type { FallbackSettings } from '../protocol/session-types.js';

/** `stream`: Server-Sent Events over one response; `polling`: long polls, for proxies that buffer responses. */
export type Transport = 'websocket' | 'stream' | 'polling';

export interface TransportChoice {
  readonly transport: Transport;
  /** Socket attempts in a row that never reached the server. */
  readonly socketFailures: number;
  /** A stream timed out before its first event: something on the way holds responses back. */
  readonly streamHeldBack: boolean;
}

export const FIRST_CHOICE: TransportChoice = {
  transport: 'websocket',
  socketFailures: 0,
  streamHeldBack: false,
};

/**
 * After an attempt that failed before it was open: `timedOut` when it hit the connect timeout (for a stream, the
 * mark of a proxy that holds responses back), else refused or cut. HTTP that fails too sends the next attempt back to
 * the socket, so the two alternate while neither works.
 */
export function afterFailure(
  choice: TransportChoice,
  timedOut: boolean,
  fallback: FallbackSettings | null,
): TransportChoice {
  switch (choice.transport) {
    case 'websocket': {
      const socketFailures = choice.socketFailures + 1;
      const http = choice.streamHeldBack ? 'polling' : 'stream';
      return {
        ...choice,
        transport: fallback && socketFailures >= fallback.after ? http : 'websocket',
        socketFailures,
      };
    }
    case 'stream':
      return timedOut
        ? { ...choice, transport: 'polling', streamHeldBack: true }
        : { ...choice, transport: 'websocket' };
    case 'polling':
      return { ...choice, transport: 'websocket' };
  }
}

/** An attempt got through: a socket that works is trusted again from scratch. */
export function afterOpen(choice: TransportChoice): TransportChoice {
  return choice.transport === 'websocket' ? FIRST_CHOICE : choice;
}
