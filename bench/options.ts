// `npm run bench -- --tabs 1,4,16 --rates 100,1000,10000 --duration 3 --contenders tabmux-shared,plain`
import { parseArgs } from 'node:util';

export const CONTENDERS = [
  'tabmux-shared',
  'tabmux-in-page',
  'plain',
  'partysocket',
  'leader',
  'relay',
  'ceiling',
] as const;
export type Contender = (typeof CONTENDERS)[number];

export interface BenchOptions {
  /** Tab counts, each run in a fresh browser context. */
  readonly tabs: readonly number[];
  /** Steady rates for the latency phases, messages per second. */
  readonly rates: readonly number[];
  /** Seconds each latency phase streams. */
  readonly duration: number;
  /** Messages the throughput phase sends as fast as it can. */
  readonly burst: number;
  readonly contenders: readonly Contender[];
  /** Hubs of the reconnect storm. */
  readonly hubs: number;
  /** Attach/detach cycles of the memory phase. */
  readonly cycles: number;
}

const LIMITS = {
  tabs: [1, 32],
  rates: [1, 50_000],
  duration: [1, 30],
  burst: [1000, 200_000],
  hubs: [10, 2000],
  cycles: [10, 5000],
} as const;

/** Parses and checks the options; throws an Error whose message says which option and what is allowed. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      tabs: { type: 'string', default: '1,4,16' },
      rates: { type: 'string', default: '100,1000,10000' },
      duration: { type: 'string', default: '3' },
      burst: { type: 'string', default: '100000' },
      contenders: { type: 'string', default: CONTENDERS.join(',') },
      hubs: { type: 'string', default: '1000' },
      cycles: { type: 'string', default: '1000' },
    },
  });
  const list = (option: 'tabs' | 'rates', text: string) => text.split(',').map((part) => whole(option, part));
  const whole = (option: keyof typeof LIMITS, text: string): number => {
    const value = Number(text);
    const [min, max] = LIMITS[option];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(
        `--${option}: each value must be a whole number from ${min} to ${max}; got ${JSON.stringify(text)}`,
      );
    }
    return value;
  };
  const contenders = values.contenders.split(',').map((name) => {
    if (!CONTENDERS.includes(name as Contender)) {
      throw new Error(`--contenders: unknown ${JSON.stringify(name)}; choose from ${CONTENDERS.join(', ')}`);
    }
    return name as Contender;
  });
  return {
    tabs: list('tabs', values.tabs),
    rates: list('rates', values.rates),
    duration: whole('duration', values.duration),
    burst: whole('burst', values.burst),
    contenders,
    hubs: whole('hubs', values.hubs),
    cycles: whole('cycles', values.cycles),
  };
}
