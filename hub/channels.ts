// The hub's channels: which tabs want each one, the last sequence number seen, and a bounded buffer of the latest
// messages, from which a tab that comes back (from the back/forward cache, or after it stopped reading) catches up.

/** One message as a channel keeps it: `n` counts the channel's deliveries, numbered by the server or not. */
export interface Buffered {
  readonly n: number;
  readonly seq: number | null;
  readonly data: unknown;
}

/** One channel as the hub tracks it. */
interface Channel<Tab> {
  /** Tabs subscribed to it; with none, it lingers (the server is still subscribed) until the hub drops it. */
  readonly tabs: Set<Tab>;
  /** The last sequence number delivered (or the server's head when it acknowledged); `null` until known. */
  lastSeq: number | null;
  /** The protocol's own resume point, when it has one. */
  cursor: string | number | null;
  /** Messages delivered so far: the `n` of the next one. */
  arrivals: number;
  /** The newest messages, oldest first: a ring of at most `bufferSize`. */
  readonly ring: Buffered[];
  start: number;
}

/** What became of an inbound channel message. */
export type Arrival<Tab> =
  | {
      readonly kind: 'deliver';
      readonly tabs: ReadonlySet<Tab>;
      readonly gap: Range | null;
      readonly n: number;
    }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'unrouted' };

export interface Range {
  readonly from: number;
  readonly to: number;
}

/** What a tab that comes back is owed: the buffered messages it missed, after what fell out of the buffer. */
export interface CatchUp {
  readonly messages: readonly Buffered[];
  /** Numbered messages it missed that the buffer no longer holds. */
  readonly gap: Range | null;
  /** Unnumbered messages it missed that the buffer no longer holds. */
  readonly lost: number;
}

/** Where a tab's catch-up starts: after the sequence number it saw, or at the `n` of the first message it missed. */
export type CatchUpFrom = { readonly afterSeq: number } | { readonly n: number };

/**
 * Reference counts are per tab, so the server sees one subscribe for the first tab and one unsubscribe for the last.
 * `bufferSize` messages per channel are kept for catching up (0 keeps only the latest).
 */
export function createChannels<Tab>(bufferSize = 0) {
  const channels = new Map<string, Channel<Tab>>();
  const none: ReadonlySet<Tab> = new Set();
  const capacity = Math.max(1, bufferSize);

  function buffered(state: Channel<Tab>): Buffered[] {
    return [...state.ring.slice(state.start), ...state.ring.slice(0, state.start)];
  }

  return {
    get size() {
      return channels.size;
    },
    names: () => channels.keys(),
    tabsOf: (channel: string): ReadonlySet<Tab> => channels.get(channel)?.tabs ?? none,
    lastSeq: (channel: string) => channels.get(channel)?.lastSeq ?? null,
    cursor: (channel: string) => channels.get(channel)?.cursor ?? null,
    /** The `n` the channel's next message will have. */
    arrivals: (channel: string) => channels.get(channel)?.arrivals ?? 0,
    latest(channel: string): Buffered | null {
      const state = channels.get(channel);
      if (!state || state.ring.length === 0) return null;
      return state.ring[(state.start + state.ring.length - 1) % state.ring.length] ?? null;
    },

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
      channels.set(channel, {
        tabs: new Set([tab]),
        lastSeq: after,
        cursor: null,
        arrivals: 0,
        ring: [],
        start: 0,
      });
      return true;
    },

    /** Removes `tab` from `channel`; returns whether that was the last tab (the channel now lingers). */
    remove(channel: string, tab: Tab): boolean {
      const state = channels.get(channel);
      return !!state?.tabs.delete(tab) && state.tabs.size === 0;
    },

    /** Removes a tab from every channel; returns the channels it was the last tab of. */
    removeTab(tab: Tab): string[] {
      const emptied: string[] = [];
      for (const [name, state] of channels)
        if (state.tabs.delete(tab) && state.tabs.size === 0) emptied.push(name);
      return emptied;
    },

    /** Forgets a channel that still has no tab; returns whether it did (the server must be told). */
    drop(channel: string): boolean {
      const state = channels.get(channel);
      if (!state || state.tabs.size > 0) return false;
      channels.delete(channel);
      return true;
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
        state.ring.length = 0;
        state.start = 0;
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
      const last = state.lastSeq;
      if (seq !== null) {
        if (last !== null && seq <= last) return { kind: 'duplicate' };
        state.lastSeq = seq;
      }
      if (cursor !== undefined) state.cursor = cursor;
      const n = state.arrivals++;
      const entry: Buffered = { n, seq, data };
      if (state.ring.length < capacity) state.ring.push(entry);
      else {
        state.ring[state.start] = entry;
        state.start = (state.start + 1) % capacity;
      }
      const gap = seq !== null && last !== null && seq > last + 1 ? { from: last + 1, to: seq - 1 } : null;
      return { kind: 'deliver', tabs: state.tabs, gap, n };
    },

    /** What a tab that saw the channel up to `from` is owed now (see `CatchUp`). */
    catchUp(channel: string, from: CatchUpFrom): CatchUp {
      const state = channels.get(channel);
      if (!state) return { messages: [], gap: null, lost: 0 };
      // Without a buffer the latest message is kept (for `last`), but a catch-up is all gap.
      const all = bufferSize === 0 ? [] : buffered(state);
      if ('afterSeq' in from) {
        const after = from.afterSeq;
        const messages = all.filter((entry) => entry.seq !== null && entry.seq > after);
        const last = state.lastSeq;
        const first = messages[0]?.seq ?? (last === null ? after + 1 : last + 1);
        const gap = first > after + 1 ? { from: after + 1, to: first - 1 } : null;
        return { messages, gap, lost: 0 };
      }
      const messages = all.filter((entry) => entry.n >= from.n);
      const lost = (messages[0]?.n ?? state.arrivals) - from.n;
      return { messages, gap: null, lost: Math.max(0, lost) };
    },
  };
}
