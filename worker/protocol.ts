/**
 * Everything that crosses a boundary: tab ⇄ hub, and hub ⇄ server (the default wire format).
 * Types only; no logic lives here.
 */

/** The connection's state, the same in every tab of a hub and in every transport. */
export type ConnectionState =
  /** The first attempt is under way. */
  | 'connecting'
  /** The socket is open. */
  | 'open'
  /** The socket closed or an attempt failed; another attempt is scheduled (see `nextAttemptAt`). */
  | 'reconnecting'
  /** The browser says it is offline; no attempt is made until it is online again. */
  | 'offline'
  /** Attempts kept failing; the hub retries on a slow cadence until one succeeds or `reconnect()` is called. */
  | 'suspended'
  /** The server refused the credentials twice; no further attempt is made until `reconnect()`. */
  | 'unauthorized'
  /** The hub gave up (a fatal close, `maxAttempts` used up, or no transport could start). */
  | 'failed'
  /** This client was closed, or the hub has no tabs and released the socket. */
  | 'closed';

/** A close of the socket as the server or the network reported it. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

export interface Status {
  readonly state: ConnectionState;
  /** Failed attempts since the socket was last open (0 while open). */
  readonly attempt: number;
  /** Epoch milliseconds of the next scheduled attempt, for a countdown; `null` when none is scheduled. */
  readonly nextAttemptAt: number | null;
  /** The last close of the socket, kept across reconnects; `null` before the first close. */
  readonly lastClose: CloseInfo | null;
  /** Why the hub is in this state, in words, when it is not simply `open` or `connecting`. */
  readonly reason: string | null;
  /** Round-trip time of the last heartbeat in milliseconds; `null` before the first pong. */
  readonly rttMs: number | null;
}

/**
 * The default wire protocol: JSON text frames, one message each, discriminated by `type`. README.md ("Wire
 * protocol") describes it for server authors; `worker/wire-protocol.ts` maps it to the hub's operations.
 */
export namespace Wire {
  /** client → server. Sent first on every socket when the client has `auth`; answered by `AuthAccepted`. */
  export interface Auth {
    readonly type: 'auth';
    readonly token: string;
  }
  /** client → server. Start sending this channel's messages; answered by `Subscribed`. */
  export interface Subscribe {
    readonly type: 'subscribe';
    readonly channel: string;
  }
  /**
   * client → server. Subscribe and first replay every message of the channel after `after`, then answer `Subscribed`.
   * Sent instead of `Subscribe` when the hub has seen the channel before (after a reconnect).
   */
  export interface Resume {
    readonly type: 'resume';
    readonly channel: string;
    readonly after: number;
  }
  /** client → server. */
  export interface Unsubscribe {
    readonly type: 'unsubscribe';
    readonly channel: string;
  }
  /** client → server. Publish `data` on a channel (the server decides who receives it). */
  export interface Publish {
    readonly type: 'publish';
    readonly channel: string;
    readonly data: unknown;
  }
  /** client → server. Answered by a `Reply` or an `Error` with the same `id`. */
  export interface Request {
    readonly type: 'request';
    readonly id: string;
    readonly data: unknown;
  }
  /** server → client. */
  export interface AuthAccepted {
    readonly type: 'auth-ok';
  }
  /** server → client. `seq` is the channel's latest sequence number (0 if it has none), after any replay. */
  export interface Subscribed {
    readonly type: 'subscribed';
    readonly channel: string;
    readonly seq: number;
  }
  /** server → client. `seq` counts from 1 and grows by exactly 1 per message of the channel. */
  export interface ChannelMessage {
    readonly type: 'message';
    readonly channel: string;
    readonly seq: number;
    readonly data: unknown;
  }
  /** server → client. */
  export interface Reply {
    readonly type: 'reply';
    readonly id: string;
    readonly data: unknown;
  }
  /** server → client. With `id`, the request of that id failed; without, the server reports a problem. */
  export interface Error {
    readonly type: 'error';
    readonly id?: string;
    readonly message: string;
  }
  /** Either way; the defaults of the `heartbeat` option. */
  export interface Ping {
    readonly type: 'ping';
  }
  export interface Pong {
    readonly type: 'pong';
  }
  /**
   * server → client. Several messages in one frame, in order: a server under load should batch, because each
   * frame has a fixed cost in the browser that dwarfs a small message's (README.md, "Performance").
   * Pongs and `auth-ok` are not batched.
   */
  export interface Batch {
    readonly type: 'batch';
    readonly messages: readonly (Subscribed | ChannelMessage | Reply | Error)[];
  }
  export type ClientMessage = Auth | Subscribe | Resume | Unsubscribe | Publish | Request | Ping;
  export type ServerMessage = AuthAccepted | Subscribed | ChannelMessage | Reply | Error | Pong | Batch;
}

/** What the hub makes of one decoded server message (see `WireProtocol.parse`). */
export type ServerEvent =
  | { readonly kind: 'auth-ok' }
  | { readonly kind: 'subscribed'; readonly channel: string; readonly seq: number }
  | { readonly kind: 'message'; readonly channel: string; readonly seq: number; readonly data: unknown }
  | { readonly kind: 'reply'; readonly id: string; readonly data: unknown }
  | { readonly kind: 'error'; readonly id: string | null; readonly message: string }
  /** Several of the above from one frame, in order. */
  | { readonly kind: 'batch'; readonly events: readonly ServerEvent[] }
  /** Anything else: passed to every tab as a plain `message` event. */
  | { readonly kind: 'other'; readonly data: unknown };

/** An error as it crosses a port: plain data, rebuilt into an `Error` on the other side. */
export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
  /** A stable, machine-readable code. */
  readonly code: ErrorCode;
}

export type ErrorCode =
  /** A server frame that the codec could not decode. */
  | 'decode-failed'
  /** The socket reported an error (details are not exposed by browsers). */
  | 'socket-error'
  /** The transport could not be started or was lost. */
  | 'transport-failed'
  /** A tab posted something the hub does not understand. */
  | 'bad-request'
  /** A request got no reply within its timeout. */
  | 'request-timeout'
  /** The connection (or the hub) went away before a request was answered. */
  | 'connection-closed'
  /** The server answered with an error message. */
  | 'server-error'
  /** A request could not be sent (the message says why: outbox full, too large, not encodable, closed). */
  | 'refused';

/** Why a send was refused. */
export type RefusalReason =
  /** The socket is not open and the message may not wait (the outbox is off). */
  | 'not-open'
  /** The data could not be cloned to the hub or encoded by the codec. */
  | 'not-encodable'
  /** The socket is down and the outbox is full (`outbox.maxMessages` or `outbox.maxBytes`). */
  | 'outbox-full'
  /** The encoded message is larger than `maxMessageBytes`. */
  | 'too-large'
  /** This client was closed. */
  | 'closed'
  /** The hub did not answer in time (it may have died; the client re-attaches). */
  | 'hub-unreachable';

/** What became of a `send`. */
export type SendResult =
  /** Handed to the socket now. */
  | { readonly outcome: 'sent' }
  /** The socket is down: waiting in the hub's outbox, to go out in order when it opens. */
  | { readonly outcome: 'queued' }
  | { readonly outcome: 'refused'; readonly reason: RefusalReason; readonly message: string };

/** The numbers a hub keeps. */
export interface Stats {
  /** Tabs attached to this hub now. */
  readonly tabs: number;
  /** The socket's `readyState` name, or `'none'` when the hub holds no socket. */
  readonly socket: 'none' | 'connecting' | 'open' | 'closing' | 'closed';
  readonly state: ConnectionState;
  /** Frames received from the server and decoded. */
  readonly framesIn: number;
  /** Messages those frames carried (a `batch` frame carries several), pongs and auth aside. */
  readonly messagesIn: number;
  /** Frames sent to the server. */
  readonly messagesOut: number;
  /** Server frames the codec could not decode. */
  readonly decodeErrors: number;
  /** Tab requests the hub refused as malformed. */
  readonly badRequests: number;
  /** Channels with at least one subscribed tab. */
  readonly channels: number;
  /** Messages waiting in the outbox, and their encoded bytes. */
  readonly outboxMessages: number;
  readonly outboxBytes: number;
  /** Channel messages already seen (a resume overlapping what arrived), dropped. */
  readonly duplicatesDropped: number;
  /** Ranges of channel messages the server could no longer replay. */
  readonly gaps: number;
  /** Server messages for a channel no tab subscribes to, ignored. */
  readonly unroutedMessages: number;
  /** Replies and errors for a request id the hub does not know (answered late, or never asked), ignored. */
  readonly unknownReplies: number;
  /** Requests waiting for a reply. */
  readonly pendingRequests: number;
  /** Sockets this hub has opened over its life. */
  readonly connections: number;
  /** Tabs that ever attached to this hub. */
  readonly tabsAttachedTotal: number;
  /** Connection attempts after the first, over the hub's life. */
  readonly reconnectAttempts: number;
  readonly pingsSent: number;
  readonly pongsReceived: number;
  /** Sockets closed because no answer came within `heartbeat.timeout`. */
  readonly heartbeatTimeouts: number;
  /** Identifies the hub instance; it changes when a hub is replaced. */
  readonly hubId: string;
}

/** One thing the hub tells a tab. Tabs receive these in batches (`HubEvent[]`) over a plain port. */
export type HubEvent =
  | { readonly type: 'message'; readonly data: unknown }
  /**
   * Consecutive messages of `channel`, numbered `seq`, `seq + 1`, …: a run costs one envelope however long it is, so
   * a burst is cloned to each tab at little more than the cost of its payloads.
   */
  | {
      readonly type: 'channel';
      readonly channel: string;
      readonly seq: number;
      readonly messages: readonly unknown[];
    }
  /** Messages `from`..`to` (inclusive) of `channel` are lost: the server could no longer replay them. */
  | { readonly type: 'gap'; readonly channel: string; readonly from: number; readonly to: number }
  | { readonly type: 'reply'; readonly requestId: string; readonly data: unknown }
  | { readonly type: 'reply-error'; readonly requestId: string; readonly error: ErrorInfo }
  | { readonly type: 'status'; readonly status: Status }
  | { readonly type: 'error'; readonly error: ErrorInfo };

/** What may wait while the socket is down; see the client's `outbox` option. */
export interface OutboxSettings {
  readonly maxMessages: number;
  readonly maxBytes: number;
}

/** How a tab subscribes to a channel. */
export interface SubscribeRequest {
  readonly channel: string;
  /** Deliver the hub's latest message of the channel at once, if it has one. */
  readonly last: boolean;
  /** The last sequence number this tab saw, so a new hub can resume where an old one left off. */
  readonly after: number | null;
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

/** The serializable part of a client's options, sent by a tab when it attaches. */
export interface HubConfig {
  readonly url: string;
  readonly protocols: readonly string[];
  /** Milliseconds the socket stays open after the last tab leaves. */
  readonly lingerMs: number;
  /** Largest encoded message a tab may send, in bytes. */
  readonly maxMessageBytes: number;
  readonly outbox: OutboxSettings;
  readonly reconnect: ReconnectSettings;
  readonly heartbeat: HeartbeatSettings;
}

export interface AttachRequest {
  readonly config: HubConfig;
  /** A Web Lock the tab holds for its whole life; the hub detaches the tab when the lock is released. */
  readonly tabLock: string | null;
  /** What the tab's `navigator.onLine` says now. */
  readonly online: boolean;
}

/** Returns a token for the server; the hub calls it before each connection attempt. */
export type TokenProvider = () => string | Promise<string>;

export interface AttachReply {
  readonly tabId: string;
  readonly hubId: string;
  /** A Web Lock the hub holds for its whole life; tabs learn of the hub's death when they are granted it. */
  readonly hubLock: string | null;
  readonly status: Status;
}

/**
 * The control surface a SharedWorker exposes to each tab with Comlink.
 * Messages from hub to tab do not go through it: they arrive in batches on the port passed to `attach`.
 */
export interface HubRemote {
  /** `auth` arrives as a Comlink proxy of the tab's `auth` option; top-level so that Comlink transfers it. */
  attach(request: AttachRequest, events: MessagePort, auth?: TokenProvider): Promise<AttachReply>;
  send(tabId: string, data: unknown): SendResult;
  subscribe(tabId: string, request: SubscribeRequest): void;
  unsubscribe(tabId: string, channel: string): void;
  publish(tabId: string, channel: string, data: unknown): SendResult;
  /** The answer arrives as a `reply` or `reply-error` event for `requestId`, which the tab chooses. */
  request(tabId: string, requestId: string, data: unknown): SendResult;
  /** The tab stopped waiting (its timeout passed): forget the request. */
  cancelRequest(tabId: string, requestId: string): void;
  stats(): Stats;
  detach(tabId: string): void;
  /** Retry now, resetting the backoff (after `unauthorized`, `failed` or `suspended` too). */
  reconnect(): void;
  /** A tab reports the browser's online state (workers do not always get the events). */
  network(online: boolean): void;
  /** A tab became visible: check overdue deadlines now, since hidden tabs' timers run late. */
  wake(): void;
}
