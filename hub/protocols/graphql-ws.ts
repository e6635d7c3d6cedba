// graphql-ws's protocol (`graphql-transport-ws`): subscriptions as channels, queries and mutations as requests.
import type { CloseClass } from '../../protocol/close-codes.js';
import type { WireProtocol } from '../wire-protocol.js';
import type { ServerEvent } from '../server-event.js';
import { operationOf } from './graphql-channel.js';
import type { GraphqlWsOptions } from '../../protocol/protocol-spec.js';

/** Close codes of graphql-ws that a new socket would only meet again: the client or the server is broken. */
const FATAL = new Set([
  4400, // BadRequest: the server could not read a message of ours
  4401, // Unauthorized: a message before connection_ack, which this protocol never sends
  4406, // SubprotocolNotAcceptable
  4500, // InternalServerError
]);

/**
 * One hub's graphql-ws protocol. A channel is a subscription (a `graphqlChannel` key, or a bare query): its first tab
 * sends `subscribe` under an id of this socket, its last tab `complete`. Messages carry no sequence numbers, so a
 * reconnect subscribes afresh (no resume). A request's data is the operation, `{ query, variables? }`, and its reply
 * the execution result `{ data, errors? }`.
 */
export function graphqlWsProtocol(options: GraphqlWsOptions = {}): WireProtocol {
  const tokenField = options.tokenField ?? 'token';
  let nextId = 0;
  /** Ids are per socket; a new socket subscribes every channel again under new ones. */
  const channelOfId = new Map<string, string>();
  const idOfChannel = new Map<string, string>();

  function forget(id: string): string | undefined {
    const channel = channelOfId.get(id);
    channelOfId.delete(id);
    if (channel !== undefined && idOfChannel.get(channel) === id) idOfChannel.delete(channel);
    return channel;
  }

  return {
    subprotocols: ['graphql-transport-ws'],
    handshake(token) {
      channelOfId.clear();
      idOfChannel.clear();
      const payload = { ...options.connectionParams, ...(token !== null && { [tokenField]: token }) };
      return [
        Object.keys(payload).length > 0 ? { type: 'connection_init', payload } : { type: 'connection_init' },
      ];
    },
    subscribe(channel) {
      const id = `s${++nextId}`;
      channelOfId.set(id, channel);
      idOfChannel.set(channel, id);
      return { id, type: 'subscribe', payload: operationOf(channel) };
    },
    unsubscribe(channel) {
      const id = idOfChannel.get(channel);
      if (id === undefined) return undefined;
      forget(id);
      return { id, type: 'complete' };
    },
    publish() {
      throw new TypeError('graphql-ws has no publish: send a mutation with request({ query, variables })');
    },
    request(id, data) {
      const operation = data as { query?: unknown } | null;
      if (typeof operation !== 'object' || operation === null || typeof operation.query !== 'string')
        throw new TypeError('a graphql-ws request is an operation: { query, variables?, operationName? }');
      return { id, type: 'subscribe', payload: operation };
    },
    send() {
      throw new TypeError('graphql-ws takes no free-form messages: use subscribe or request');
    },
    parse(message): ServerEvent {
      if (typeof message !== 'object' || message === null)
        return { kind: 'invalid', reason: 'a graphql-ws message that is not an object' };
      const { type, id, payload } = message as { type?: unknown; id?: unknown; payload?: unknown };
      switch (type) {
        case 'connection_ack':
          return { kind: 'ready' };
        case 'ping':
          return { kind: 'send', messages: [{ type: 'pong' }] };
        case 'pong':
          return { kind: 'pong' };
      }
      if (typeof id !== 'string')
        return { kind: 'invalid', reason: `a graphql-ws "${String(type)}" without an id` };
      const channel = channelOfId.get(id);
      switch (type) {
        case 'next':
          return channel === undefined
            ? { kind: 'reply', id, data: payload }
            : { kind: 'message', channel, seq: null, data: payload };
        case 'error': {
          const why = errorsOf(payload);
          if (channel === undefined) return { kind: 'error', id, message: why };
          forget(id);
          return { kind: 'end', channel, reason: why, failed: true };
        }
        case 'complete':
          if (channel === undefined) return { kind: 'ignore' };
          forget(id);
          return { kind: 'end', channel, reason: 'the server completed the subscription', failed: false };
      }
      return { kind: 'other', data: message };
    },
    classifyClose: (code): CloseClass | undefined => (FATAL.has(code) ? 'fatal' : undefined),
  };
}

function errorsOf(payload: unknown): string {
  if (!Array.isArray(payload)) return 'the server reported an error';
  return payload.map((error) => String((error as { message?: unknown })?.message ?? error)).join('; ');
}
