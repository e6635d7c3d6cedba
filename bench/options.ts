// `npm run bench -- --tabs 1,4,16 --rates 100,1000,10000 --duration 3 --contenders tabmux-shared,plain`
import { parseArgs } from 'node:util';

export const CONTENDERS = [
  'tabmux-shared',
  'tabmux-in-page',
  'tabmux-http',
  'plain',
  'partysocket',
  'leader',
  'relay',
  'ceiling',
] as const;
export type Contender = (typeof CONTENDERS)[number];

/** The parts of a run; `npm run bench:quick` runs only the first two. */
export const PHASES = ['latency', 'throughput', 'join', 'heap', 'storm', 'bundles'] as const;
export type Phase = (typeof PHASES)[number];

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
  readonly phases: readonly Phase[];
  /** Results go to bench/results/<out>.{json,md,svg}. */
  readonly out: string;
  /** Names this build in the goals row appended to bench/results/<out>-goals.md. */
  readonly label: string;
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
      phases: { type: 'string', default: PHASES.join(',') },
      out: { type: 'string', default: 'latest' },
      label: { type: 'string', default: 'this build' },
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
  const phases = values.phases.split(',').map((name) => {
    if (!PHASES.includes(name as Phase)) {
      throw new Error(`--phases: unknown ${JSON.stringify(name)}; choose from ${PHASES.join(', ')}`);
    }
    return name as Phase;
  });
  if (!/^[a-z0-9-]{1,40}$/.test(values.out)) {
    throw new Error(
      `--out: a file name of lowercase letters, digits and dashes; got ${JSON.stringify(values.out)}`,
    );
  }
  if (values.label.length > 60 || /[|\n]/.test(values.label)) {
    throw new Error('--label: at most 60 characters, without | or a line break');
  }
  return {
    tabs: list('tabs', values.tabs),
    rates: list('rates', values.rates),
    duration: whole('duration', values.duration),
    burst: whole('burst', values.burst),
    contenders,
    hubs: whole('hubs', values.hubs),
    cycles: whole('cycles', values.cycles),
    phases,
    out: values.out,
    label: values.label,
  };
}
