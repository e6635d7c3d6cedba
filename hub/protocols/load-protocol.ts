// Loads a built-in protocol when a hub needs it: each is a chunk of its own, so apps that use none never ship one.
import type { WireProtocol } from '../wire-protocol.js';
import type { ProtocolSpec } from '../../protocol/protocol-spec.js';

/** A new protocol object for one hub (built-in protocols keep per-connection state). */
export async function loadProtocol(spec: ProtocolSpec): Promise<WireProtocol> {
  switch (spec.name) {
    case 'graphql-ws':
      return (await import('./graphql-ws.js')).graphqlWsProtocol(spec.options);
    case 'socket.io':
      return (await import('./socket-io.js')).socketIoProtocol(spec.options);
  }
}
