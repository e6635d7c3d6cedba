// The package `tabmux/hub`: the hub and its SharedWorker host, for worker entries of your own.
export { fullJitter, type BackoffOptions, type RetryDelay } from './backoff.js';
export { classifyClose, CloseCode, type CloseClass } from './close-codes.js';
export { jsonCodec, type Codec, type Frame } from './codec.js';
export type { HubEnvironment, WebSocketConstructor, WebSocketLike } from './environment.js';
export { createHub, type Hub, type HubOptions } from './hub.js';
export type { LockManagerLike } from './locks.js';
export { graphqlChannel, type GraphqlOperation } from './protocols/graphql-channel.js';
export { graphqlWsProtocol } from './protocols/graphql-ws.js';
export { loadProtocol } from './protocols/load-protocol.js';
export {
  PROTOCOL_NAMES,
  type GraphqlWsOptions,
  type ProtocolName,
  type ProtocolSpec,
  type SocketIoOptions,
} from './protocols/protocol-spec.js';
export { socketIoProtocol } from './protocols/socket-io.js';
export type * from './public-types.js';
export type * from './session-types.js';
export { hostSharedWorker, type HostOptions, type SharedWorkerScopeLike } from './shared-worker-host.js';
export type { TabSink } from './tab-queue.js';
export { defaultProtocol, type WireProtocol } from './wire-protocol.js';
export type * from './wire-types.js';
