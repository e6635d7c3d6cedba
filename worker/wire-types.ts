// Hub ⇄ server: tabmux's default wire format, and what the hub makes of any server's messages. Types only.
// README.md ("Wire protocol") describes the format for server authors; wire-protocol.ts maps it to the hub's operations.

/** The default wire protocol: JSON text frames, one message each, discriminated by `type`. */
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
  /** server → client. `seq` counts from 1 and grows by exactly 1 per message of the channel, up to 2^53 − 2. */
  export interface ChannelMessage {
    readonly type: 'message';
    readonly channel: string;
    readonly seq: number;
    readonly data: unknown;
  }
  /**
   * server → client. The server ended this connection's subscription to `channel` (`failed`: it could not serve it,
   * `reason` says why). The hub forgets the subscription and tells the channel's tabs; a later subscribe starts anew.
   */
  export interface Ended {
    readonly type: 'ended';
    readonly channel: string;
    readonly reason: string;
    readonly failed?: boolean;
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
    readonly messages: readonly (Subscribed | ChannelMessage | Ended | Reply | Error)[];
  }
  export type ClientMessage = Auth | Subscribe | Resume | Unsubscribe | Publish | Request | Ping;
  export type ServerMessage =
    AuthAccepted | Subscribed | ChannelMessage | Ended | Reply | Error | Pong | Batch;
}

/**
 * What the hub makes of one decoded server message (see `WireProtocol.parse`). The first group is about the
 * connection, the second about channels and requests.
 */
export type ServerEvent =
  /** The server accepted the handshake: the status turns `open` and subscriptions and the outbox go out. */
  | { readonly kind: 'ready' }
  /** The same as `ready`; the name tabmux's own protocol uses. */
  | { readonly kind: 'auth-ok' }
  /** An answer to the hub's heartbeat ping: it measures the round trip (any frame proves the socket alive). */
  | { readonly kind: 'pong' }
  /** Messages to send back at once, encoded by the codec: a pong to the server's ping, say. Sent before `ready` too. */
  | { readonly kind: 'send'; readonly messages: readonly unknown[] }
  /**
   * The server ended the session inside the protocol (Socket.IO's disconnect packet): handled like a socket close
   * with `code`, classified by `WireProtocol.classifyClose` or else tabmux's rules (README.md, "Close codes").
   */
  | { readonly kind: 'close'; readonly code: number; readonly reason: string }
  /** Part of the protocol and nothing for the tabs (a keep-alive, a notice): dropped without a word. */
  | { readonly kind: 'ignore' }
  /** The server acknowledged a subscription; `seq` is the channel's head (see `Wire.Subscribed`). */
  | { readonly kind: 'subscribed'; readonly channel: string; readonly seq: number }
  /**
   * A message of `channel`. `seq` numbers it (from 1, one more per message): the hub drops duplicates, reports gaps,
   * and resumes after a reconnect. `null` means the protocol does not number its messages: each is delivered as it
   * comes, without de-duplication or resume. `cursor`, when the protocol has one of its own (a stream offset), is kept
   * per channel and handed back to `subscribe` after a reconnect.
   */
  | {
      readonly kind: 'message';
      readonly channel: string;
      readonly seq: number | null;
      readonly data: unknown;
      readonly cursor?: string | number;
    }
  /**
   * The server ended its subscription to `channel`, having served it (`failed: false`) or not: the channel's tabs
   * get an `end` event and the hub forgets the subscription, so a later subscribe starts anew.
   */
  | { readonly kind: 'end'; readonly channel: string; readonly reason: string; readonly failed: boolean }
  | { readonly kind: 'reply'; readonly id: string; readonly data: unknown }
  | { readonly kind: 'error'; readonly id: string | null; readonly message: string }
  /** Several of the above from one frame, in order. */
  | { readonly kind: 'batch'; readonly events: readonly ServerEvent[] }
  /** A message of the protocol that breaks its rules: reported to the tabs as a `protocol-error`, then dropped. */
  | { readonly kind: 'invalid'; readonly reason: string }
  /** Anything else: passed to every tab as a plain `message` event. */
  | { readonly kind: 'other'; readonly data: unknown };

/** The kinds the connection handles itself; the rest go to the hub's channels and requests. */
export type ConnectionEventKind = 'ready' | 'auth-ok' | 'pong' | 'send' | 'close' | 'ignore' | 'batch';

/** A server event about channels, requests or the tabs' plain messages. */
export type RoutedEvent = Exclude<ServerEvent, { readonly kind: ConnectionEventKind }>;
