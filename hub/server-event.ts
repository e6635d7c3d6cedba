// What the hub makes of any server's messages, whatever its protocol (see `WireProtocol.parse`). Types only.
import type { RefusalCode } from '../protocol/wire-messages.js';

/**
 * What the hub makes of one decoded server message (see `WireProtocol.parse`). The first group is about the
 * connection, the second about channels and requests.
 */
export type ServerEvent =
  /** The server accepted the handshake: the status turns `open` and subscriptions and the outbox go out. */
  | { readonly kind: 'ready' }
  /**
   * The server announced its heartbeat (Socket.IO's open packet): it pings every `interval` ms and gives up after
   * `timeout` more. A hub whose protocol has `serverPings` then gives up after the same silence, not its own.
   */
  | { readonly kind: 'timing'; readonly interval: number; readonly timeout: number }
  /** The same as `ready`; the name tabmux's own protocol uses. */
  | { readonly kind: 'auth-ok' }
  /** An answer to the hub's heartbeat ping: it measures the round trip (any frame proves the socket alive). */
  | { readonly kind: 'pong' }
  /** Messages to send back at once, encoded by the codec: a pong to the server's ping, say. Sent before `ready` too. */
  | { readonly kind: 'send'; readonly messages: readonly unknown[] }
  /**
   * The server ended the session inside the protocol (Socket.IO's disconnect packet): handled like a socket close
   * with `code`, classified by `WireProtocol.classifyClose` or else tabmux's rules (PROTOCOL.md, "Close codes").
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
      /** The channel's latest message, sent before the subscription was acknowledged: history, not news. */
      readonly last?: boolean;
    }
  /**
   * The server ended its subscription to `channel`, having served it (`failed: false`) or not: the channel's tabs
   * get an `end` event and the hub forgets the subscription, so a later subscribe starts anew.
   */
  | {
      readonly kind: 'end';
      readonly channel: string;
      readonly reason: string;
      readonly failed: boolean;
      /** Why the server refused the channel (the tabs' error says so). */
      readonly code?: RefusalCode;
    }
  | { readonly kind: 'reply'; readonly id: string; readonly data: unknown }
  | {
      readonly kind: 'error';
      readonly id: string | null;
      readonly message: string;
      /** Why the server refused the publish or request. */
      readonly code?: RefusalCode;
    }
  /** Several of the above from one frame, in order. */
  | { readonly kind: 'batch'; readonly events: readonly ServerEvent[] }
  /** A message of the protocol that breaks its rules: reported to the tabs as a `protocol-error`, then dropped. */
  | { readonly kind: 'invalid'; readonly reason: string }
  /** Anything else: passed to every tab as a plain `message` event. */
  | { readonly kind: 'other'; readonly data: unknown };

/** The kinds the connection handles itself; the rest go to the hub's channels and requests. */
export type ConnectionEventKind =
  'ready' | 'timing' | 'auth-ok' | 'pong' | 'send' | 'close' | 'ignore' | 'batch';

/** A server event about channels, requests or the tabs' plain messages. */
export type RoutedEvent = Exclude<ServerEvent, { readonly kind: ConnectionEventKind }>;
