// The client's public shape: its methods, events and the rules they follow. Types only.
import type { Gap, LogEntry, Reset, SendResult, Stats, Status } from '../protocol/public-types.js';
import type { Listener } from './emitter.js';
import type { TabmuxError } from './errors.js';
import type { ChannelEnd, ChannelHandler, SubscribeOptions } from './subscriptions.js';
import type { TransportName } from './transport.js';

export interface ClientEvents {
  /** The connection's status changed; the same in every tab of a hub. */
  status: Status;
  /** A server message that is not part of a channel (or of the wire protocol), decoded by the hub's codec. */
  message: unknown;
  /** Messages of a subscribed channel will not reach this tab: refetch instead of trusting a count. */
  gap: Gap;
  /** A subscribed channel's numbering started again (the server lost its history); its messages go on. */
  reset: Reset;
  /** The server ended a subscribed channel (completed or failed it); its handlers were removed. */
  end: ChannelEnd;
  /** Something went wrong that did not change the status: a frame that could not be decoded, a transport that failed. */
  error: TabmuxError;
  /**
   * A line of tabmux's log: the hub's and this tab's (see the `debug` option). Listening turns the hub's log on for
   * this tab, without printing it unless `debug` is set.
   */
  log: LogEntry;
}

export interface RequestOptions {
  /** Ms to wait for the reply, > 0. @default the client's `requestTimeoutMs` */
  readonly timeout?: number;
}

/**
 * The data type of each channel, by name: `createClient<{ prices: Price }>(…)` types `subscribe('prices', …)` and
 * refuses channels the map does not have. Without one, any channel name goes and data is `unknown`.
 */
export type ChannelMap = object;

/** Any channel name, data of unknown type: what a client without a channel map takes. */
export type AnyChannels = Record<string, unknown>;

/**
 * The client. Every method checks its arguments first and throws a TypeError at the call for a programming error
 * (a channel that is not a non-empty string, a handler that is not a function, a bad timeout). Whatever depends on
 * the connection is reported later: `send` and `publish` resolve with a `SendResult` and never reject; `request` and
 * `stats` reject with a `TabmuxError` whose `code` says why. After `close()`, sends resolve `refused` (`closed`),
 * `request` and `stats` reject with code `closed`, and `subscribe` throws a TabmuxError with code `closed`.
 */
export interface Client<Channels extends ChannelMap = AnyChannels> {
  /** The connection's status now. */
  readonly status: Status;
  /** The transport in use; `null` until one has attached (or when none could). */
  readonly transport: TransportName | null;
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof ClientEvents>(event: E, listener: Listener<ClientEvents[E]>): () => void;
  /**
   * Calls `handler` with every message of `channel`, each once and in order, from now until the returned function is
   * called. The server sees one subscribe per browser, however many tabs and handlers want the channel, and the
   * latest message the hub already has arrives at once (unless `last: false`).
   */
  subscribe<C extends keyof Channels & string>(
    channel: C,
    handler: ChannelHandler<Channels[C]>,
    options?: SubscribeOptions,
  ): () => void;
  /** Without a channel map, the data type is yours to name: `subscribe<Price>('prices', …)`. */
  subscribe<T>(
    channel: string extends keyof Channels ? string : never,
    handler: ChannelHandler<T>,
    options?: SubscribeOptions,
  ): () => void;
  /**
   * Sends `data` to the server through the hub, encoded by the hub's codec (JSON text by default; an `ArrayBuffer`
   * goes as a binary frame). The result says whether it went out now (`sent`), waits in the outbox for the socket
   * (`queued`, also for a send made before the socket first opens), or was refused, and why.
   */
  send(data: unknown): Promise<SendResult>;
  /** Publishes `data` on `channel`; a result like `send`'s. */
  publish<C extends keyof Channels & string>(channel: C, data: Channels[C]): Promise<SendResult>;
  /**
   * Sends a request and resolves with the server's reply, which only this tab receives. Rejects with a TabmuxError
   * whose `code` says why: `request-timeout`, `connection-closed` (the socket or the hub went away after it was
   * sent), `server-error`, `refused` (it could not be sent; the message says why) or `closed`.
   */
  request<T = unknown>(data: unknown, options?: RequestOptions): Promise<T>;
  /** The hub's numbers: tabs attached, socket state, messages in and out, channels, outbox. */
  stats(): Promise<Stats>;
  /**
   * Tries to connect now and resets the backoff, whatever the state: after `unauthorized`, `failed` or `suspended`
   * too. No effect while open. The hub is shared, so this reconnects every tab.
   */
  reconnect(): void;
  /** This tab leaves the hub; the hub and its socket live on for the other tabs. Idempotent. */
  close(): void;
}

declare global {
  /** The SharedWorker option tabmux's factory uses (Chromium, 2026); not yet in TypeScript's own DOM types. */
  interface WorkerOptions {
    /** Keep the worker alive for a while after its last client unloads. */
    extendedLifetime?: boolean;
  }
}
