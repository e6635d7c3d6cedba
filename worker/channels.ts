// The hub's channels: which tabs want each one, the last sequence number seen, and the latest message.

/** One channel as the hub tracks it. */
interface Channel<Tab> {
  /** Tabs subscribed to it; the server is subscribed while this is not empty. */
  readonly tabs: Set<Tab>;
  /** The last sequence number delivered (or the server's head when it acknowledged); `null` until known. */
  lastSeq: number | null;
  /** The protocol's own resume point, when it has one. */
  cursor: string | number | null;
  latest: Latest | null;
}

/** A channel's newest message; `seq` is `null` on a channel whose protocol does not number messages. */
export interface Latest {
  readonly seq: number | null;
  readonly data: unknown;
}

/** What became of an inbound channel message. */
export type Arrival<Tab> =
  | { readonly kind: 'deliver'; readonly tabs: ReadonlySet<Tab>; readonly gap: Range | null }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'unrouted' };

export interface Range {
  readonly from: number;
  readonly to: number;
}

/** Reference counts are per tab, so the server sees one subscribe for the first tab and one unsubscribe for the last. */
export function createChannels<Tab>() {
  const channels = new Map<string, Channel<Tab>>();
  const none: ReadonlySet<Tab> = new Set();

  return {
    get size() {
      return channels.size;
    },
    names: () => channels.keys(),
    tabsOf: (channel: string): ReadonlySet<Tab> => channels.get(channel)?.tabs ?? none,
    lastSeq: (channel: string) => channels.get(channel)?.lastSeq ?? null,
    cursor: (channel: string) => channels.get(channel)?.cursor ?? null,
    latest: (channel: string) => channels.get(channel)?.latest ?? null,

    /**
     * Adds `tab` to `channel`. `after` (what the tab saw before, under another hub) seeds the resume point of a
     * channel new to this hub. Returns whether the channel is new, i.e. the server must be told.
     */
    add(channel: string, tab: Tab, after: number | null): boolean {
      const existing = channels.get(channel);
      if (existing) {
        existing.tabs.add(tab);
        return false;
      }
      channels.set(channel, { tabs: new Set([tab]), lastSeq: after, cursor: null, latest: null });
      return true;
    },

    /** Removes `tab` from `channel`; returns whether that was the last tab (the server must be told). */
    remove(channel: string, tab: Tab): boolean {
      const state = channels.get(channel);
      if (!state?.tabs.delete(tab) || state.tabs.size > 0) return false;
      channels.delete(channel);
      return true;
    },

    /** Removes a tab from every channel; returns the channels it was the last tab of. */
    removeTab(tab: Tab): string[] {
      const emptied: string[] = [];
      for (const [name, state] of channels) {
        if (state.tabs.delete(tab) && state.tabs.size === 0) {
          channels.delete(name);
          emptied.push(name);
        }
      }
      return emptied;
    },

    /** The server ended the channel's subscription: it is forgotten; returns the tabs it had. */
    end(channel: string): ReadonlySet<Tab> {
      const state = channels.get(channel);
      channels.delete(channel);
      return state?.tabs ?? none;
    },

    /**
     * The server acknowledged a subscription with its head `seq`: anything between what we saw and it is a gap, and a
     * head below what we saw means the server lost its history (a restart without storage), so counting starts again.
     */
    acknowledge(channel: string, seq: number): { gap: Range } | { reset: true } | null {
      const state = channels.get(channel);
      if (!state) return null;
      const last = state.lastSeq;
      state.lastSeq = seq;
      if (last === null || seq === last) return null;
      if (seq < last) {
        state.latest = null;
        return { reset: true };
      }
      return { gap: { from: last + 1, to: seq } };
    },

    /**
     * Decides what to do with an inbound message: deliver (noting any gap before it), or drop. A message without a
     * number is always delivered.
     */
    arrive(channel: string, seq: number | null, data: unknown, cursor?: string | number): Arrival<Tab> {
      const state = channels.get(channel);
      if (!state) return { kind: 'unrouted' };
      if (seq === null) {
        if (cursor !== undefined) state.cursor = cursor;
        state.latest = { seq, data };
        return { kind: 'deliver', tabs: state.tabs, gap: null };
      }
      const last = state.lastSeq;
      if (last !== null && seq <= last) return { kind: 'duplicate' };
      state.lastSeq = seq;
      state.latest = { seq, data };
      if (cursor !== undefined) state.cursor = cursor;
      const gap = last !== null && seq > last + 1 ? { from: last + 1, to: seq - 1 } : null;
      return { kind: 'deliver', tabs: state.tabs, gap };
    },
  };
}
