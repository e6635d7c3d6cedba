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
 * The default wire format's own messages. With an `auth` option the hub sends `AuthMessage` first on every new
 * socket and reports `open` only once the server answers `AuthAccepted`; a server refuses by closing with 4401
 * (or 4403, or 1008). Ping and pong are `{"type":"ping"}` and `{"type":"pong"}` unless `heartbeat` says otherwise.
 */
export interface AuthMessage {
  readonly type: 'auth';
  readonly token: string;
}
export interface AuthAccepted {
  readonly type: 'auth-ok';
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
  | { readonly type: 'status'; readonly status: Status }
  | { readonly type: 'error'; readonly error: ErrorInfo };

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
  stats(): Stats;
  detach(tabId: string): void;
  /** Retry now, resetting the backoff (after `unauthorized`, `failed` or `suspended` too). */
  reconnect(): void;
  /** A tab reports the browser's online state (workers do not always get the events). */
  network(online: boolean): void;
  /** A tab became visible: check overdue deadlines now, since hidden tabs' timers run late. */
  wake(): void;
}
