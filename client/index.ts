export {
  createClient,
  type Client,
  type ClientEvents,
  type Gap,
  type RequestOptions,
} from './create-client.js';
export type { ChannelHandler, SubscribeOptions } from './subscriptions.js';
export { defaultProtocol, type WireProtocol } from '../worker/wire-protocol.js';
export { TabmuxError } from './errors.js';
export type {
  ClientOptions,
  HeartbeatOptions,
  OutboxOptions,
  ReconnectOptions,
  TransportOption,
} from './options.js';
export type { TransportName } from './transport.js';
export { CloseCode } from '../worker/close-codes.js';
export type * from '../worker/protocol.js';
