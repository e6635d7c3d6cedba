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
  | 'bad-request';

/** Why a send was refused. */
export type RefusalReason =
  /** The socket is not open. */
  | 'not-open'
  /** The data could not be cloned to the hub or encoded by the codec. */
  | 'not-encodable'
  /** The encoded message is larger than `maxMessageBytes`. */
  | 'too-large'
  /** This client was closed. */
  | 'closed'
  /** The hub did not answer in time (it may have died; the client re-attaches). */
  | 'hub-unreachable';

/** What became of a `send`. */
export type SendResult =
  | { readonly outcome: 'sent' }
  | { readonly outcome: 'refused'; readonly reason: RefusalReason; readonly message: string };

/** The numbers a hub keeps. */
export interface Stats {
  /** Tabs attached to this hub now. */
  readonly tabs: number;
  /** The socket's `readyState` name, or `'none'` when the hub holds no socket. */
  readonly socket: 'none' | 'connecting' | 'open' | 'closing' | 'closed';
  readonly state: ConnectionState;
  /** Frames received from the server and decoded. */
  readonly messagesIn: number;
  /** Frames sent to the server. */
  readonly messagesOut: number;
  /** Server frames the codec could not decode. */
  readonly decodeErrors: number;
  /** Tab requests the hub refused as malformed. */
  readonly badRequests: number;
  /** Sockets this hub has opened over its life. */
  readonly connections: number;
  /** Tabs that ever attached to this hub. */
  readonly tabsAttachedTotal: number;
  /** Identifies the hub instance; it changes when a hub is replaced. */
  readonly hubId: string;
}

/** One thing the hub tells a tab. Tabs receive these in batches (`HubEvent[]`) over a plain port. */
export type HubEvent =
  | { readonly type: 'message'; readonly data: unknown }
  | { readonly type: 'status'; readonly status: Status }
  | { readonly type: 'error'; readonly error: ErrorInfo };

/** The serializable part of a client's options, sent by a tab when it attaches. */
export interface HubConfig {
  readonly url: string;
  readonly protocols: readonly string[];
  /** Milliseconds the socket stays open after the last tab leaves. */
  readonly lingerMs: number;
  /** Largest encoded message a tab may send, in bytes. */
  readonly maxMessageBytes: number;
}

export interface AttachRequest {
  readonly config: HubConfig;
  /** A Web Lock the tab holds for its whole life; the hub detaches the tab when the lock is released. */
  readonly tabLock: string | null;
}

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
  attach(request: AttachRequest, events: MessagePort): Promise<AttachReply>;
  send(tabId: string, data: unknown): SendResult;
  stats(): Stats;
  detach(tabId: string): void;
}
