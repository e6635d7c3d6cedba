// The README's worked example: a server that speaks `action`/`event` messages with `topic` and `version` fields.
import type { WireProtocol } from '../hub/wire-protocol.js';

type TopicsMessage = {
  event?: string;
  topic?: string;
  version?: number;
  payload?: unknown;
  ref?: string;
  ok?: boolean;
  value?: unknown;
  error?: string;
};

export const topicsProtocol: WireProtocol = {
  auth: (token) => ({ action: 'login', token }),
  subscribe: (channel, after) => ({ action: 'sub', topic: channel, ...(after !== null && { since: after }) }),
  unsubscribe: (channel) => ({ action: 'unsub', topic: channel }),
  publish: (channel, data) => ({ action: 'pub', topic: channel, payload: data }),
  request: (id, data) => ({ action: 'call', ref: id, args: data }),
  parse(message) {
    const m = (typeof message === 'object' && message !== null ? message : {}) as TopicsMessage;
    switch (m.event) {
      case 'logged-in':
        return { kind: 'auth-ok' };
      case 'subbed':
        return { kind: 'subscribed', channel: String(m.topic), seq: Number(m.version) };
      case 'update':
        return { kind: 'message', channel: String(m.topic), seq: Number(m.version), data: m.payload };
      case 'result':
        return m.ok
          ? { kind: 'reply', id: String(m.ref), data: m.value }
          : { kind: 'error', id: String(m.ref), message: String(m.error) };
      default:
        return { kind: 'other', data: message };
    }
  },
};
