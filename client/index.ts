// The package `tabmux`: createClient and the public types.
export { createClient } from './create-client.js';
export type { ChannelMap, Client, ClientEvents, RequestOptions } from './client-types.js';
export type { ChannelEnd, ChannelHandler, SubscribeOptions } from './subscriptions.js';
export { defaultProtocol, type WireProtocol } from '../worker/wire-protocol.js';
export type { ServerEvent } from '../worker/wire-types.js';
export type { Codec, Frame } from '../worker/codec.js';
export { graphqlChannel, type GraphqlOperation } from '../worker/protocols/graphql-channel.js';
export type { GraphqlWsOptions, ProtocolName, SocketIoOptions } from '../worker/protocols/protocol-spec.js';
export { TabmuxError } from './errors.js';
export type {
  ClientOptions,
  HeartbeatOptions,
  OutboxOptions,
  ProtocolOption,
  ReconnectOptions,
  TransportOption,
  UrlFunction,
} from './options.js';
export type { TransportName } from './transport.js';
export { classifyClose, CloseCode, type CloseClass } from '../worker/close-codes.js';
export type {
  CloseInfo,
  ConnectionState,
  ErrorCode,
  Gap,
  Reset,
  RefusalReason,
  SendResult,
  Stats,
  Status,
} from '../worker/public-types.js';
export type { TokenProvider } from '../worker/session-types.js';
