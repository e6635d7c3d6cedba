// `npm run bench`: tabmux against the alternatives people use, in one run on one machine, in real Chromium against
// the reference server (in a process of its own). Writes bench/results/latest.{json,md,svg} and prints the table.
// Every load is bounded in count and time and targets loopback only; a contender that fails is reported, and the run
// goes on. Not part of `npm test`.
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { measureBundles } from './bundle-sizes.js';
import { treeCpuMs } from './cpu.js';
import { parseBenchOptions, type BenchOptions, type Contender, type Phase } from './options.js';
import {
  GOALS_HEADER,
  renderGoalsRow,
  renderMarkdown,
  renderSvg,
  type Results,
  type RunResult,
} from './report.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { startProxy } from '../test/blocking-proxy.js';
import { runStorm } from './storm.js';
import { attachToWorkerHeap, heapGrowth } from './worker-heap.js';
import { launchOptions } from '../test/browsers.js';
import { serveBuild } from '../test/serve-build.js';
import { until } from './until.js';

let options: BenchOptions;
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exit(2);
}

const PHASE_LIMIT_MS = 180_000;
const BURSTS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

function withLimit<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  // Cleared when the phase ends, or its timer alone keeps the process alive for the rest of the limit.
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

const runs = (phase: Phase) => options.phases.includes(phase);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? null;

// Build the adapter pages once, as an app would ship them.
const served = await serveBuild('bench/pages/contender.html');
const origin = served.origin;
const browserServer = await chromium.launchServer(launchOptions());
const browserPid = browserServer.process().pid!;
const browser: Browser = await chromium.connect(browserServer.wsEndpoint());
const server: ServerProcess = await startServerProcess();
// The HTTP fallback's contender reaches the server through a proxy that refuses every upgrade, as a blocking one would.
const blocking = options.contenders.includes('tabmux-http')
  ? await startProxy([server.httpUrl], { upgrades: 'refuse' })
  : null;
let runCounter = 0;

async function openTabs(
  context: BrowserContext,
  contender: Contender,
  count: number,
  name: string,
): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) pages.push(await openTab(context, contender, name));
  return pages;
}

async function openTab(context: BrowserContext, contender: Contender, name: string): Promise<Page> {
  const page = await context.newPage();
  const ws = contender === 'tabmux-http' ? blocking!.url : server.url;
  const query = new URLSearchParams({ c: contender, ws, channel: name, name });
  await page.goto(`${origin}/bench/pages/contender.html?${query}`);
  await page.waitForFunction(() => window.bench !== undefined);
  return page;
}

const summaries = (pages: Page[]) =>
  Promise.all(pages.map((page) => page.evaluate(() => window.bench.summary())));
// Polled while messages stream in, so it reads a counter: a summary sorts every latency, which would load the tabs.
const received = (pages: Page[]) =>
  Promise.all(pages.map((page) => page.evaluate(() => window.bench.state.received)));

/** Streams `count` messages at `rate` (0: as fast as possible) from the server, or from the ceiling's worker. */
async function stream(
  contender: Contender,
  pages: Page[],
  channel: string,
  count: number,
  rate: number,
): Promise<void> {
  if (contender === 'ceiling')
    await pages[0]!.evaluate(([c, r]) => window.bench.ceiling(c, r), [count, rate] as const);
  else await server.stream(channel, count, rate);
}

async function runOne(contender: Contender, tabs: number): Promise<RunResult> {
  const name = `bench-${++runCounter}`;
  const context = await browser.newContext();
  try {
    await until(
      async () => (await server.stats()).connections === 0,
      10_000,
      'the previous run to disconnect',
    );
    const pages = await openTabs(context, contender, tabs, name);
    // Warm up: every tab has received something, so every socket is open and subscribed.
    await until(
      async () => {
        await stream(contender, pages, name, 1, 0);
        return (await received(pages)).every((n) => n > 0);
      },
      20_000,
      'every tab to receive a first message',
    );
    const connections = (await server.stats()).connections;
    const result: RunResult = { contender, tabs, connections, rates: [], throughput: null, joinMs: null };

    for (const rate of runs('latency') ? options.rates : []) {
      for (const page of pages) await page.evaluate(() => window.bench.reset());
      const count = rate * options.duration;
      const before = {
        stats: await server.stats(),
        browser: treeCpuMs(browserPid),
        server: treeCpuMs(server.pid),
      };
      await stream(contender, pages, name, count, rate);
      await until(async () => (await received(pages)).every((n) => n >= count), 5000, 'delivery').catch(
        () => undefined,
      );
      const after = {
        stats: await server.stats(),
        browser: treeCpuMs(browserPid),
        server: treeCpuMs(server.pid),
      };
      const all = await summaries(pages);
      const delivered = all.reduce((sum, s) => sum + s.received, 0);
      result.rates.push({
        rate,
        delivered: Math.min(...all.map((s) => s.received)) / count,
        p50: median(all.map((s) => s.p50 ?? Infinity)),
        p99: Math.max(...all.map((s) => s.p99 ?? Infinity)),
        max: Math.max(...all.map((s) => s.max ?? Infinity)),
        serverBytes: after.stats.bytesOut - before.stats.bytesOut,
        browserCpuPer10k: ((after.browser - before.browser) / delivered) * 10_000,
        serverCpuPer10k: ((after.server - before.server) / delivered) * 10_000,
      });
    }

    // Throughput: bursts as fast as the source can go; messages per second until the slowest tab has them all. The
    // median of three, as one burst on a shared 2-core machine can land on a busy moment.
    const bursts: number[] = [];
    let complete = true;
    for (let i = 0; i < (runs('throughput') ? BURSTS : 0); i++) {
      for (const page of pages) await page.evaluate(() => window.bench.reset());
      const burstStart = now();
      await stream(contender, pages, name, options.burst, 0);
      await until(
        async () => (await received(pages)).every((n) => n >= options.burst),
        60_000,
        'the burst',
      ).catch(() => undefined);
      const burst = await Promise.all(pages.map((page) => page.evaluate(() => ({ ...window.bench.state }))));
      const slowest = Math.min(...burst.map((s) => s.received));
      const lastAt = Math.max(...burst.map((s) => s.lastAt));
      complete &&= slowest >= options.burst;
      bursts.push(slowest / ((lastAt - burstStart) / 1000));
    }
    if (bursts.length > 0) result.throughput = { perTab: median(bursts)!, bursts, complete };

    // Tab join: a new tab on a busy channel (100 messages/s), from its first line of script to its first message.
    if (contender !== 'ceiling' && runs('join')) {
      const busy = server.stream(name, 100 * 30, 100);
      const joins: number[] = [];
      for (let i = 0; i < 5; i++) {
        const page = await openTab(context, contender, name);
        await page.waitForFunction(() => window.bench.state.firstAt > 0, undefined, { timeout: 10_000 });
        joins.push(await page.evaluate(() => window.bench.state.firstAt - window.bench.state.startedAt));
        await page.close();
      }
      result.joinMs = median(joins);
      await busy;
    }
    return result;
  } finally {
    await context.close();
  }
}

/**
 * The SharedWorker's heap, after garbage collection, at the start and after each quarter of `cycles` attach/detach
 * cycles of a tab (a second tab keeps the hub alive): growth that keeps climbing is a leak, growth that levels off
 * is warm-up (compiled code, grown tables).
 */
async function heapCycles(): Promise<NonNullable<Results['heap']>> {
  const context = await browser.newContext();
  try {
    const name = `bench-heap-${++runCounter}`;
    // The first tab keeps the hub alive while the second attaches and detaches.
    const [, cycler] = await openTabs(context, 'tabmux-shared', 2, name);
    await until(async () => (await server.stats()).connections >= 1, 10_000, 'the hub to connect');
    const heap = await attachToWorkerHeap(browser, name);
    try {
      const series = [{ cycles: 0, bytes: await heap.usedAfterGc() }];
      const before = await heap.sizesByKind();
      const quarter = Math.ceil(options.cycles / 4);
      for (let done = 0; done < options.cycles; done += quarter) {
        await cycler!.evaluate(
          async ([cycles, url, hubName]) => {
            for (let i = 0; i < cycles; i++) {
              const client = window.makeClient(url, hubName);
              while (client.status.state !== 'open') await new Promise((resolve) => setTimeout(resolve, 1));
              client.close();
            }
          },
          [quarter, server.url, name] as const,
        );
        // Let the last tab locks be released and the hub detach them before measuring.
        await sleep(300);
        series.push({ cycles: done + quarter, bytes: await heap.usedAfterGc() });
      }
      return { series, ...heapGrowth(before, await heap.sizesByKind()) };
    } finally {
      await heap.detach();
    }
  } finally {
    await context.close();
  }
}

const results: Results = {
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    browser: browser.version(),
    node: process.version,
  },
  options,
  runs: [],
  failures: [],
  storm: [],
  heap: null,
  bundles: [],
  at: new Date().toISOString(),
};

try {
  for (const tabs of options.tabs) {
    for (const contender of options.contenders) {
      process.stdout.write(`${contender}, ${tabs} tab(s)… `);
      try {
        const run = await withLimit(
          runOne(contender, tabs),
          PHASE_LIMIT_MS,
          `${contender} with ${tabs} tabs`,
        );
        results.runs.push(run);
        console.log('done');
      } catch (error) {
        results.failures.push({ contender, tabs, reason: (error as Error).message });
        console.log(`failed: ${(error as Error).message}`);
      }
    }
  }
  if (options.contenders.includes('tabmux-shared') && runs('heap')) {
    process.stdout.write(`worker heap over ${options.cycles} attach/detach cycles… `);
    try {
      results.heap = await withLimit(heapCycles(), PHASE_LIMIT_MS, 'the heap phase');
      console.log('done');
    } catch (error) {
      results.failures.push({
        contender: 'tabmux-shared',
        tabs: 2,
        reason: `heap: ${(error as Error).message}`,
      });
      console.log(`failed: ${(error as Error).message}`);
    }
  }
  if (runs('storm')) {
    process.stdout.write(`reconnect storm of ${options.hubs} hubs… `);
    results.storm = await withLimit(runStorm(options.hubs), PHASE_LIMIT_MS, 'the storm');
    console.log('done');
  }
  if (runs('bundles')) results.bundles = await measureBundles();
} finally {
  await browser.close();
  await browserServer.close();
  await blocking?.close();
  await server.stop();
  await served.close();
}

await mkdir('bench/results', { recursive: true });
const markdown = renderMarkdown(results);
const out = `bench/results/${options.out}`;
await writeFile(`${out}.json`, `${JSON.stringify(results, null, 2)}\n`);
await writeFile(`${out}.md`, markdown);
await writeFile(`${out}.svg`, renderSvg(results));
// Every run adds its row of goal ratios, so runs of several builds and days sit side by side.
const goals = `${out}-goals.md`;
const existing = await readFile(goals, 'utf8').catch(() => '');
if (!existing)
  await writeFile(goals, `# Goals of issue 16, run by run (\`${options.out}\`)\n\n${GOALS_HEADER}\n`);
const row = renderGoalsRow(results);
await appendFile(goals, `${row}\n`);
console.log(`\n${markdown}\n${GOALS_HEADER}\n${row}`);
