// Socket.IO v4 over its WebSocket transport (Engine.IO 4): packets are text frames such as `42["event",data]`.
import type { CloseClass } from '../../protocol/close-codes.js';
import type { Codec } from '../codec.js';
import type { WireProtocol } from '../wire-protocol.js';
import type { ServerEvent } from '../server-event.js';
import type { SocketIoOptions } from '../../protocol/protocol-spec.js';

/** Engine.IO packet types: the first character of every frame. */
const Engine = { Open: '0', Close: '1', Ping: '2', Pong: '3', Message: '4', Noop: '6' } as const;

/** Socket.IO packet types: the character after Engine.IO's `4`. */
const Packet = { Connect: 0, Disconnect: 1, Event: 2, Ack: 3, ConnectError: 4 } as const;

/** The close the hub reports when the server disconnects this client (`socket.disconnect()`): not retried. */
export const SERVER_DISCONNECT = 4000;

/** Acks older than this many are forgotten (their requests timed out or their socket died long ago). */
const MAX_ACKS = 10_000;

/** Frames are text the protocol writes itself; binary frames pass as they are. */
const textCodec: Codec = {
  encode(data) {
    if (typeof data === 'string' || data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data;
    throw new TypeError('a Socket.IO frame must be text');
  },
  decode: (frame) => frame,
};

interface Decoded {
  readonly type: number;
  readonly namespace: string;
  readonly ack: number | null;
  readonly data: unknown;
}

/**
 * One hub's Socket.IO protocol. A channel is an event name: a tab subscribed to `"price"` gets every `price` event,
 * its arguments as the data (one argument as itself, several as an array); events nobody subscribed to reach every
 * tab's `message` listeners as `[name, ...args]`. `send([name, ...args])` and `publish(name, data)` emit; a request
 * `[name, ...args]` is an emit with an acknowledgement, answered by the server's callback. Rooms are the server's:
 * with `join`/`leave`, the first and last tab of a channel emit those events with the channel's name.
 */
export function socketIoProtocol(options: SocketIoOptions = {}): WireProtocol {
  const namespace = options.namespace ?? '/';
  const tokenField = options.tokenField ?? 'token';
  const prefix = namespace === '/' ? '' : `${namespace},`;
  const subscribed = new Set<string>();
  /** Socket.IO numbers acknowledgements; the hub's request ids are strings. */
  const acks = new Map<number, string>();
  let nextAck = 0;

  const packet = (type: number, data?: unknown, ack?: number): string =>
    `${Engine.Message}${type}${prefix}${ack ?? ''}${data === undefined ? '' : JSON.stringify(data)}`;

  function emit(args: unknown, ack?: number): string {
    if (!Array.isArray(args) || typeof args[0] !== 'string' || args[0] === '')
      throw new TypeError(
        'a Socket.IO message is [eventName, ...args], with the event name a non-empty string',
      );
    return packet(Packet.Event, args, ack);
  }

  const dataOf = (args: readonly unknown[]): unknown => (args.length === 1 ? args[0] : args);

  function onPacket(packet: Decoded): ServerEvent {
    if (packet.namespace !== namespace) return { kind: 'ignore' };
    const args = Array.isArray(packet.data) ? (packet.data as unknown[]) : [];
    switch (packet.type) {
      case Packet.Connect:
        return { kind: 'ready' };
      case Packet.Disconnect:
        return { kind: 'close', code: SERVER_DISCONNECT, reason: 'the server disconnected this client' };
      case Packet.ConnectError: {
        const message = (packet.data as { message?: unknown } | null)?.message;
        // Refused by the server's middleware: handled like an auth close, retried once with a fresh token.
        return { kind: 'close', code: 4401, reason: typeof message === 'string' ? message : 'connect error' };
      }
      case Packet.Event: {
        const [name, ...rest] = args;
        if (typeof name !== 'string') return { kind: 'invalid', reason: 'a Socket.IO event without a name' };
        return subscribed.has(name)
          ? { kind: 'message', channel: name, seq: null, data: dataOf(rest) }
          : { kind: 'other', data: args };
      }
      case Packet.Ack: {
        const id = packet.ack === null ? undefined : acks.get(packet.ack);
        if (packet.ack !== null) acks.delete(packet.ack);
        return { kind: 'reply', id: id ?? `unknown ack ${String(packet.ack)}`, data: dataOf(args) };
      }
    }
    return {
      kind: 'invalid',
      reason: `Socket.IO packet type ${packet.type} (binary packets are not supported)`,
    };
  }

  return {
    codec: textCodec,
    serverPings: true,
    url(url) {
      const parsed = new URL(url);
      if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = options.path ?? '/socket.io/';
      if (!parsed.searchParams.has('EIO')) parsed.searchParams.set('EIO', '4');
      if (!parsed.searchParams.has('transport')) parsed.searchParams.set('transport', 'websocket');
      return parsed.href;
    },
    handshake(token) {
      const auth = { ...options.auth, ...(token !== null && { [tokenField]: token }) };
      return [packet(Packet.Connect, Object.keys(auth).length > 0 ? auth : undefined)];
    },
    subscribe(channel) {
      subscribed.add(channel);
      return options.join === undefined ? undefined : emit([options.join, channel]);
    },
    unsubscribe(channel) {
      subscribed.delete(channel);
      return options.leave === undefined ? undefined : emit([options.leave, channel]);
    },
    publish: (channel, data) => emit([channel, data]),
    send: (data) => emit(data),
    request(id, data) {
      const frame = emit(data, nextAck);
      acks.set(nextAck++, id);
      if (acks.size > MAX_ACKS) acks.delete(acks.keys().next().value as number);
      return frame;
    },
    parse(message): ServerEvent {
      if (typeof message !== 'string')
        return { kind: 'invalid', reason: 'a binary frame (binary Socket.IO packets are not supported)' };
      switch (message[0]) {
        case Engine.Open:
          return timingOf(message.slice(1));
        case Engine.Noop:
          return { kind: 'ignore' };
        case Engine.Close:
          return { kind: 'close', code: 1000, reason: 'the server closed the Engine.IO session' };
        case Engine.Ping:
          return { kind: 'send', messages: [`${Engine.Pong}${message.slice(1)}`] };
        case Engine.Pong:
          return { kind: 'pong' };
        case Engine.Message: {
          const decoded = decodePacket(message.slice(1));
          return decoded
            ? onPacket(decoded)
            : { kind: 'invalid', reason: 'a Socket.IO packet that does not parse' };
        }
      }
      return { kind: 'invalid', reason: `an Engine.IO packet of unknown type ${JSON.stringify(message[0])}` };
    },
    classifyClose: (code): CloseClass | undefined => (code === SERVER_DISCONNECT ? 'fatal' : undefined),
  };
}

/** Reads `<type>[<attachments>-][<namespace>,][<ack>][<json>]`; `null` when it is not a packet. */
function decodePacket(text: string): Decoded | null {
  const type = Number(text[0]);
  if (!Number.isInteger(type)) return null;
  let i = 1;
  if (type === 5 || type === 6) i = text.indexOf('-', i) + 1;
  let namespace = '/';
  if (text[i] === '/') {
    const comma = text.indexOf(',', i);
    const end = comma < 0 ? text.length : comma;
    namespace = text.slice(i, end);
    i = comma < 0 ? end : comma + 1;
  }
  let digits = '';
  while (i < text.length && text[i]! >= '0' && text[i]! <= '9') digits += text[i++];
  let data: unknown;
  try {
    data = i < text.length ? JSON.parse(text.slice(i)) : undefined;
  } catch {
    return null;
  }
  return { type, namespace, ack: digits === '' ? null : Number(digits), data };
}

/** The heartbeat an Engine.IO open packet announces (`{"pingInterval":25000,"pingTimeout":20000,…}`), as socket.io-client keeps it. */
function timingOf(json: string): ServerEvent {
  try {
    const open = JSON.parse(json) as { pingInterval?: unknown; pingTimeout?: unknown };
    const { pingInterval: interval, pingTimeout: timeout } = open;
    if (typeof interval === 'number' && interval > 0 && typeof timeout === 'number' && timeout > 0)
      return { kind: 'timing', interval, timeout };
  } catch {
    // An open packet without its JSON: the hub keeps its own heartbeat.
  }
  return { kind: 'ignore' };
}
