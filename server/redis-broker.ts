// A broker shared by a fleet through Redis: sequence numbers from one counter per channel, a bounded stream per
// channel for replay, and pub/sub to carry each publish to every instance.
import { Redis } from 'ioredis';
import type { Broker, History, StoredMessage } from './broker.js';

export interface RedisBrokerOptions {
  /** `redis://host:port/db`. */
  readonly url: string;
  /** Messages each channel keeps for replay (the stream's MAXLEN); a resume from before them sees a gap. @default 1000 */
  readonly replayLimit?: number;
  /** Prefix of every key and pub/sub channel, so several apps can share one Redis. @default 'tabmux:' */
  readonly prefix?: string;
  /** Ms to wait for Redis at start before giving up. @default 5000 */
  readonly connectTimeoutMs?: number;
}

// Atomic, so numbers are contiguous across instances and each message's publish order is its number's order.
const PUBLISH = `
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], seq .. '-1', 'd', ARGV[1])
redis.call('PUBLISH', KEYS[3], seq .. ' ' .. ARGV[1])
return seq`;

const HISTORY = `
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[1] == '' then return {head, redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)} end
return {head, redis.call('XRANGE', KEYS[2], ARGV[1], '+')}`;

type StreamEntry = [id: string, fields: string[]];

interface Listening {
  readonly delivers: Set<(message: StoredMessage) => void>;
  /** The last number delivered here; a later one more than one past it is filled in from the stream first. */
  last: number;
  /** Deliveries of a channel run one after another, each waiting for any fill before it. */
  chain: Promise<void>;
}

/**
 * Connects to Redis (rejecting with a clear message when it cannot within `connectTimeoutMs`) and returns the
 * broker. While Redis is down, publishes reject at once (no queue that could deliver them late or never), sockets
 * stay open, and each instance catches up from the streams once Redis is back.
 */
export async function redisBroker(options: RedisBrokerOptions): Promise<Broker> {
  const prefix = options.prefix ?? 'tabmux:';
  const replayLimit = options.replayLimit ?? 1000;
  if (!Number.isInteger(replayLimit) || replayLimit < 1)
    throw new TypeError(
      `tabmux/server: \`replayLimit\` must be a whole number ≥ 1; got ${String(replayLimit)}`,
    );
  const settings = {
    lazyConnect: true,
    // A command while Redis is down fails now instead of waiting in a queue: publishes fail loudly.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 5000,
  } as const;
  let url: URL;
  try {
    url = new URL(options.url);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error('not redis: or rediss:');
  } catch (error) {
    throw new TypeError(
      `tabmux/server: the Redis URL ${JSON.stringify(options.url)} is not valid (${(error as Error).message}); expected e.g. redis://127.0.0.1:6379`,
    );
  }
  const commands = new Redis(options.url, settings);
  const subscriber = new Redis(options.url, { ...settings, enableOfflineQueue: true });
  // ioredis reports each failed reconnection as an 'error' event; the broker's callers see failures through
  // rejected commands and healthy(), so these are not errors of their own.
  commands.on('error', () => {});
  subscriber.on('error', () => {});
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (error) {
    commands.disconnect();
    subscriber.disconnect();
    throw new Error(`tabmux/server: cannot reach Redis at ${url.host}: ${(error as Error).message}`);
  }

  const keys = (channel: string) => [
    `${prefix}${channel}:seq`,
    `${prefix}${channel}:log`,
    `${prefix}live:${channel}`,
  ];
  const listening = new Map<string, Listening>();

  async function history(channel: string, after: number | null): Promise<History> {
    const [seqKey, logKey] = keys(channel);
    const [head, entries] = (await commands.eval(
      HISTORY,
      2,
      seqKey!,
      logKey!,
      after === null ? '' : `${after + 1}-0`,
    )) as [number, StreamEntry[]];
    return { head, messages: entries.map(toMessage).sort((a, b) => a.seq - b.seq) };
  }

  function enqueue(channel: string, message: StoredMessage): void {
    const state = listening.get(channel);
    if (!state) return;
    state.chain = state.chain.then(async () => {
      if (message.seq <= state.last) return;
      if (message.seq > state.last + 1) await catchUp(channel, state);
      if (message.seq <= state.last) return;
      deliver(state, message);
    });
  }

  /** Delivers what the stream has after the last number delivered (a fill, or after a lost connection). */
  async function catchUp(channel: string, state: Listening): Promise<void> {
    const missed = await history(channel, state.last).catch(() => null);
    for (const message of missed?.messages ?? []) if (message.seq > state.last) deliver(state, message);
  }

  function deliver(state: Listening, message: StoredMessage): void {
    state.last = message.seq;
    for (const each of state.delivers) each(message);
  }

  subscriber.on('message', (liveKey: string, payload: string) => {
    const space = payload.indexOf(' ');
    enqueue(liveKey.slice(`${prefix}live:`.length), {
      seq: Number(payload.slice(0, space)),
      data: payload.slice(space + 1),
    });
  });
  // Back after a lost connection: ioredis subscribes again; what was published meanwhile is in the streams.
  subscriber.on('ready', () => {
    for (const [channel, state] of listening) state.chain = state.chain.then(() => catchUp(channel, state));
  });

  return {
    async publish(channel, data) {
      const [seqKey, logKey, liveKey] = keys(channel);
      return Number(await commands.eval(PUBLISH, 3, seqKey!, logKey!, liveKey!, data, replayLimit));
    },
    history,
    async listen(channel, deliverTo) {
      let state = listening.get(channel);
      if (!state) {
        const { head } = await history(channel, null);
        state = listening.get(channel);
        if (!state) {
          state = { delivers: new Set(), last: head, chain: Promise.resolve() };
          listening.set(channel, state);
          await subscriber.subscribe(keys(channel)[2]!);
        }
      }
      const current = state;
      current.delivers.add(deliverTo);
      return async () => {
        current.delivers.delete(deliverTo);
        if (current.delivers.size > 0 || listening.get(channel) !== current) return;
        listening.delete(channel);
        await subscriber.unsubscribe(keys(channel)[2]!).catch(() => {});
      };
    },
    async healthy() {
      try {
        return (
          (await Promise.race([
            commands.ping(),
            new Promise((resolve) => setTimeout(resolve, 1000, 'late')),
          ])) === 'PONG'
        );
      } catch {
        return false;
      }
    },
    async close() {
      listening.clear();
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}

function toMessage([id, fields]: StreamEntry): StoredMessage {
  return { seq: Number.parseInt(id, 10), data: fields[1] ?? 'null' };
}
