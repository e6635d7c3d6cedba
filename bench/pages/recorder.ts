// What every contender's page records: messages received and their delivery latency (server send → handler),
// on the machine's one clock (performance.timeOrigin + now() in the server and in the tab).
export interface Sample {
  readonly t: number;
  readonly n: number;
}

const MAX_LATENCIES = 400_000;

export function createRecorder() {
  let latencies = new Float64Array(MAX_LATENCIES);
  let count = 0;
  const state = { received: 0, lastAt: 0, firstAt: 0, startedAt: 0 };
  const now = () => performance.timeOrigin + performance.now();
  return {
    state,
    now,
    /** Called by the contender's handler for each message. */
    record(sample: Sample) {
      const at = now();
      state.received++;
      state.lastAt = at;
      if (state.firstAt === 0) state.firstAt = at;
      if (count < MAX_LATENCIES) latencies[count++] = at - sample.t;
    },
    reset() {
      latencies = new Float64Array(MAX_LATENCIES);
      count = 0;
      state.received = 0;
      state.lastAt = 0;
      state.firstAt = 0;
    },
    summary() {
      const sorted = latencies.slice(0, count).sort();
      const pick = (q: number) => (count === 0 ? null : sorted[Math.min(count - 1, Math.floor(q * count))]!);
      return { ...state, p50: pick(0.5), p99: pick(0.99), max: count === 0 ? null : sorted[count - 1]! };
    },
  };
}

export type Recorder = ReturnType<typeof createRecorder>;
