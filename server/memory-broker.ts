// The default broker: channels in this process's memory. One process, no dependency, nothing shared.
import type { Broker, StoredMessage } from './broker.js';

export interface MemoryBrokerOptions {
  /** Messages each channel keeps for replay; a resume from before them sees a gap. @default 1000 */
  readonly replayLimit?: number;
  /**
   * Bytes of data each channel keeps for replay (its latest message is kept even when larger): 1 MB messages keep
   * 8 of them, not `replayLimit`. @default 8388608 (8 MiB)
   */
  readonly replayBytes?: number;
  /**
   * Bytes of data all channels keep together; past it the oldest messages anywhere go first, latest values
   * included (a new subscriber then gets none; the numbering goes on). @default 268435456 (256 MiB)
   */
  readonly maxReplayBytes?: number;
  /**
   * Ms after which a channel nobody listens to here and nobody publishes on is forgotten, its number and replay
   * with it: a client resuming it later is told it was reset. Bounds what channels that come and go leave behind.
   * @default 900000 (15 minutes)
   */
  readonly idleChannelMs?: number;
}

export interface MemoryBroker extends Broker {
  /** Forgets every channel, as a restart without storage would (for tests). */
  clear(): void;
  /** Each channel's head (for stats). */
  heads(): Record<string, number>;
  /** Bytes of data kept for replay, over all channels. */
  bytes(): number;
}

interface Channel {
  readonly name: string;
  head: number;
  /**
   * Kept messages are `log[start..]`: dropping the oldest empties its slot (its text must not stay alive) and moves
   * `start`; the array is compacted now and then.
   */
  log: (StoredMessage | null)[];
  start: number;
  bytes: number;
  readonly listeners: Set<(message: StoredMessage) => void>;
  /** When it was last published on, listened to or let go of. */
  touchedAt: number;
}

export function memoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  const replayLimit = whole('replayLimit', options.replayLimit ?? 1000);
  const replayBytes = whole('replayBytes', options.replayBytes ?? 8 * 1024 * 1024);
  const maxReplayBytes = whole('maxReplayBytes', options.maxReplayBytes ?? 256 * 1024 * 1024);
  const idleChannelMs = whole('idleChannelMs', options.idleChannelMs ?? 15 * 60_000);
  let channels = new Map<string, Channel>();
  /**
   * Every kept message's channel and number in the order published, for dropping the oldest anywhere; entries of
   * messages already dropped are skipped. No data here: a stale entry must not keep a message's text alive.
   */
  let order: { readonly state: Channel; readonly seq: number }[] = [];
  let orderStart = 0;
  let total = 0;
  /** Messages kept over all channels: `order` is rebuilt when it holds far more entries than that. */
  let keptTotal = 0;
  const channel = (name: string): Channel => {
    let state = channels.get(name);
    if (!state)
      channels.set(
        name,
        (state = { name, head: 0, log: [], start: 0, bytes: 0, listeners: new Set(), touchedAt: 0 }),
      );
    state.touchedAt = Date.now();
    return state;
  };
  const sweep = setInterval(forgetIdle, Math.min(idleChannelMs, 60_000));
  sweep.unref();

  function forgetIdle(): void {
    const before = Date.now() - idleChannelMs;
    for (const [name, state] of channels) {
      if (state.listeners.size > 0 || state.touchedAt > before) continue;
      channels.delete(name);
      total -= state.bytes;
      keptTotal -= kept(state);
    }
  }
  const kept = (state: Channel) => state.log.length - state.start;

  function dropOldest(state: Channel): void {
    const message = state.log[state.start]!;
    state.log[state.start++] = null;
    state.bytes -= message.data.length;
    total -= message.data.length;
    keptTotal--;
    if (state.start > 1024 && state.start * 2 > state.log.length) {
      state.log = state.log.slice(state.start);
      state.start = 0;
    }
  }

  function trimAll(): void {
    while (total > maxReplayBytes && orderStart < order.length) {
      const { state, seq } = order[orderStart++]!;
      // Already gone from its channel (trimmed there, or the channel forgotten): nothing to drop.
      if (isKept(state, seq) && state.log[state.start]!.seq === seq) dropOldest(state);
    }
    // Entries of messages a channel dropped by itself stay until here: the queue is rebuilt from the kept ones.
    if (order.length - orderStart > 2 * keptTotal + 1024) {
      order = order.slice(orderStart).filter(({ state, seq }) => isKept(state, seq));
      orderStart = 0;
    }
  }

  function isKept(state: Channel, seq: number): boolean {
    return kept(state) > 0 && seq >= state.log[state.start]!.seq && channels.get(state.name) === state;
  }

  return {
    async publish(name, data) {
      const state = channel(name);
      const message = { seq: ++state.head, data };
      state.log.push(message);
      state.bytes += data.length;
      total += data.length;
      keptTotal++;
      order.push({ state, seq: message.seq });
      while (kept(state) > 1 && (kept(state) > replayLimit || state.bytes > replayBytes)) dropOldest(state);
      trimAll();
      for (const deliver of state.listeners) deliver(message);
      return message.seq;
    },
    async history(name, after) {
      const state = channels.get(name);
      if (!state) return { head: 0, messages: [] };
      const log = state.log;
      if (after === null) return { head: state.head, messages: kept(state) > 0 ? [log.at(-1)!] : [] };
      const messages: StoredMessage[] = [];
      for (let i = state.start; i < log.length; i++) if (log[i]!.seq > after) messages.push(log[i]!);
      return { head: state.head, messages };
    },
    // A memory broker loses its history only with its process; `clear` is for tests, whose sockets reconnect.
    async listen(name, deliver) {
      const state = channel(name);
      state.listeners.add(deliver);
      return async () => {
        state.listeners.delete(deliver);
        state.touchedAt = Date.now();
        // A channel never published on holds nothing worth keeping: forgotten with its last listener.
        if (state.listeners.size === 0 && state.head === 0 && channels.get(name) === state)
          channels.delete(name);
      };
    },
    healthy: async () => true,
    async close() {
      clearInterval(sweep);
      channels = new Map();
      order = [];
      orderStart = total = keptTotal = 0;
    },
    clear() {
      // Listeners stay: the sockets following a channel go on following its new numbering.
      for (const state of channels.values()) {
        state.head = state.start = state.bytes = 0;
        state.log = [];
      }
      order = [];
      orderStart = total = keptTotal = 0;
    },
    heads: () => Object.fromEntries([...channels].map(([name, state]) => [name, state.head])),
    bytes: () => total,
  };
}

function whole(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new TypeError(`tabmux/server: \`${name}\` must be a whole number ≥ 1; got ${String(value)}`);
  return value;
}
