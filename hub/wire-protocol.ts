// How the hub's operations become a server's messages and back; the default speaks tabmux's own protocol.
import type { CloseClass } from '../protocol/close-codes.js';
import type { Codec } from './codec.js';
import type { Wire } from '../protocol/wire-messages.js';
import { isProblem, parseServerMessage } from '../protocol/wire.js';
import type { ServerEvent } from './server-event.js';

/**
 * Maps the hub's operations to a server's messages and back. The default speaks tabmux's JSON protocol
 * (PROTOCOL.md); `'graphql-ws'` and `'socket.io'` are built in (the `protocol` option). A server with
 * other conventions needs one object like this, passed to `createClient({ protocol })` in-page or to
 * `hostSharedWorker({ protocol })` in a worker entry of your own.
 *
 * Builders return the message to send, encoded by the codec; `subscribe`, `unsubscribe` and `handshake` may return
 * nothing to send nothing. A builder that throws refuses the tab's call (`not-encodable`, with the error's message).
 * One object serves one hub, so it may keep state (ids it assigned, say); `handshake` marks each new socket.
 */
export interface WireProtocol {
  /**
   * Messages sent first on every new socket, before subscriptions and the outbox. `token` is the `auth` option's
   * answer, or `null` without one. When it returns messages, the status turns `open` only once `parse` says
   * `ready` (or `auth-ok`), within `reconnect.connectTimeout`; when it returns none, at once.
   * @default `[auth(token)]` with a token, else none
   */
  handshake?(token: string | null): readonly unknown[];
  /** The message that carries a token, when the protocol has no `handshake`. */
  auth?(token: string): unknown;
  /**
   * Subscribe the connection to `channel`. `after` is the last sequence number seen and `cursor` the protocol's own
   * resume point (see the `message` event); both are `null` for a channel the hub has not seen before.
   */
  subscribe(channel: string, after: number | null, cursor: string | number | null): unknown;
  /** The last tab left `channel`. */
  unsubscribe(channel: string): unknown;
  publish(channel: string, data: unknown): unknown;
  /** A request whose answer `parse` reports as a `reply` or an `error` with the same `id`. */
  request(id: string, data: unknown): unknown;
  /** What `client.send(data)` puts on the socket. @default `data` itself */
  send?(data: unknown): unknown;
  /**
   * Classifies one decoded server message (see `ServerEvent`); anything unrecognised is `{ kind: 'other', data }`,
   * which reaches every tab as a `message` event. Must not throw: a message it cannot read is `invalid`.
   */
  parse(message: unknown): ServerEvent;
  /**
   * Reads a text frame the codec could not decode (a plain-text keep-alive of a JSON server). Without it such a
   * frame is counted in `decodeErrors` and reported as `decode-failed`.
   */
  parseText?(text: string): ServerEvent;
  /** How frames are encoded and decoded, when the protocol's are not JSON text. @default the hub's codec */
  readonly codec?: Codec;
  /** Subprotocols offered when the `protocols` option names none (graphql-ws: `graphql-transport-ws`). */
  readonly subprotocols?: readonly string[];
  /** The URL to open for the URL the app gave (Socket.IO adds its path and query). @default the URL unchanged */
  url?(url: string): string;
  /**
   * The server sends the pings and the hub only answers them (Socket.IO): the hub sends none, and closes a socket
   * that stayed silent for `heartbeat.interval + heartbeat.timeout`. @default false: the hub pings during silence
   */
  readonly serverPings?: boolean;
  /**
   * The server also answers tabmux's HTTP fallback (PROTOCOL.md), so the hub may use it when sockets are blocked.
   * @default false; true for tabmux's own protocol
   */
  readonly httpFallback?: boolean;
  /** Classifies a close code of this protocol; `undefined` leaves it to tabmux's rules (close-codes.ts). */
  classifyClose?(code: number): CloseClass | undefined;
}

export const defaultProtocol: WireProtocol = {
  httpFallback: true,
  auth: (token): Wire.Auth => ({ type: 'auth', token }),
  subscribe: (channel, after): Wire.Subscribe | Wire.Resume =>
    after === null ? { type: 'subscribe', channel } : { type: 'resume', channel, after },
  unsubscribe: (channel): Wire.Unsubscribe => ({ type: 'unsubscribe', channel }),
  publish: (channel, data): Wire.Publish => ({ type: 'publish', channel, data }),
  request: (id, data): Wire.Request => ({ type: 'request', id, data }),
  parse(message) {
    const parsed = parseServerMessage(message);
    if (parsed === null) return { kind: 'other', data: message };
    if (isProblem(parsed)) return { kind: 'invalid', reason: parsed.problem };
    switch (parsed.type) {
      case 'auth-ok':
      case 'pong':
        return { kind: parsed.type };
      case 'subscribed':
        return { kind: 'subscribed', channel: parsed.channel, seq: parsed.seq };
      case 'message':
        return {
          kind: 'message',
          channel: parsed.channel,
          seq: parsed.seq,
          data: parsed.data,
          ...(parsed.last && { last: true }),
        };
      case 'ended':
        return {
          kind: 'end',
          channel: parsed.channel,
          reason: parsed.reason,
          failed: parsed.failed === true,
          ...(parsed.code && { code: parsed.code }),
        };
      case 'reply':
        return { kind: 'reply', id: parsed.id, data: parsed.data };
      case 'error':
        return {
          kind: 'error',
          id: parsed.id ?? null,
          message: parsed.message,
          ...(parsed.code && { code: parsed.code }),
        };
      case 'batch':
        return { kind: 'batch', events: parsed.messages.map((item) => defaultProtocol.parse(item)) };
    }
  },
};
