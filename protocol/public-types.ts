// The types an app sees: status, results, errors and the hub's numbers. Types only; `tabmux` re-exports them.

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

/** A close of the socket: by the server, by the network, or by the hub itself (`byHub`). */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  /** The hub closed the socket itself (a heartbeat timeout, a connect timeout, going offline). */
  readonly byHub?: boolean;
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
  /**
   * What carries the connection that is open (or was last): a WebSocket, or the HTTP fallback the hub moves to when
   * sockets do not get through (the `fallback` option).
   */
  readonly transport: 'websocket' | 'http';
}

export type ErrorCode =
  /** A server frame that the codec could not decode. */
  | 'decode-failed'
  /** A frame the hub built (a subscribe, a ping) could not be encoded by the codec. */
  | 'encode-failed'
  /** The socket reported an error; browsers give no detail, and the close that follows says what happened. */
  | 'socket-error'
  /** The transport could not be started or was lost. */
  | 'transport-failed'
  /** A tab asked the hub something malformed (only a page posting to the hub's port by hand can). */
  | 'bad-request'
  /** A request got no reply within its timeout. */
  | 'request-timeout'
  /** The connection (or the hub) went away before a request was answered. */
  | 'connection-closed'
  /** The server answered with an error message. */
  | 'server-error'
  /** A request could not be sent (the message says why: outbox full, too large, not encodable, closed). */
  | 'refused'
  /** The call was made on a client after `close()`. */
  | 'closed'
  /** A server message could not be passed to this tab (the browser could not clone it); the others were. */
  | 'undeliverable'
  /** The server broke the protocol's rules (a sequence number that is not one, say); the message was dropped. */
  | 'protocol-error'
  /** The server's authorization refused it: a channel (an `end` event), a publish, a request. */
  | 'forbidden'
  /** The server refused it for coming over its rate limit: a publish, a request, a subscribe (an `end` event). */
  | 'rate-limited';

/** An error tabmux reports: `code` is stable and machine-readable; the message says what happened. */
export interface TabmuxErrorLike {
  readonly name: string;
  readonly message: string;
  readonly code: ErrorCode;
}

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

/** What became of a `send`. Narrow on `outcome`: only a refusal has a `reason` and a `message`. */
export type SendResult =
  /** Handed to the socket now. */
  | { readonly outcome: 'sent' }
  /** The socket is down: waiting in the hub's outbox, to go out in order when it opens. */
  | { readonly outcome: 'queued' }
  | { readonly outcome: 'refused'; readonly reason: RefusalReason; readonly message: string };

/**
 * Messages `from`..`to` (inclusive) of `channel` will not reach this tab: the server could no longer replay them, or
 * the browser could not pass one to the tab. Refetch rather than trust a count.
 */
export interface Gap {
  readonly channel: string;
  readonly from: number;
  readonly to: number;
}

/**
 * The server's numbering of `channel` started again (it restarted without its history): its messages go on after
 * `seq`, and what came before under the old numbers says nothing about the new ones.
 */
export interface Reset {
  readonly channel: string;
  readonly seq: number;
}

/** The numbers a hub keeps. */
export interface Stats {
  /** Tabs attached to this hub now. */
  readonly tabs: number;
  /** The socket's `readyState` name, or `'none'` when the hub holds no socket. */
  readonly socket: 'none' | 'connecting' | 'open' | 'closing' | 'closed';
  /**
   * What the current (or next) attempt uses: a WebSocket, or the HTTP fallback's `http-stream` (server-sent events)
   * or `long-polling` (where a proxy holds streams back).
   */
  readonly transport: 'websocket' | 'http-stream' | 'long-polling';
  readonly state: ConnectionState;
  /** Frames received from the server and decoded. */
  readonly framesIn: number;
  /** Messages those frames carried (a `batch` frame carries several), pongs and auth aside. */
  readonly messagesIn: number;
  /** Frames sent to the server. */
  readonly messagesOut: number;
  /** Server frames the codec could not decode. */
  readonly decodeErrors: number;
  /** Tab requests the hub refused as malformed (only pages posting to the hub's port by hand send them). */
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
  /** Server messages that broke the protocol's rules (a bad sequence number, say), reported and dropped. */
  readonly protocolErrors: number;
  /** Server messages for a channel no tab subscribes to, ignored. */
  readonly unroutedMessages: number;
  /** Replies and errors for a request id the hub does not know (answered late, or never asked), ignored. */
  readonly unknownReplies: number;
  /** Requests waiting for a reply. */
  readonly pendingRequests: number;
  /** Tabs that stopped reading (a frozen page), to which the hub posts no channel messages until they read again. */
  readonly tabsWaiting: number;
  /** Messages and events posted to a tab and not yet read, the most of any tab (bounded; see `tabsWaiting`). */
  readonly maxUnread: number;
  /** Tabs caught up from the channel buffer: back from the back/forward cache, or reading again after a wait. */
  readonly catchUps: number;
  /** Binary messages (an `ArrayBuffer` or a view of a whole one) moved to their only tab instead of copied. */
  readonly transferred: number;
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

/** How much a log line matters: `debug` for the routine (a subscribe), `info` for a change (a socket open or closed), `warn` for a failure. */
export type LogLevel = 'debug' | 'info' | 'warn';

/** A line of tabmux's log: the hub's (`source: 'hub'`, from the SharedWorker or the in-page hub) or this tab's own. */
export interface LogEntry {
  readonly source: 'hub' | 'tab';
  readonly level: LogLevel;
  readonly message: string;
  /** Epoch milliseconds. */
  readonly at: number;
}
