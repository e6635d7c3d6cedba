// The connection as the hub sees it: what it is told, what it calls back, what it counts.
import type { Frame } from './codec.js';
import type { RoutedEvent } from './server-event.js';
import type { ErrorCode, LogLevel, Stats, Status } from '../protocol/public-types.js';
import type { FallbackSettings, HeartbeatSettings, ReconnectSettings } from '../protocol/session-types.js';

export interface ConnectionSettings {
  /** The largest frame the hub may send, auth and ping included. */
  readonly maxMessageBytes: number;
  readonly protocols: readonly string[];
  readonly reconnect: ReconnectSettings;
  readonly heartbeat: HeartbeatSettings;
  readonly fallback: FallbackSettings | null;
}

export interface ConnectionHooks {
  status(status: Status): void;
  /** A server event for the hub's channels and requests; the connection handles the rest itself. */
  event(event: RoutedEvent): void;
  error(code: ErrorCode, message: string): void;
  /** Resolves to the URL for the next attempt (checked and absolute); rejects when none can be had. */
  url(): Promise<string>;
  /** Resolves to a token for the next attempt, or to `null` when no tab offers `auth`. */
  token(): Promise<string | null>;
  /** Whether any tab offers `auth` (decides how an auth close is handled). */
  hasAuth(): boolean;
  /** The socket is open and accepted: resubscribe and flush before anything newer goes out. */
  opened(): void;
  /** A socket that was open is gone: whatever was sent on it and not answered will not be. */
  closed(): void;
  /** A line of the hub's log; `message` is called only when a tab wants it. */
  log(level: LogLevel, message: () => string): void;
}

export interface Connection {
  readonly status: Status;
  readonly socketState: Stats['socket'];
  readonly transport: Stats['transport'];
  readonly counters: Readonly<ConnectionCounters>;
  /** The hub wants a socket: connect unless one is open, under way, or the hub gave up. */
  start(): void;
  /** The hub wants no socket: close it and stop retrying. */
  stop(code: number, reason: string): void;
  reconnect(): void;
  setOnline(online: boolean): void;
  wake(): void;
  /** Sends an encoded frame if the socket is open and authenticated; says whether it did. */
  send(frame: Frame): boolean;
}

export interface ConnectionCounters {
  connections: number;
  reconnectAttempts: number;
  pingsSent: number;
  pongsReceived: number;
  heartbeatTimeouts: number;
  decodeErrors: number;
  framesIn: number;
}
