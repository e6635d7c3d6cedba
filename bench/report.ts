// Turns a benchmark run into a Markdown table and an SVG chart. Ratios are what travel between machines.
import type { BenchOptions, Contender } from './options.js';
import type { BundleSize } from './bundle-sizes.js';
import type { StormResult } from './storm.js';

export interface RateResult {
  readonly rate: number;
  /** Fraction of the messages the slowest tab received. */
  readonly delivered: number;
  /** Median over tabs of each tab's p50, and the worst tab's p99 and max, in ms. */
  readonly p50: number | null;
  readonly p99: number;
  readonly max: number;
  readonly serverBytes: number;
  readonly browserCpuPer10k: number;
  readonly serverCpuPer10k: number;
}

export interface RunResult {
  readonly contender: Contender;
  readonly tabs: number;
  /** Server connections this browser held. */
  readonly connections: number;
  readonly rates: RateResult[];
  /** Messages per second that reached the slowest tab: the median of `bursts`. */
  throughput: { perTab: number; bursts: number[]; complete: boolean } | null;
  joinMs: number | null;
}

export interface Results {
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; browser: string; node: string };
  readonly options: BenchOptions;
  readonly runs: RunResult[];
  readonly failures: { contender: string; tabs: number; reason: string }[];
  storm: StormResult[];
  heap: {
    /** Used heap after garbage collection, by cycles done. */
    series: { cycles: number; bytes: number }[];
    /** How much each type of heap node (code, object, closure, native, …) grew from the first to the last snapshot. */
    growthByType: { kind: string; bytes: number }[];
    /** The kinds of heap node (type and name) that changed most from the first to the last snapshot. */
    growth: { kind: string; bytes: number }[];
  } | null;
  bundles: BundleSize[];
  readonly at: string;
}

const LABELS: Record<Contender, string> = {
  'tabmux-shared': 'tabmux (SharedWorker)',
  'tabmux-in-page': 'tabmux (in-page)',
  'tabmux-http': 'tabmux over HTTP (SharedWorker, upgrades refused by a proxy)',
  plain: 'WebSocket per tab',
  partysocket: 'partysocket per tab',
  leader: 'leader tab + BroadcastChannel',
  relay: 'bare SharedWorker relay, no library',
  ceiling: 'ceiling: MessagePort batches, no socket',
};

const ms = (value: number | null) =>
  value === null || !Number.isFinite(value) ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(0);
const k = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(0)}k` : value.toFixed(0));

function ceilingOf(results: Results, tabs: number): number | null {
  return (
    results.runs.find((run) => run.contender === 'ceiling' && run.tabs === tabs)?.throughput?.perTab ?? null
  );
}

export function renderMarkdown(results: Results): string {
  const lines: string[] = [];
  const { machine } = results;
  lines.push(
    `Measured ${results.at.slice(0, 10)} on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Chromium ${machine.browser} (headless), Node ${machine.node}; one run, every contender side by side.`,
    '',
    '| contender | tabs | server connections | throughput to each tab (msg/s) | % of ceiling | join (ms) |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const run of results.runs) {
    const ceiling = ceilingOf(results, run.tabs);
    const tp = run.throughput;
    const share = tp && ceiling ? `${((tp.perTab / ceiling) * 100).toFixed(0)}%` : '–';
    lines.push(
      `| ${LABELS[run.contender]} | ${run.tabs} | ${run.contender === 'ceiling' ? '–' : run.connections} | ${tp ? k(tp.perTab) + (tp.complete ? '' : ' (incomplete)') : '–'} | ${run.contender === 'ceiling' ? '100%' : share} | ${ms(run.joinMs)} |`,
    );
  }
  lines.push(
    '',
    'Delivery latency, server send → handler in the tab (ms; p50 is the median tab, p99 and max the worst tab), with the slowest tab’s share of messages delivered, server bytes sent, and CPU per 10,000 delivered messages:',
    '',
    '| contender | tabs | rate/s | delivered | p50 | p99 | max | server KB sent | browser CPU ms / 10k | server CPU ms / 10k |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const run of results.runs) {
    for (const r of run.rates) {
      lines.push(
        `| ${LABELS[run.contender]} | ${run.tabs} | ${r.rate} | ${(r.delivered * 100).toFixed(0)}% | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${run.contender === 'ceiling' ? '–' : (r.serverBytes / 1024).toFixed(0)} | ${r.browserCpuPer10k.toFixed(0)} | ${run.contender === 'ceiling' ? '–' : r.serverCpuPer10k.toFixed(0)} |`,
      );
    }
  }
  if (results.failures.length > 0) {
    lines.push('', '| failed | tabs | why |', '| --- | --- | --- |');
    for (const failure of results.failures)
      lines.push(`| ${failure.contender} | ${failure.tabs} | ${failure.reason} |`);
  }
  if (results.storm.length > 0) {
    lines.push(
      '',
      `Reconnect storm: ${results.options.hubs} hubs in Node lose the server for 12 s (backoff bounds 0.5 s × 2ⁿ, cap 4 s):`,
      '',
      '| strategy | attempts | peak-to-mean, whole outage | peak-to-mean at the cap (5–12 s) | all back after |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const storm of results.storm) {
      lines.push(
        `| ${storm.strategy} | ${storm.attempts} | ${storm.peakToMean.toFixed(2)} | ${storm.peakToMeanAtCap.toFixed(2)} | ${storm.allBackMs === null ? 'not within 25 s' : `${(storm.allBackMs / 1000).toFixed(1)} s`} |`,
      );
    }
  }
  if (results.heap && results.heap.series.length > 1) {
    const { series, growth, growthByType } = results.heap;
    const start = series[0]!.bytes;
    const end = series.at(-1)!;
    const points = series.map((point) => `${point.cycles}: ${(point.bytes / 1024).toFixed(0)} KB`).join(', ');
    const sizes = (list: { kind: string; bytes: number }[]) =>
      list.map(({ kind, bytes }) => `${kind} ${(bytes / 1024).toFixed(1)} KB`).join(', ');
    lines.push(
      '',
      `SharedWorker heap after ${end.cycles} tab attach/detach cycles: ${(end.bytes / 1024).toFixed(0)} KB against ${(start / 1024).toFixed(0)} KB at the start (${(((end.bytes - start) / start) * 100).toFixed(1)}%); after garbage collection, by cycles: ${points}.`,
      '',
      `Change between the first and the last heap snapshot, by type of node: ${sizes(growthByType)}; the largest by type and name: ${sizes(growth)}.`,
    );
  }
  if (results.bundles.length > 0) {
    lines.push('', '| what an app ships | min | min+gzip |', '| --- | --- | --- |');
    for (const bundle of results.bundles) {
      lines.push(
        `| ${bundle.name} | ${(bundle.minBytes / 1024).toFixed(1)} KB | ${(bundle.gzipBytes / 1024).toFixed(1)} KB |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Header of the goals table (issue 16): each row one run, the ratios taken side by side within it. */
export const GOALS_HEADER = [
  '| build | run at | 4 tabs: throughput, % of ceiling (goal ≥ 90%) | 1 tab: throughput, % of relay (≥ 90%) | 1 tab: p99 at 1,000/s over the relay (≤ 0.5 ms) | 4 tabs: p99 at 1,000/s over a socket per tab (≤ 0 ms) | 16 tabs: p99 at 1,000/s (≤ 5 ms) | tabmux p50 / p99, 1 tab (ms) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
].join('\n');

/** The goals row of a run: what a figure needs that the run did not measure is `–`. */
export function renderGoalsRow(results: Results): string {
  const run = (contender: Contender, tabs: number) =>
    results.runs.find((r) => r.contender === contender && r.tabs === tabs);
  const at1000 = (contender: Contender, tabs: number) =>
    run(contender, tabs)?.rates.find((r) => r.rate === 1000) ?? null;
  const perTab = (contender: Contender, tabs: number) => run(contender, tabs)?.throughput?.perTab ?? null;
  const share = (a: number | null, b: number | null) =>
    a === null || b === null ? '–' : `${((a / b) * 100).toFixed(0)}%`;
  const over = (a: RateResult | null, b: RateResult | null) => {
    if (!a || !b) return '–';
    const added = a.p99 - b.p99;
    return `${added >= 0 ? '+' : '−'}${Math.abs(added).toFixed(2)} ms (${a.p99.toFixed(2)} vs ${b.p99.toFixed(2)})`;
  };
  const one = at1000('tabmux-shared', 1);
  const sixteen = at1000('tabmux-shared', 16);
  return `| ${results.options.label} | ${results.at.slice(0, 16).replace('T', ' ')} | ${share(perTab('tabmux-shared', 4), ceilingOf(results, 4))} | ${share(perTab('tabmux-shared', 1), perTab('relay', 1))} | ${over(one, at1000('relay', 1))} | ${over(at1000('tabmux-shared', 4), at1000('plain', 4))} | ${sixteen ? `${sixteen.p99.toFixed(2)} ms` : '–'} | ${one ? `${ms(one.p50)} / ${ms(one.p99)}` : '–'} |`;
}

/** Two panels: throughput as a share of the ceiling per tab count, and the storm's attempts per 100 ms. */
export function renderSvg(results: Results): string {
  const width = 760;
  const panel = 250;
  const parts: string[] = [];
  const text = (x: number, y: number, body: string, extra = '') =>
    `<text x="${x}" y="${y}" font-family="system-ui, sans-serif" font-size="11" fill="#333" ${extra}>${body}</text>`;
  parts.push(
    text(
      10,
      16,
      'Throughput to each tab, % of the ceiling (MessagePort batches, no socket)',
      'font-weight="600"',
    ),
  );
  const contenders = (Object.keys(LABELS) as Contender[]).filter(
    (c) => c !== 'ceiling' && results.runs.some((run) => run.contender === c),
  );
  const colours = ['#3266d6', '#7aa0ea', '#c0322b', '#e08a2c', '#12805c'];
  const groups = results.options.tabs;
  const groupWidth = (width - 60) / Math.max(1, groups.length);
  const barWidth = Math.min(26, (groupWidth - 20) / Math.max(1, contenders.length));
  const baseY = 30 + panel - 40;
  for (let g = 0; g < groups.length; g++) {
    const tabs = groups[g]!;
    const ceiling = ceilingOf(results, tabs);
    const x0 = 50 + g * groupWidth;
    parts.push(text(x0 + 4, baseY + 16, `${tabs} tab${tabs === 1 ? '' : 's'}`));
    contenders.forEach((contender, i) => {
      const perTab = results.runs.find((run) => run.contender === contender && run.tabs === tabs)?.throughput
        ?.perTab;
      if (!perTab || !ceiling) return;
      const share = Math.min(1.2, perTab / ceiling);
      const h = share * (panel - 70);
      parts.push(
        `<rect x="${x0 + i * barWidth}" y="${baseY - h}" width="${barWidth - 3}" height="${h}" fill="${colours[i % colours.length]}"><title>${LABELS[contender]}: ${(share * 100).toFixed(0)}%</title></rect>`,
      );
    });
  }
  parts.push(`<line x1="45" y1="${baseY}" x2="${width - 10}" y2="${baseY}" stroke="#999"/>`);
  parts.push(
    `<line x1="45" y1="${baseY - (panel - 70)}" x2="${width - 10}" y2="${baseY - (panel - 70)}" stroke="#bbb" stroke-dasharray="4 3"/>`,
  );
  parts.push(text(8, baseY - (panel - 70) + 4, '100%'));
  contenders.forEach((contender, i) => {
    parts.push(
      `<rect x="${50 + i * 140}" y="${baseY + 26}" width="10" height="10" fill="${colours[i % colours.length]}"/>`,
    );
    parts.push(text(64 + i * 140, baseY + 35, LABELS[contender]));
  });

  const top = panel + 40;
  parts.push(
    text(
      10,
      top,
      `Reconnect storm: connection attempts per 100 ms, ${results.options.hubs} hubs, server down 0–12 s`,
      'font-weight="600"',
    ),
  );
  const stormColours = ['#3266d6', '#c0322b', '#e08a2c'];
  const bins = Math.max(1, ...results.storm.map((s) => s.histogram.length));
  const peak = Math.max(1, ...results.storm.flatMap((s) => s.histogram));
  const plotH = panel - 60;
  const x = (bin: number) => 50 + (bin / bins) * (width - 70);
  const y = (count: number) => top + 20 + plotH - (count / peak) * plotH;
  results.storm.forEach((storm, i) => {
    const points = storm.histogram
      .map((count, bin) => `${x(bin).toFixed(1)},${y(count).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${stormColours[i % 3]}" stroke-width="1.2"/>`,
    );
    parts.push(
      `<rect x="${50 + i * 200}" y="${top + plotH + 34}" width="10" height="10" fill="${stormColours[i % 3]}"/>`,
    );
    parts.push(
      text(
        64 + i * 200,
        top + plotH + 43,
        `${storm.strategy} (peak/mean at cap ${storm.peakToMeanAtCap.toFixed(1)})`,
      ),
    );
  });
  parts.push(
    `<line x1="45" y1="${top + 20 + plotH}" x2="${width - 10}" y2="${top + 20 + plotH}" stroke="#999"/>`,
  );
  parts.push(text(8, top + 26, String(peak)));
  for (let s = 0; s * 10 <= bins; s += 5) parts.push(text(x(s * 10) - 4, top + plotH + 32, `${s}s`));
  const height = top + plotH + 60;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}
