// Hub ⇄ server: tabmux's default wire format, the messages both sides exchange. Types only; wire.ts parses and
// encodes them. PROTOCOL.md describes the format for server authors in other languages.

/** Why a server refused a channel, a publish or a request, for a program to act on. */
export type RefusalCode = 'forbidden' | 'rate-limited';

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
    /** `false`: no latest message first, only what is published from now on. @default true */
    readonly last?: false;
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
    /** `true` on the channel's latest message sent to a new subscriber before `subscribed`: history, not news. */
    readonly last?: true;
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
    /** Why, for a program: `forbidden` by the server's authorization, `rate-limited` over its rate limit. */
    readonly code?: RefusalCode;
  }
  /** server → client. */
  export interface Reply {
    readonly type: 'reply';
    readonly id: string;
    readonly data: unknown;
  }
  /**
   * server → client. With `id`, the request of that id failed; with `channel`, a publish on that channel was
   * refused; with neither, the server reports a problem.
   */
  export interface Error {
    readonly type: 'error';
    readonly id?: string;
    readonly channel?: string;
    /** Why, for a program: `forbidden` by the server's authorization, `rate-limited` over its rate limit. */
    readonly code?: RefusalCode;
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
   * frame has a fixed cost in the browser that dwarfs a small message's (docs/performance.md).
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
