// This tab's handlers per channel. The hub is told of a channel once, whatever the number of handlers.
import type { SubscribeRequest } from '../protocol/session-types.js';
import type { TabmuxError } from './errors.js';

/**
 * Receives a channel's messages; `seq` is the server's sequence number for the channel, or `null` on a protocol
 * that does not number messages (graphql-ws, Socket.IO). `last` is true for the channel's latest message handed to a
 * new subscription (by the hub, or by the server before it acknowledged the subscription): history, not news. A
 * subscription made with `{ last: false }` never gets one.
 */
export type ChannelHandler<T = unknown> = (
  data: T,
  meta: { readonly channel: string; readonly seq: number | null; readonly last: boolean },
) => void;

/** The server ended a channel's subscription: no more messages will come unless the channel is subscribed anew. */
export interface ChannelEnd {
  readonly channel: string;
  /** Why, in the server's words where it gave some. */
  readonly reason: string;
  /** Set (code `server-error`) when the server failed the subscription rather than completing it. */
  readonly error: TabmuxError | null;
}

export interface SubscribeOptions {
  /** Receive the latest message the hub already has for the channel, at once. @default true */
  readonly last?: boolean;
  /**
   * Called once if the server ends the subscription (a completed or failed GraphQL subscription, say); the handler
   * is then removed and the returned unsubscribe function does nothing. The client's `end` event fires too.
   */
  readonly onEnd?: (end: ChannelEnd) => void;
}

interface Entry {
  /** Replaced, never changed in place, so a delivery can walk the array it started with. */
  handlers: readonly ChannelHandler[];
  readonly onEnd: Map<ChannelHandler, (end: ChannelEnd) => void>;
  /** Sent to the hub with the first handler (later ones are served from `latest` here). */
  readonly last: boolean;
  /** The newest numbered message delivered, for dropping what this tab saw already. */
  lastSeq: number | null;
  latest: { readonly seq: number | null; readonly data: unknown } | null;
}

/** One handler's place in a channel, for removing exactly it later. */
export interface Subscription {
  /** The channel's first handler in this tab: the hub must be told. */
  readonly first: boolean;
  readonly entry: object;
}

export function createSubscriptions(report: (error: unknown) => void) {
  const channels = new Map<string, Entry>();

  function call(
    handler: ChannelHandler,
    channel: string,
    seq: number | null,
    data: unknown,
    last: boolean,
  ): void {
    try {
      handler(data, { channel, seq, last });
    } catch (error) {
      report(error);
    }
  }

  return {
    add(channel: string, handler: ChannelHandler, options: SubscribeOptions): Subscription {
      const last = options.last !== false;
      const entry = channels.get(channel);
      if (!entry) {
        const created: Entry = { handlers: [handler], onEnd: new Map(), last, lastSeq: null, latest: null };
        if (options.onEnd) created.onEnd.set(handler, options.onEnd);
        channels.set(channel, created);
        return { first: true, entry: created };
      }
      if (!entry.handlers.includes(handler)) entry.handlers = [...entry.handlers, handler];
      if (options.onEnd) entry.onEnd.set(handler, options.onEnd);
      const latest = entry.latest;
      // Later handlers of the same tab get the latest from here; the hub sends it only once per tab.
      if (last && latest)
        queueMicrotask(
          () =>
            channels.get(channel) === entry &&
            entry.handlers.includes(handler) &&
            call(handler, channel, latest.seq, latest.data, true),
        );
      return { first: false, entry };
    },
    /** Removes a handler; says whether that was the channel's last one in this tab. */
    remove(channel: string, handler: ChannelHandler, subscription: Subscription): boolean {
      const entry = channels.get(channel);
      // A channel the server ended and that was subscribed anew is not the one this handler was added to.
      if (entry !== subscription.entry || !entry.handlers.includes(handler)) return false;
      entry.handlers = entry.handlers.filter((other) => other !== handler);
      entry.onEnd.delete(handler);
      if (entry.handlers.length > 0) return false;
      channels.delete(channel);
      return true;
    },
    has: (channel: string) => channels.has(channel),
    /** Hands a message to the channel's handlers, once: a numbered one this tab saw already is dropped. */
    deliver(channel: string, seq: number | null, data: unknown, last = false): void {
      const entry = channels.get(channel);
      if (!entry) return;
      if (seq !== null) {
        if (entry.lastSeq !== null && seq <= entry.lastSeq) return;
        entry.lastSeq = seq;
      }
      entry.latest = { seq, data };
      const handlers = entry.handlers;
      // A handler removed by an earlier one during this message is not called; the list is searched only once a
      // handler has changed it.
      for (const handler of handlers) {
        if (entry.handlers === handlers || entry.handlers.includes(handler))
          call(handler, channel, seq, data, last);
      }
    },
    /** The server's numbering started again after `seq`: forget what this tab counted. Says whether it follows it. */
    reset(channel: string, seq: number): boolean {
      const entry = channels.get(channel);
      if (!entry) return false;
      entry.lastSeq = seq;
      entry.latest = null;
      return true;
    },
    /** The server ended the channel: its handlers are removed and told. Says whether this tab followed it. */
    end(end: ChannelEnd): boolean {
      const entry = channels.get(end.channel);
      if (!entry) return false;
      channels.delete(end.channel);
      for (const onEnd of entry.onEnd.values()) {
        try {
          onEnd(end);
        } catch (error) {
          report(error);
        }
      }
      return true;
    },
    /** What to tell a hub this tab (re)attaches to, so that it resumes where this tab left off. */
    requests(): SubscribeRequest[] {
      return [...channels].map(([channel, entry]) => ({ channel, last: entry.last, after: entry.lastSeq }));
    },
    request(channel: string): SubscribeRequest | undefined {
      const entry = channels.get(channel);
      return entry && { channel, last: entry.last, after: entry.lastSeq };
    },
  };
}
