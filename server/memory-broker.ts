// The default broker: channels in this process's memory. One process, no dependency, nothing shared.
import type { Broker, StoredMessage } from './broker.js';

export interface MemoryBrokerOptions {
  /** Messages each channel keeps for replay; a resume from before them sees a gap. @default 1000 */
  readonly replayLimit?: number;
}

export interface MemoryBroker extends Broker {
  /** Forgets every channel, as a restart without storage would (for tests). */
  clear(): void;
  /** Each channel's head (for stats). */
  heads(): Record<string, number>;
}

interface Channel {
  head: number;
  readonly log: StoredMessage[];
  readonly listeners: Set<(message: StoredMessage) => void>;
}

export function memoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  const replayLimit = options.replayLimit ?? 1000;
  if (!Number.isInteger(replayLimit) || replayLimit < 1)
    throw new TypeError(
      `tabmux/server: \`replayLimit\` must be a whole number ≥ 1; got ${String(replayLimit)}`,
    );
  let channels = new Map<string, Channel>();
  const channel = (name: string): Channel => {
    let state = channels.get(name);
    if (!state) channels.set(name, (state = { head: 0, log: [], listeners: new Set() }));
    return state;
  };

  return {
    async publish(name, data) {
      const state = channel(name);
      const message = { seq: ++state.head, data };
      state.log.push(message);
      // Trimmed in chunks: a splice per publish moves the whole log, 7 µs a message at a limit of 10,000.
      if (state.log.length >= 2 * replayLimit) state.log.splice(0, state.log.length - replayLimit);
      for (const deliver of state.listeners) deliver(message);
      return message.seq;
    },
    async history(name, after) {
      const state = channels.get(name);
      if (!state) return { head: 0, messages: [] };
      // The log holds up to twice the limit between trims; only the last `replayLimit` are replayed.
      const kept = state.log.length > replayLimit ? state.log.slice(-replayLimit) : state.log;
      const messages = after === null ? kept.slice(-1) : kept.filter((message) => message.seq > after);
      return { head: state.head, messages };
    },
    // A memory broker loses its history only with its process; `clear` is for tests, whose sockets reconnect.
    async listen(name, deliver) {
      const state = channel(name);
      state.listeners.add(deliver);
      return async () => void state.listeners.delete(deliver);
    },
    healthy: async () => true,
    async close() {
      channels = new Map();
    },
    clear() {
      // Listeners stay: the sockets following a channel go on following its new numbering.
      for (const state of channels.values()) {
        state.head = 0;
        state.log.length = 0;
      }
    },
    heads: () => Object.fromEntries([...channels].map(([name, state]) => [name, state.head])),
  };
}
