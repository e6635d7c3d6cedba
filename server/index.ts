/**
 * The package `tabmux/server`: tabmux's protocol for Node, on one process or a fleet sharing Redis.
 * @module tabmux/server
 */
export { channelAllowed, type AccessRequest, type Authorize } from './access.js';
export type { Broker, History, SessionRelay, StoredMessage } from './broker.js';
export { classifyClose, CloseCode, type CloseClass } from '../protocol/close-codes.js';
export { createTabmuxServer, type TabmuxServer } from './create-server.js';
export { httpRoutes, type HttpRoutesOptions } from './http-routes.js';
export { jwtAccess, type JwtIdentity, type JwtOptions } from './jwt.js';
export type { ServerLogger } from './log.js';
export { memoryBroker, type MemoryBroker, type MemoryBrokerOptions } from './memory-broker.js';
export { redisBroker, type RedisBrokerOptions } from './redis-broker.js';
export type { ClientInfo, ServerOptions, ServerStats } from './types.js';
