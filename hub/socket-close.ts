// How the hub lets go of a socket, and how it reports a close it made itself.
import type { WebSocketLike } from './environment.js';
import type { CloseInfo } from '../protocol/public-types.js';

/**
 * Closes a socket the hub lets go of. A browser accepts only 1000 and 3000–4999 (and a reason of at most 123
 * bytes): should it still refuse, the socket is closed without a code rather than left open and forgotten.
 */
export function closeSocket(ws: WebSocketLike, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    try {
      ws.close();
    } catch {
      // Only a socket that is already closing or closed refuses even this.
    }
  }
}

/** A close the hub made itself, as the status reports it. */
export function hubClose(code: number, reason: string): CloseInfo {
  return { code, reason, wasClean: false, byHub: true };
}
