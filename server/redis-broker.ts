// A broker shared by a fleet through Redis: sequence numbers from one counter per channel, a bounded stream per
// channel for replay, and pub/sub to carry each publish to every instance.
import { randomUUID } from 'node:crypto';
import type { Redis as RedisClient } from 'ioredis';
import type { Broker, History, StoredMessage } from './broker.js';

export interface RedisBrokerOptions {
  /** `redis://host:port/db`. */
  readonly url: string;
  /** Messages each channel keeps for replay; a resume from before them sees a gap. @default 1000 */
  readonly replayLimit?: number;
  /** Bytes of data each channel keeps for replay (its latest message always). @default 8388608 (8 MiB) */
  readonly replayBytes?: number;
  /** Prefix of every key and pub/sub channel, so several apps can share one Redis. @default 'tabmux:' */
  readonly prefix?: string;
  /** Ms to wait for Redis at start before giving up. @default 5000 */
  readonly connectTimeoutMs?: number;
  /**
   * Told when Redis becomes unreachable (`up: false`) and reachable again (`true`), once per change, with a line
   * in plain words (the CLI logs it). @default none
   */
  readonly onStatus?: (up: boolean, detail: string) => void;
}

// Atomic, so numbers are contiguous across instances and each message's publish order is its number's order. A
// channel's numbering has an epoch, set by its first publish: a Redis that lost its history gives it a new one, which
// every listener sees, in the messages themselves, and resets on, where the numbers alone could look like repeats.
// The log is trimmed here, not with MAXLEN, so that its byte count (KEYS[5]) stays exact; the latest stays.
const PUBLISH = `
local epoch = redis.call('GET', KEYS[4])
if not epoch then epoch = ARGV[3]; redis.call('SET', KEYS[4], epoch) end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], seq .. '-1', 'd', ARGV[1])
local bytes = redis.call('INCRBY', KEYS[5], string.len(ARGV[1]))
local count = redis.call('XLEN', KEYS[2])
while count > 1 and (count > tonumber(ARGV[2]) or bytes > tonumber(ARGV[4])) do
  local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  redis.call('XDEL', KEYS[2], oldest[1])
  bytes = redis.call('DECRBY', KEYS[5], string.len(oldest[2][2]))
  count = count - 1
end
redis.call('PUBLISH', KEYS[3], epoch .. ' ' .. seq .. ' ' .. ARGV[1])
return seq`;

const HISTORY = `
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
local epoch = redis.call('GET', KEYS[3]) or ''
if ARGV[1] == '' then return {head, epoch, redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)} end
return {head, epoch, redis.call('XRANGE', KEYS[2], ARGV[1], '+')}`;

type StreamEntry = [id: string, fields: string[]];

interface Listening {
  readonly delivers: Set<(message: StoredMessage) => void>;
  readonly resets: Set<() => void>;
  /** The last number delivered here; a later one more than one past it is filled in from the stream first. */
  last: number;
  /** The numbering's epoch, once known; another one means Redis lost the channel's history. */
  epoch: string | null;
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
  const replayBytes = options.replayBytes ?? 8 * 1024 * 1024;
  if (!Number.isInteger(replayBytes) || replayBytes < 1)
    throw new TypeError(
      `tabmux/server: \`replayBytes\` must be a whole number ≥ 1; got ${String(replayBytes)}`,
    );
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
  const Redis = await loadRedis();
  const commands: RedisClient = new Redis(options.url, settings);
  const subscriber: RedisClient = new Redis(options.url, { ...settings, enableOfflineQueue: true });
  // ioredis reports each failed reconnection as an 'error' event; the broker's callers see failures through
  // rejected commands and healthy(), so these are reported once per outage, in words, not per attempt.
  let up = true;
  const changed = (next: boolean, detail: string) => {
    if (next === up) return;
    up = next;
    options.onStatus?.(up, detail);
  };
  commands.on('error', (error: Error & { code?: string }) =>
    changed(false, `${url.host}: ${plainly(error)}; publishes fail until it is back`),
  );
  subscriber.on('error', () => {});
  commands.on('ready', () => changed(true, `${url.host}: publishing and delivering again`));
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (error) {
    commands.disconnect();
    subscriber.disconnect();
    throw new Error(`tabmux/server: cannot reach Redis at ${url.host}: ${(error as Error).message}`);
  }

  const keys = (channel: string) => ({
    seq: `${prefix}${channel}:seq`,
    log: `${prefix}${channel}:log`,
    live: `${prefix}live:${channel}`,
    epoch: `${prefix}${channel}:epoch`,
    bytes: `${prefix}${channel}:bytes`,
  });
  const listening = new Map<string, Listening>();

  async function read(channel: string, after: number | null): Promise<History & { epoch: string | null }> {
    const key = keys(channel);
    const [head, epoch, entries] = (await commands.eval(
      HISTORY,
      3,
      key.seq,
      key.log,
      key.epoch,
      after === null ? '' : `${after + 1}-0`,
    )) as [number, string, StreamEntry[]];
    return { head, epoch: epoch || null, messages: entries.map(toMessage).sort((a, b) => a.seq - b.seq) };
  }

  async function history(channel: string, after: number | null): Promise<History> {
    const { head, messages } = await read(channel, after);
    return { head, messages };
  }

  function enqueue(channel: string, epoch: string, message: StoredMessage): void {
    const state = listening.get(channel);
    if (!state) return;
    state.chain = state.chain.then(async () => {
      if (state.epoch !== null && epoch !== state.epoch) return restart(channel, state);
      state.epoch = epoch;
      // A number already delivered is a repeat: a catch-up overlapping a live message.
      if (message.seq <= state.last) return;
      if (message.seq > state.last + 1) await catchUp(channel, state);
      if (message.seq <= state.last) return;
      deliver(state, message);
    });
  }

  /** Delivers what the stream has after the last number delivered (a fill, or after a lost connection). */
  async function catchUp(channel: string, state: Listening): Promise<void> {
    const missed = await read(channel, state.last).catch(() => null);
    if (!missed) return;
    const lost = state.epoch !== null ? missed.epoch !== state.epoch : missed.head < state.last;
    if (lost) return restart(channel, state);
    state.epoch ??= missed.epoch;
    for (const message of missed.messages) if (message.seq > state.last) deliver(state, message);
  }

  /** Redis lost the channel's history (restarted without persistence): numbering starts again, and listeners know. */
  async function restart(channel: string, state: Listening): Promise<void> {
    state.last = 0;
    state.epoch = null;
    for (const reset of state.resets) reset();
    const kept = await read(channel, 0).catch(() => null);
    state.epoch = kept?.epoch ?? null;
    for (const message of kept?.messages ?? []) if (message.seq > state.last) deliver(state, message);
  }

  function deliver(state: Listening, message: StoredMessage): void {
    state.last = message.seq;
    for (const each of state.delivers) each(message);
  }

  const relayed = new Map<string, (message: string) => void>();
  subscriber.on('message', (liveKey: string, payload: string) => {
    if (liveKey.startsWith(`${prefix}relay:`)) return relayed.get(liveKey)?.(payload);
    const first = payload.indexOf(' ');
    const second = payload.indexOf(' ', first + 1);
    enqueue(liveKey.slice(`${prefix}live:`.length), payload.slice(0, first), {
      seq: Number(payload.slice(first + 1, second)),
      data: payload.slice(second + 1),
    });
  });
  // Back after a lost connection: ioredis subscribes again; what was published meanwhile is in the streams.
  subscriber.on('ready', () => {
    for (const [channel, state] of listening) state.chain = state.chain.then(() => catchUp(channel, state));
  });

  return {
    async publish(channel, data) {
      const key = keys(channel);
      const epoch = randomUUID();
      return Number(
        await commands.eval(
          PUBLISH,
          5,
          key.seq,
          key.log,
          key.live,
          key.epoch,
          key.bytes,
          data,
          replayLimit,
          epoch,
          replayBytes,
        ),
      );
    },
    history,
    async listen(channel, deliverTo, reset) {
      let state = listening.get(channel);
      if (!state) {
        const { head, epoch } = await read(channel, null);
        state = listening.get(channel);
        if (!state) {
          state = { delivers: new Set(), resets: new Set(), last: head, epoch, chain: Promise.resolve() };
          listening.set(channel, state);
          await subscriber.subscribe(keys(channel).live);
        }
      }
      const current = state;
      current.delivers.add(deliverTo);
      current.resets.add(reset);
      return async () => {
        current.delivers.delete(deliverTo);
        current.resets.delete(reset);
        if (current.delivers.size > 0 || listening.get(channel) !== current) return;
        listening.delete(channel);
        await subscriber.unsubscribe(keys(channel).live).catch(() => {});
      };
    },
    relay: {
      async listen(address, receive) {
        const key = `${prefix}relay:${address}`;
        relayed.set(key, receive);
        await subscriber.subscribe(key);
        return async () => {
          relayed.delete(key);
          await subscriber.unsubscribe(key).catch(() => {});
        };
      },
      async send(address, message) {
        return (await commands.publish(`${prefix}relay:${address}`, message)) > 0;
      },
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

/** ioredis, loaded only by apps that use this broker: tabmux/server needs it for nothing else. */
async function loadRedis(): Promise<typeof RedisClient> {
  try {
    return (await import('ioredis')).Redis;
  } catch (error) {
    throw new Error(
      `tabmux/server: the Redis broker needs the ioredis package (npm install ioredis): ${(error as Error).message}`,
    );
  }
}

function toMessage([id, fields]: StreamEntry): StoredMessage {
  return { seq: Number.parseInt(id, 10), data: fields[1] ?? 'null' };
}

/** An ioredis error in words: the socket's code says more than its stack. */
function plainly(error: Error & { code?: string }): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code === 'ECONNRESET') return 'connection reset';
  if (error.code === 'ETIMEDOUT') return 'no answer (timed out)';
  if (error.code === 'ENOTFOUND') return 'host not found';
  return error.message.split('\n')[0]!;
}
