export { fullJitter, type BackoffOptions, type RetryDelay } from './backoff.js';
export { classifyClose, CloseCode, type CloseClass } from './close-codes.js';
export { jsonCodec, type Codec } from './codec.js';
export type { HubEnvironment, WebSocketConstructor, WebSocketLike } from './environment.js';
export { createHub, type Hub, type HubOptions, type TabSink } from './hub.js';
export type { LockManagerLike } from './locks.js';
export type * from './protocol.js';
export { hostSharedWorker, type HostOptions, type SharedWorkerScopeLike } from './shared-worker-host.js';
export { defaultProtocol, type WireProtocol } from './wire-protocol.js';
