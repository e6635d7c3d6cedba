// From a socket frame to what it means: decoded by the codec, a pong recognised, the rest parsed by the protocol.
import type { Codec } from './codec.js';
import type { ServerEvent } from './server-event.js';
import type { WireProtocol } from './wire-protocol.js';

/** What one frame means, or why it could not be read. */
export function readFrame(
  raw: string | ArrayBuffer,
  codec: Codec,
  protocol: WireProtocol,
  pong: Readonly<Record<string, unknown>>,
): ServerEvent | { readonly undecodable: string } {
  let data: unknown;
  try {
    data = codec.decode(raw);
  } catch (error) {
    if (typeof raw === 'string' && protocol.parseText) return protocol.parseText(raw);
    return { undecodable: error instanceof Error ? error.message : String(error) };
  }
  // A pong is the hub's own business and goes no further.
  return matches(data, pong) ? { kind: 'pong' } : protocol.parse(data);
}

/** The messages that open a socket: the protocol's handshake, or the token in its `auth` message. */
export function handshakeMessages(protocol: WireProtocol, token: string | null): readonly unknown[] {
  if (protocol.handshake) return protocol.handshake(token) ?? [];
  if (token === null) return [];
  if (!protocol.auth)
    throw new TypeError('the protocol has neither `handshake` nor `auth` to carry the token');
  return [protocol.auth(token)];
}

/** Whether `data` is an object whose fields equal every field of `pattern`. */
function matches(data: unknown, pattern: Readonly<Record<string, unknown>>): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const record = data as Record<string, unknown>;
  return Object.keys(pattern).every((key) => record[key] === pattern[key]);
}
