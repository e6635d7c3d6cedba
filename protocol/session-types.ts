// Tab ⇄ hub: what a tab and its hub say to each other, whatever carries it (a SharedWorker's port, or a direct call
// in the page). Internal to tabmux; types only. A tab's identity is the session it holds, never an argument.
import type { ProtocolSpec } from './protocol-spec.js';
import type { LogLevel, SendResult, Stats, Status, TabmuxErrorLike } from './public-types.js';

/** An error as it crosses a port: plain data, rebuilt into an `Error` on the other side. */
export type ErrorInfo = TabmuxErrorLike;

/** One thing the hub tells a tab. Tabs receive these in batches (`HubEvent[]`) over a plain port. */
export type HubEvent =
  | { readonly type: 'message'; readonly data: unknown }
  /**
   * Consecutive messages of `channel`, numbered `seq`, `seq + 1`, …: a run costs one envelope however long it is, so
   * a burst is cloned to each tab at little more than the cost of its payloads. `seq` is `null` on a channel whose
   * protocol does not number its messages.
   */
  | {
      readonly type: 'channel';
      readonly channel: string;
      readonly seq: number | null;
      readonly messages: readonly unknown[];
      /** The channel's latest message, handed to a new subscription: history, not news (alone in its run). */
      readonly last?: true;
    }
  /** The server ended `channel`'s subscription (`error`: it failed); the hub forgot it (see `ChannelEnd`). */
  | {
      readonly type: 'end';
      readonly channel: string;
      readonly reason: string;
      readonly error: ErrorInfo | null;
    }
  /** Messages `from`..`to` (inclusive) of `channel` will not reach the tab (see `Gap`). */
  | { readonly type: 'gap'; readonly channel: string; readonly from: number; readonly to: number }
  /** The server's numbering of `channel` started again after `seq` (see `Reset`). */
  | { readonly type: 'reset'; readonly channel: string; readonly seq: number }
  | { readonly type: 'reply'; readonly requestId: string; readonly data: unknown }
  | { readonly type: 'reply-error'; readonly requestId: string; readonly error: ErrorInfo }
  | { readonly type: 'status'; readonly status: Status }
  /** A line of the hub's log, for a tab that asked for them (`debug`). */
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string; readonly at: number }
  /** Ends a batch when the hub wants to know the tab read it: the tab answers `upTo` on the events port. */
  | { readonly type: 'ack'; readonly upTo: number }
  | { readonly type: 'error'; readonly error: ErrorInfo };

/** How a tab subscribes to a channel. */
export interface SubscribeRequest {
  readonly channel: string;
  /** Deliver the hub's latest message of the channel at once, if it has one. */
  readonly last: boolean;
  /** The last sequence number this tab saw, so a new hub can resume where an old one left off. */
  readonly after: number | null;
}

/** What may wait while the socket is down; see the client's `outbox` option. */
export interface OutboxSettings {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

/** When and how often the hub tries again; see the client's `reconnect` option for each field. */
export interface ReconnectSettings {
  readonly initialDelay: number;
  readonly factor: number;
  readonly maxDelay: number;
  readonly maxAttempts: number;
  readonly stableAfter: number;
  readonly connectTimeout: number;
  readonly suspendAfter: number;
  readonly suspendedRetryDelay: number;
}

/** Keeping an idle socket alive and noticing a dead one; see the client's `heartbeat` option. */
export interface HeartbeatSettings {
  /** Milliseconds of silence before a ping; 0 turns the heartbeat off. */
  readonly interval: number;
  readonly timeout: number;
  /** Sent, encoded by the codec, as the ping. */
  readonly ping: unknown;
  /** An inbound message whose fields equal all of these is a pong (it is not passed to the tabs). */
  readonly pong: Readonly<Record<string, unknown>>;
}

/** The HTTP fallback, for networks that block WebSockets; see the client's `fallback` option. */
export interface FallbackSettings {
  /** Socket attempts in a row that must fail before the hub tries HTTP. */
  readonly after: number;
  /** Milliseconds between tries of the socket while on HTTP (each jittered between ⅔ and 4⁄3 of it). */
  readonly retrySocketEvery: number;
}

/** The serializable part of a client's options, sent by a tab when it attaches. */
export interface HubConfig {
  /** The server's URL; `null` when the tabs pass a `url` function, which the hub calls before each attempt. */
  readonly url: string | null;
  /** A built-in protocol by name and options, loaded by the hub; `null` for tabmux's own (or the host's). */
  readonly protocol: ProtocolSpec | null;
  readonly protocols: readonly string[];
  /** Milliseconds the socket stays open after the last tab leaves. */
  readonly lingerMs: number;
  /** Milliseconds a channel stays subscribed at the server after its last tab leaves. */
  readonly channelLingerMs: number;
  /** Messages kept per channel for tabs that come back or fall behind (0: only the latest). */
  readonly channelBuffer: number;
  /** Largest encoded message a tab may send, in bytes. */
  readonly maxMessageBytes: number;
  readonly outbox: OutboxSettings;
  readonly reconnect: ReconnectSettings;
  readonly heartbeat: HeartbeatSettings;
  /** `null`: the socket only. */
  readonly fallback: FallbackSettings | null;
}

/** Returns a token for the server; the hub calls it before each connection attempt. */
export type TokenProvider = () => string | Promise<string>;

/** Returns the server's URL (already checked and absolute); the hub calls it before each connection attempt. */
export type UrlProvider = () => string | Promise<string>;

/** The functions a tab lends its hub. They stay in the tab; a SharedWorker calls them across the port. */
export interface TabProviders {
  readonly auth?: TokenProvider | undefined;
  readonly url?: UrlProvider | undefined;
}

export interface AttachRequest {
  readonly config: HubConfig;
  /** A Web Lock the tab holds for its whole life; the hub detaches the tab when the lock is released. */
  readonly tabLock: string | null;
  /** What the tab's `navigator.onLine` says now. */
  readonly online: boolean;
  /** The tab wants the hub's log lines from the start (its `debug` switch), the first socket's included. */
  readonly debug?: boolean;
}

export interface AttachReply {
  readonly hubId: string;
  /** A Web Lock the hub holds for its whole life; tabs learn of the hub's death when they are granted it. */
  readonly hubLock: string | null;
  readonly status: Status;
}

/**
 * One tab's door to its hub, bound to that tab when it attaches. The hub implements it, the SharedWorker host
 * exposes it on the tab's port, and the client calls it. Malformed arguments throw a TypeError whose `code` is
 * `bad-request` (only a page posting to the port by hand can send them), and are counted.
 */
export interface TabSession {
  /** Sends `data` to the server: now, or queued in the outbox while the socket is down, or refused. */
  send(data: unknown): SendResult;
  subscribe(request: SubscribeRequest): void;
  unsubscribe(channel: string): void;
  publish(channel: string, data: unknown): SendResult;
  /** The answer arrives as a `reply` or `reply-error` event for `requestId`, which the tab chooses. */
  request(requestId: string, data: unknown): SendResult;
  /** The tab stopped waiting (its timeout passed): forget the request. */
  cancelRequest(requestId: string): void;
  stats(): Stats;
  /** Retry now, resetting the backoff (after `unauthorized`, `failed` or `suspended` too). */
  reconnect(): void;
  /** The tab reports the browser's online state (workers do not always get the events). */
  network(online: boolean): void;
  /** The tab became visible: check overdue deadlines now, since hidden tabs' timers run late. */
  wake(): void;
  /** The tab wants the hub's log lines (`log` events), or no longer does. Nothing is built while no tab wants them. */
  debug(on: boolean): void;
  /** The tab leaves: its subscriptions and requests go with it; the hub lives on for the others. */
  detach(): void;
}

/** The session as a tab holds it across a port: every call answers later. */
export type RemoteSession = {
  readonly [K in keyof TabSession]: (
    ...args: Parameters<TabSession[K]>
  ) => Promise<ReturnType<TabSession[K]>>;
};

/** What the SharedWorker host posts on a tab's port when it could not even read a call. */
export interface PortRefusal {
  readonly type: 'tabmux:refused';
  readonly message: string;
  /** The refused call's id, when it had one. */
  readonly id?: string;
}
