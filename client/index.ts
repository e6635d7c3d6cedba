/**
 * The package `tabmux`: createClient and the public types.
 * @module tabmux
 */
export { createClient } from './create-client.js';
export type { AnyChannels, ChannelMap, Client, ClientEvents, RequestOptions } from './client-types.js';
export type { Listener } from './emitter.js';
export type { ChannelEnd, ChannelHandler, SubscribeOptions } from './subscriptions.js';
export { defaultProtocol, type WireProtocol } from '../hub/wire-protocol.js';
export { HubLostError } from '../protocol/errors.js';
export type { ServerEvent } from '../hub/server-event.js';
export type { RefusalCode } from '../protocol/wire-messages.js';
export type { Codec, Frame } from '../hub/codec.js';
export { graphqlChannel, type GraphqlOperation } from '../hub/protocols/graphql-channel.js';
export type { GraphqlWsOptions, ProtocolName, SocketIoOptions } from '../protocol/protocol-spec.js';
export { TabmuxError } from './errors.js';
export type {
  ClientOptions,
  FallbackOptions,
  HeartbeatOptions,
  OutboxOptions,
  ProtocolOption,
  ReconnectOptions,
  TransportOption,
  UrlFunction,
} from './options.js';
export type { TransportName } from './transport.js';
export { classifyClose, CloseCode, type CloseClass } from '../protocol/close-codes.js';
export type {
  CloseInfo,
  ConnectionState,
  ErrorCode,
  Gap,
  LogEntry,
  LogLevel,
  Reset,
  RefusalReason,
  SendResult,
  Stats,
  Status,
} from '../protocol/public-types.js';
export type { TokenProvider } from '../protocol/session-types.js';
