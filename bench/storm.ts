// The reconnect storm: many hubs in Node lose the server at once; how do their retries spread out?
// Three strategies with the same bounds: tabmux's full jitter, no jitter, and jitter that the cap flattens.
import WebSocket from 'ws';
import { startTestServer } from '../testing/test-server.js';
import { fullJitter, type RetryDelay } from '../hub/backoff.js';
import type { WebSocketConstructor } from '../hub/environment.js';
import { createHub, type Hub } from '../hub/hub.js';
import { testConfig } from '../test/helpers.js';
import { until } from './until.js';

const BIN_MS = 100;
const BOUNDS = { initialDelay: 500, factor: 2, maxDelay: 4000 };
/** Long enough for the bound to pass the cap a few times over. */
const DOWN_MS = 12_000;
/** The bound reaches the cap after 0.5 + 1 + 2 s of retries on average; from 5 s on every hub is at the cap. */
export const CAP_WINDOW = [5000, DOWN_MS] as const;
const OBSERVE_MS = 25_000;

export const STRATEGIES: Record<string, (random: () => number) => RetryDelay> = {
  'full jitter (tabmux)': (random) => fullJitter(BOUNDS, random),
  'no jitter': () => (n) => Math.min(BOUNDS.maxDelay, BOUNDS.initialDelay * BOUNDS.factor ** n),
  // The common mistake: the cap is applied after the jitter, so once the bound passes the cap most delays equal it.
  'jitter, then cap': (random) => (n) =>
    Math.min(BOUNDS.maxDelay, random() * BOUNDS.initialDelay * BOUNDS.factor ** n),
};

export interface StormResult {
  readonly strategy: string;
  /** Connection attempts per 100 ms bin, from the moment the server went away. */
  readonly histogram: number[];
  /** Over the whole outage and recovery: dominated by the first retries, which every backoff puts close together. */
  readonly peakToMean: number;
  /** While every hub retries at the cap (from `CAP_WINDOW[0]` ms to the server's return): the storm's steady shape. */
  readonly peakToMeanAtCap: number;
  readonly attempts: number;
  /** Ms until every hub was open again; `null` if not all were within the observation window. */
  readonly allBackMs: number | null;
}

export async function runStorm(hubs: number): Promise<StormResult[]> {
  const results: StormResult[] = [];
  for (const [strategy, make] of Object.entries(STRATEGIES)) {
    results.push(await stormOnce(strategy, make(Math.random), hubs));
  }
  return results;
}

async function stormOnce(strategy: string, retryDelay: RetryDelay, count: number): Promise<StormResult> {
  const server = await startTestServer({ faults: true });
  const attempts: number[] = [];
  // The hubs' WebSocket records each attempt: the environment comes in, so this needs no patching.
  const Recording = class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      attempts.push(performance.now());
      super(url, protocols);
    }
  } as unknown as WebSocketConstructor;
  const config = testConfig({
    url: server.url,
    heartbeat: { interval: 0, timeout: 1, ping: null, pong: { type: 'pong' } },
    reconnect: {
      ...BOUNDS,
      maxAttempts: Infinity,
      stableAfter: 60_000,
      connectTimeout: 10_000,
      suspendAfter: 600_000,
      suspendedRetryDelay: 30_000,
    },
  });
  const hubs: Hub[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const hub = createHub(config, { environment: { WebSocket: Recording }, retryDelay });
      hub.attach(() => {});
      hubs.push(hub);
    }
    await until(async () => server.stats().connections === count, 30_000, 'every hub to connect');
    attempts.length = 0;
    const lostAt = performance.now();
    server.refuseNext(Number.MAX_SAFE_INTEGER);
    server.closeAll(1012, 'restart');
    await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
    server.refuseNext(0);
    let allBackMs: number | null = null;
    await until(
      async () => server.stats().connections === count,
      OBSERVE_MS - DOWN_MS,
      'every hub back',
    ).then(
      () => (allBackMs = performance.now() - lostAt),
      () => undefined,
    );
    const last = Math.max(...attempts);
    const histogram = new Array<number>(Math.ceil((last - lostAt) / BIN_MS) + 1).fill(0);
    for (const at of attempts) histogram[Math.floor((at - lostAt) / BIN_MS)]!++;
    const peakToMean = (bins: number[]) =>
      Math.max(...bins) / (bins.reduce((a, b) => a + b, 0) / bins.length);
    return {
      strategy,
      histogram,
      peakToMean: peakToMean(histogram),
      peakToMeanAtCap: peakToMean(histogram.slice(CAP_WINDOW[0] / BIN_MS, CAP_WINDOW[1] / BIN_MS)),
      attempts: attempts.length,
      allBackMs,
    };
  } finally {
    for (const hub of hubs) hub.dispose();
    await server.close();
  }
}
