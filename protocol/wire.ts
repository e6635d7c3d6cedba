// The default wire format's one parser and one encoder, used by the hub and by tabmux/server alike.
import { channelProblem, isSeq } from './channel-name.js';
import type { RefusalCode, Wire } from './wire-messages.js';

/** A message that is not one of the protocol's, and why. */
export interface WireProblem {
  readonly problem: string;
}

/** Encodes one message, or a batch, as the text of one frame. */
export function encodeMessage(message: Wire.ClientMessage | Wire.ServerMessage): string {
  return JSON.stringify(message);
}

/**
 * Encodes several server messages, each already encoded by `encodeMessage`, as one `batch` frame: a server joins
 * texts it encoded once rather than encoding a message again for every socket.
 */
export function encodeBatch(encoded: readonly string[]): string {
  return encoded.length === 1 ? encoded[0]! : `{"type":"batch","messages":[${encoded.join(',')}]}`;
}

/** Decodes and checks one frame a client sent (tabmux/server's side). */
export function parseClientFrame(text: string): Wire.ClientMessage | WireProblem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `a frame that is not JSON: ${(error as Error).message}` };
  }
  return parseClientMessage(value);
}

/** Checks one decoded client message: every field the protocol gives it, with the channel and sequence rules. */
export function parseClientMessage(value: unknown): Wire.ClientMessage | WireProblem {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { problem: 'a frame that is not a message object' };
  const m = value as Record<string, unknown>;
  const { type, channel } = m;
  switch (type) {
    case 'ping':
      return { type };
    case 'auth':
      return typeof m['token'] === 'string'
        ? { type, token: m['token'] }
        : { problem: 'an auth message needs a string token' };
    case 'subscribe':
    case 'resume': {
      const problem = channelProblem(channel);
      if (problem) return { problem: `a ${type} needs a channel: ${problem}` };
      if (type === 'subscribe')
        return { type, channel: channel as string, ...(m['last'] === false && { last: false as const }) };
      return isSeq(m['after'], 0)
        ? { type, channel: channel as string, after: m['after'] }
        : { problem: 'a resume needs `after`, a sequence number' };
    }
    case 'unsubscribe':
      return channelProblem(channel) === null
        ? { type, channel: channel as string }
        : { problem: 'an unsubscribe needs a channel name' };
    case 'publish':
      return channelProblem(channel) === null
        ? { type, channel: channel as string, data: m['data'] }
        : { problem: 'a publish needs a channel name' };
    case 'request':
      return typeof m['id'] === 'string' && m['id'] !== ''
        ? { type, id: m['id'], data: m['data'] }
        : { problem: 'a request needs a string id' };
    default:
      return { problem: `an unknown message type: ${JSON.stringify(type)?.slice(0, 40)}` };
  }
}

/**
 * Checks one decoded server message (the hub's side). `null`: not a message of this protocol (the hub passes it to
 * the tabs as it is). Sequence numbers are left to the hub, which checks them for every protocol and reports a bad
 * one to the channel's tabs.
 */
export function parseServerMessage(value: unknown): Wire.ServerMessage | WireProblem | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  const channel = m['channel'];
  switch (m['type']) {
    case 'auth-ok':
      return { type: 'auth-ok' };
    case 'pong':
      return { type: 'pong' };
    case 'subscribed':
      if (typeof channel !== 'string') return { problem: 'a `subscribed` message without a channel' };
      return { type: 'subscribed', channel, seq: m['seq'] as number };
    case 'message':
      if (typeof channel !== 'string') return { problem: 'a channel `message` without a channel' };
      if (m['seq'] === null || m['seq'] === undefined)
        return { problem: `a message of channel "${channel}" without a sequence number` };
      return {
        type: 'message',
        channel,
        seq: m['seq'] as number,
        data: m['data'],
        ...(m['last'] === true && { last: true as const }),
      };
    case 'ended':
      if (typeof channel !== 'string') return { problem: 'an `ended` message without a channel' };
      return {
        type: 'ended',
        channel,
        reason: String(m['reason'] ?? 'ended'),
        ...(m['failed'] === true && { failed: true }),
        ...(isRefusalCode(m['code']) && { code: m['code'] }),
      };
    case 'reply':
      return typeof m['id'] === 'string' ? { type: 'reply', id: m['id'], data: m['data'] } : null;
    case 'batch':
      // The items are parsed one by one by whoever reads the batch, so one bad item costs only itself.
      return Array.isArray(m['messages'])
        ? { type: 'batch', messages: m['messages'] as Wire.Batch['messages'] }
        : null;
    case 'error':
      return {
        type: 'error',
        ...(typeof m['id'] === 'string' && { id: m['id'] }),
        ...(isRefusalCode(m['code']) && { code: m['code'] }),
        message: typeof m['message'] === 'string' ? m['message'] : JSON.stringify(value),
      };
    default:
      return null;
  }
}

export function isProblem(value: object): value is WireProblem {
  return 'problem' in value;
}

function isRefusalCode(value: unknown): value is RefusalCode {
  return value === 'forbidden' || value === 'rate-limited';
}
