/**
 * The package `tabmux/hub`: the hub, pure TypeScript with no DOM, for hosts of your own (a worker, a page, Node) and
 * the protocols built in. The SharedWorker host is `tabmux/worker/host`.
 * @module tabmux/hub
 */
export { fullJitter, type BackoffOptions, type RetryDelay } from './backoff.js';
export { jsonCodec, type Codec, type Frame } from './codec.js';
export type { HubEnvironment, TimerHandle, WebSocketConstructor, WebSocketLike } from './environment.js';
export type { FetchLike } from './http-socket.js';
export { createHub, type Hub, type HubOptions } from './hub.js';
export { graphqlChannel, type GraphqlOperation } from './protocols/graphql-channel.js';
export { graphqlWsProtocol } from './protocols/graphql-ws.js';
export { loadProtocol } from './protocols/load-protocol.js';
export { socketIoProtocol } from './protocols/socket-io.js';
export type { ServerEvent } from './server-event.js';
export type { ReadLimits } from './read-credit.js';
export type { TabSink } from './tab-queue.js';
export { defaultProtocol, type WireProtocol } from './wire-protocol.js';
export { classifyClose, CloseCode, type CloseClass } from '../protocol/close-codes.js';
export { MAX_CHANNEL_LENGTH, MAX_SEQ } from '../protocol/channel-name.js';
export {
  PROTOCOL_NAMES,
  type GraphqlWsOptions,
  type ProtocolName,
  type ProtocolSpec,
  type SocketIoOptions,
} from '../protocol/protocol-spec.js';
export type {
  CloseInfo,
  ConnectionState,
  ErrorCode,
  Gap,
  LogEntry,
  LogLevel,
  RefusalReason,
  Reset,
  SendResult,
  Stats,
  Status,
  TabmuxErrorLike,
} from '../protocol/public-types.js';
export type {
  ErrorInfo,
  FallbackSettings,
  HeartbeatSettings,
  HubConfig,
  HubEvent,
  OutboxSettings,
  ReconnectSettings,
  SubscribeRequest,
  TabProviders,
  TabSession,
  TokenProvider,
  UrlProvider,
} from '../protocol/session-types.js';
export type { RefusalCode, Wire } from '../protocol/wire-messages.js';
