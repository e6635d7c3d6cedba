export { createClient, type Client, type ClientEvents } from './create-client.js';
export { TabmuxError } from './errors.js';
export type { ClientOptions, TransportOption } from './options.js';
export type { TransportName } from './transport.js';
export { CloseCode } from '../worker/close-codes.js';
export type * from '../worker/protocol.js';
