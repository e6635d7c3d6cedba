// How the hub's operations become a server's messages and back; the default speaks tabmux's own protocol.
import type { ServerEvent, Wire } from './wire-types.js';

/**
 * Maps the hub's operations to a server's messages and back. The default speaks tabmux's JSON protocol
 * (README.md, "Wire protocol"); a server with other conventions needs one object like this, passed to
 * `hostSharedWorker({ protocol })` (or `createClient({ protocol })` in-page).
 */
export interface WireProtocol {
  auth(token: string): unknown;
  /** `after` is the last sequence number seen, or `null` for a channel the hub has not seen before. */
  subscribe(channel: string, after: number | null): unknown;
  unsubscribe(channel: string): unknown;
  publish(channel: string, data: unknown): unknown;
  request(id: string, data: unknown): unknown;
  /** Classifies a decoded server message; anything unrecognised is `{ kind: 'other', data }`. */
  parse(message: unknown): ServerEvent;
}

export const defaultProtocol: WireProtocol = {
  auth: (token): Wire.Auth => ({ type: 'auth', token }),
  subscribe: (channel, after): Wire.Subscribe | Wire.Resume =>
    after === null ? { type: 'subscribe', channel } : { type: 'resume', channel, after },
  unsubscribe: (channel): Wire.Unsubscribe => ({ type: 'unsubscribe', channel }),
  publish: (channel, data): Wire.Publish => ({ type: 'publish', channel, data }),
  request: (id, data): Wire.Request => ({ type: 'request', id, data }),
  parse(message) {
    if (typeof message !== 'object' || message === null) return { kind: 'other', data: message };
    const m = message as Record<string, unknown>;
    switch (m['type']) {
      case 'auth-ok':
        return { kind: 'auth-ok' };
      // The hub checks every sequence number, whatever the protocol, and reports a bad one.
      case 'subscribed':
        if (typeof m['channel'] === 'string')
          return { kind: 'subscribed', channel: m['channel'], seq: m['seq'] as number };
        return { kind: 'invalid', reason: 'a `subscribed` message without a channel' };
      case 'message':
        if (typeof m['channel'] === 'string')
          return { kind: 'message', channel: m['channel'], seq: m['seq'] as number, data: m['data'] };
        return { kind: 'invalid', reason: 'a channel `message` without a channel' };
      case 'reply':
        if (typeof m['id'] === 'string') return { kind: 'reply', id: m['id'], data: m['data'] };
        break;
      case 'batch':
        if (Array.isArray(m['messages']))
          return { kind: 'batch', events: m['messages'].map((item) => defaultProtocol.parse(item)) };
        break;
      case 'error':
        return {
          kind: 'error',
          id: typeof m['id'] === 'string' ? m['id'] : null,
          message: typeof m['message'] === 'string' ? m['message'] : JSON.stringify(message),
        };
    }
    return { kind: 'other', data: message };
  },
};
