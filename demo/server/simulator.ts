/** Realistic dashboard traffic for the demo: an event feed, metrics once a second, and alerts. */

export interface Metrics {
  readonly at: number;
  readonly total: number;
  readonly pending: number;
  readonly delivered: number;
  readonly failed: number;
  /** Events published in the last second. */
  readonly perSecond: number;
  /** The simulator's target rate, events per second. */
  readonly rate: number;
}

export interface FeedEvent {
  readonly id: string;
  readonly kind: 'created' | 'updated' | 'deleted';
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly source: string;
  /** Delivery latency in ms (0 while pending). */
  readonly latencyMs: number;
  readonly at: number;
}

export interface Alert {
  readonly id: string;
  readonly level: 'warning' | 'critical';
  readonly message: string;
  readonly at: number;
}

export interface SimulatorOptions {
  /** Events per second to start with; 0 is idle. @default 20 */
  readonly rate?: number;
  /** Seed of the pseudo-random source, so a run can be repeated. @default 1 */
  readonly seed?: number;
  /** Publishes on a channel. */
  readonly publish: (channel: 'metrics' | 'events' | 'alerts', data: unknown) => void;
  readonly now?: () => number;
}

export const MAX_RATE = 20_000;
const TICK_MS = 50;
const SOURCES = ['checkout', 'billing', 'search', 'auth', 'inventory', 'shipping'];

/** A small seeded PRNG (mulberry32): the same seed gives the same traffic. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createSimulator(options: SimulatorOptions) {
  const now = options.now ?? Date.now;
  let random = seeded(options.seed ?? 1);
  let rate = checkRate(options.rate ?? 20);
  let owed = 0;
  let counter = 0;
  let recent: number[] = [];
  const totals = { total: 0, pending: 0, delivered: 0, failed: 0 };
  let failureStreak = 0;
  let ticker: ReturnType<typeof setInterval> | null = null;
  let metricsTicker: ReturnType<typeof setInterval> | null = null;

  function event(at: number): FeedEvent {
    const roll = random();
    const kind = roll < 0.6 ? 'created' : roll < 0.9 ? 'updated' : 'deleted';
    const outcome = random();
    const status = outcome < 0.06 ? 'failed' : outcome < 0.2 ? 'pending' : 'delivered';
    totals.total++;
    totals[status]++;
    // Pending events settle over time, so the tiles move like a real pipeline's.
    if (totals.pending > 0 && random() < 0.13) {
      totals.pending--;
      totals.delivered++;
    }
    failureStreak = status === 'failed' ? failureStreak + 1 : 0;
    return {
      id: `evt_${(++counter).toString(36)}`,
      kind,
      status,
      source: SOURCES[Math.floor(random() * SOURCES.length)]!,
      latencyMs: status === 'pending' ? 0 : Math.round(20 + random() ** 3 * 900),
      at,
    };
  }

  function emitEvent(at: number): void {
    const published = event(at);
    options.publish('events', published);
    recent.push(at);
    if (failureStreak === 3) {
      const alert: Alert = {
        id: `alr_${counter.toString(36)}`,
        level: 'critical',
        message: `3 deliveries in a row failed (${published.source})`,
        at,
      };
      options.publish('alerts', alert);
    } else if (random() < 0.002) {
      options.publish('alerts', {
        id: `alr_${counter.toString(36)}`,
        level: 'warning',
        message: `latency above 800 ms on ${published.source}`,
        at,
      } satisfies Alert);
    }
  }

  function metrics(at: number): Metrics {
    recent = recent.filter((time) => time > at - 1000);
    return { at, ...totals, perSecond: recent.length, rate };
  }

  return {
    get rate() {
      return rate;
    },
    /** Changes the target rate at once; 0 pauses the feed (metrics keep coming). */
    setRate(value: number) {
      rate = checkRate(value);
      owed = 0;
    },
    start() {
      ticker ??= setInterval(() => {
        owed += (rate * TICK_MS) / 1000;
        const at = now();
        for (; owed >= 1; owed--) emitEvent(at);
      }, TICK_MS);
      metricsTicker ??= setInterval(() => options.publish('metrics', metrics(now())), 1000);
    },
    stop() {
      if (ticker) clearInterval(ticker);
      if (metricsTicker) clearInterval(metricsTicker);
      ticker = metricsTicker = null;
    },
    /**
     * Publishes a fixed history: `seconds` of metrics and `events` feed entries ending at `endAt`, from `seed`.
     * With the rate at 0 the dashboard then shows the same picture every time (the screenshot test relies on it).
     */
    seedHistory(seed: number, endAt: number, seconds = 120, events = 40) {
      random = seeded(seed);
      const perSecond = 40;
      for (let s = seconds; s > 0; s--) {
        const at = endAt - s * 1000;
        const wave = Math.round(perSecond * (1 + 0.6 * Math.sin(s / 9)) + random() * 12);
        for (let i = 0; i < wave; i++) recent.push(at - i);
        if (s <= events / 2) for (const offset of [300, 0]) emitEvent(at - offset);
        else for (let i = 0; i < wave; i++) event(at);
        options.publish('metrics', metrics(at));
      }
    },
  };
}

function checkRate(value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_RATE) {
    throw new RangeError(
      `the simulator's rate must be a number of events per second from 0 to ${MAX_RATE}; got ${value}`,
    );
  }
  return value;
}

export type Simulator = ReturnType<typeof createSimulator>;
