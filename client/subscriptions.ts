// This tab's handlers per channel. The hub is told of a channel once, whatever the number of handlers.
import type { SubscribeRequest } from '../worker/session-types.js';

/** Receives a channel's messages; `seq` is the server's sequence number for the channel. */
export type ChannelHandler<T = unknown> = (
  data: T,
  meta: { readonly channel: string; readonly seq: number },
) => void;

export interface SubscribeOptions {
  /** Receive the latest message the hub already has for the channel, at once. @default true */
  readonly last?: boolean;
}

interface Entry {
  /** Replaced, never changed in place, so a delivery can walk the array it started with. */
  handlers: readonly ChannelHandler[];
  /** Sent to the hub with the first handler (later ones are served from `latest` here). */
  readonly last: boolean;
  /** The newest message delivered, numbered `lastSeq`. */
  lastSeq: number | null;
  latest: unknown;
}

export function createSubscriptions(report: (error: unknown) => void) {
  const channels = new Map<string, Entry>();

  function call(handler: ChannelHandler, channel: string, seq: number, data: unknown): void {
    try {
      handler(data, { channel, seq });
    } catch (error) {
      report(error);
    }
  }

  return {
    /** Adds a handler; says whether the hub must be told (the channel's first handler in this tab). */
    add(channel: string, handler: ChannelHandler, options: SubscribeOptions): boolean {
      const last = options.last !== false;
      const entry = channels.get(channel);
      if (!entry) {
        channels.set(channel, { handlers: [handler], last, lastSeq: null, latest: null });
        return true;
      }
      if (!entry.handlers.includes(handler)) entry.handlers = [...entry.handlers, handler];
      const { lastSeq, latest } = entry;
      // Later handlers of the same tab get the latest from here; the hub sends it only once per tab.
      if (last && lastSeq !== null)
        queueMicrotask(() => entry.handlers.includes(handler) && call(handler, channel, lastSeq, latest));
      return false;
    },
    /** Removes a handler; says whether that was the channel's last one in this tab. */
    remove(channel: string, handler: ChannelHandler): boolean {
      const entry = channels.get(channel);
      if (!entry?.handlers.includes(handler)) return false;
      entry.handlers = entry.handlers.filter((other) => other !== handler);
      if (entry.handlers.length > 0) return false;
      channels.delete(channel);
      return true;
    },
    has: (channel: string) => channels.has(channel),
    /** Hands a message to the channel's handlers, once: what this tab saw already is dropped. */
    deliver(channel: string, seq: number, data: unknown): void {
      const entry = channels.get(channel);
      if (!entry || (entry.lastSeq !== null && seq <= entry.lastSeq)) return;
      entry.lastSeq = seq;
      entry.latest = data;
      const handlers = entry.handlers;
      // A handler removed by an earlier one during this message is not called; the list is searched only once a
      // handler has changed it.
      for (const handler of handlers) {
        if (entry.handlers === handlers || entry.handlers.includes(handler))
          call(handler, channel, seq, data);
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
