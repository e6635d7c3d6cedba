// Inbound routing: what the server's events mean for the tabs. The mirror of outbound.ts.
import { copyOfBinary, movableBuffer } from './binary-transfer.js';
import { catchUp, miss } from './catch-up.js';
import { errorEvent, errorInfo } from './errors.js';
import {
  broadcast,
  log,
  onlyTransferring,
  replyError,
  reportGap,
  type HubCore,
  type Tab,
} from './hub-core.js';
import type { PendingRequest } from './pending-requests.js';
import type { RoutedEvent } from './server-event.js';
import { badSeq, isSeq } from '../protocol/channel-name.js';

/** Protocol errors of one channel are reported once in this long; the others are counted. */
const PROTOCOL_ERROR_INTERVAL_MS = 5000;

export interface InboundHooks {
  /** The channel ended: it no longer lingers. */
  stopLinger(channel: string): void;
}

/** Returns the function that routes one server event to the tabs it concerns. */
export function createInbound(core: HubCore, hooks: InboundHooks): (event: RoutedEvent) => void {
  const { tabs, channels, requests, counters } = core;

  /** Per channel ('' for the connection), the protocol errors of the current interval. */
  const bursts = new Map<string, { since: number; quiet: number }>();

  return function route(event: RoutedEvent): void {
    counters.messagesIn++;
    switch (event.kind) {
      case 'message': {
        if (event.seq !== null && !isSeq(event.seq, 1))
          return protocolError(event.channel, badSeq(event.seq));
        // Binary data for a channel's only tab is moved to it; the channel's buffer keeps a copy.
        const binary = movableBuffer(event.data);
        const movable = binary && onlyTransferring(channels.tabsOf(event.channel)) ? binary : null;
        const kept = movable ? copyOfBinary(event.data) : event.data;
        const arrival = channels.arrive(event.channel, event.seq, kept, event.cursor);
        if (arrival.kind === 'unrouted') counters.unroutedMessages++;
        else if (arrival.kind === 'duplicate') counters.duplicatesDropped++;
        else {
          if (arrival.gap) reportGap(core, event.channel, arrival.tabs, arrival.gap);
          const last = event.last === true;
          for (const tab of arrival.tabs) {
            // The latest value the server hands a new subscription is not for a tab that asked for none.
            if (last && tab.noLast.has(event.channel)) continue;
            if (tab.queue.waiting) miss(tab, event.channel, arrival.n, event.seq);
            else if (movable) {
              counters.transferred++;
              tab.queue.message(event.channel, event.seq, event.data, movable, last);
            } else tab.queue.message(event.channel, event.seq, event.data, undefined, last);
          }
        }
        return;
      }
      case 'subscribed': {
        if (!isSeq(event.seq, 0)) return protocolError(event.channel, `subscribed with ${badSeq(event.seq)}`);
        const tabsOfChannel = channels.tabsOf(event.channel);
        const ack = channels.acknowledge(event.channel, event.seq);
        log(core, 'debug', () => `subscribed "${event.channel}" at ${event.seq}`);
        if (ack && 'gap' in ack) reportGap(core, event.channel, tabsOfChannel, ack.gap);
        else if (ack) {
          log(
            core,
            'warn',
            () => `channel "${event.channel}" was reset by the server: numbering again after ${event.seq}`,
          );
          for (const tab of tabsOfChannel)
            tab.queue.event({ type: 'reset', channel: event.channel, seq: event.seq });
        }
        return;
      }
      case 'end': {
        // A tab that is behind gets what it missed of the channel first, while the channel still has it.
        for (const tab of channels.tabsOf(event.channel)) catchUp(core, tab, event.channel);
        hooks.stopLinger(event.channel);
        const ended = channels.end(event.channel);
        const error = event.failed ? errorInfo(event.code ?? 'server-error', event.reason) : null;
        for (const tab of ended)
          tab.queue.event({ type: 'end', channel: event.channel, reason: event.reason, error });
        return;
      }
      case 'reply': {
        const pending = takeRequest(event.id);
        pending?.tab.queue.event({ type: 'reply', requestId: pending.requestId, data: event.data });
        return;
      }
      case 'error': {
        if (event.id === null)
          broadcast(core, errorEvent(event.code ?? 'server-error', `the server reported: ${event.message}`));
        else {
          const pending = takeRequest(event.id);
          if (pending) replyError(pending, event.code ?? 'server-error', event.message);
        }
        return;
      }
      case 'invalid':
        return protocolError(null, event.reason);
      case 'other': {
        const binary = movableBuffer(event.data);
        const movable = binary && onlyTransferring(tabs) ? binary : null;
        if (!movable) return broadcast(core, { type: 'message', data: event.data });
        counters.transferred++;
        for (const tab of tabs) tab.queue.event({ type: 'message', data: event.data }, movable);
      }
    }
  };

  /** A server message that breaks the rules: counted, dropped, and reported to the tabs it concerns. */
  function protocolError(channel: string | null, what: string): void {
    counters.protocolErrors++;
    // A server that breaks the rules usually does so in bursts: each channel's first is reported, the rest of the
    // next few seconds only counted, and the next report says how many there were.
    const key = channel ?? '';
    const now = core.now();
    const burst = bursts.get(key);
    if (burst && now - burst.since < PROTOCOL_ERROR_INTERVAL_MS) {
      burst.quiet++;
      return;
    }
    bursts.set(key, { since: now, quiet: 0 });
    const also =
      burst && burst.quiet > 0 ? ` (and ${burst.quiet} more before it, counted in stats.protocolErrors)` : '';
    const event = errorEvent(
      'protocol-error',
      `the server broke the protocol${channel === null ? '' : ` on channel "${channel}"`}: ${what}; the message was dropped${also}`,
    );
    const concerned = channel === null ? tabs : channels.tabsOf(channel);
    for (const tab of concerned.size > 0 ? concerned : tabs) tab.queue.event(event);
  }

  /** The request answered by `hubRequestId`; counts answers nobody waits for. */
  function takeRequest(hubRequestId: string): PendingRequest<Tab> | undefined {
    const pending = requests.take(hubRequestId);
    if (!pending) counters.unknownReplies++;
    return pending;
  }
}
