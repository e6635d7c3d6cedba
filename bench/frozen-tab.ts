// What a frozen tab costs: the renderer memory (PSS) of a page frozen with CDP while its channel runs at a steady
// rate, and how it catches up. A Chromium of our own (test/own-chromium.ts): Playwright's launch cannot freeze a page.
// Usage: npm run bench:frozen -- [--rate 2000] [--seconds 60] [--out bench/results/frozen-tab.md]
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startTestServer } from '../testing/test-server.js';
import { fullChromium, launchOwnChromium } from '../test/own-chromium.js';
import { serveBuild } from '../test/serve-build.js';
import { checkOption } from './check-option.js';
import { until } from './until.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '60' },
    out: { type: 'string', default: 'bench/results/frozen-tab.md' },
    label: { type: 'string', default: 'this build' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const check = (ok: boolean, message: string) => checkOption('bench:frozen', ok, message);
check(Number.isInteger(rate) && rate >= 1 && rate <= 20_000, '--rate: 1 to 20000 messages a second');
check(Number.isFinite(seconds) && seconds >= 1 && seconds <= 600, '--seconds: 1 to 600');
const executable = fullChromium();
check(executable !== null, "it needs Debian's full chromium (apt-get install chromium)");

/** Proportional set size of a process, in MB (Linux). */
async function pss(pid: number): Promise<number> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)![1]) / 1024;
}

/** PSS of each renderer now, by process id: the pages', the SharedWorker's, a spare. */
async function renderers(): Promise<Map<number, number>> {
  const pids = await own.renderers();
  return new Map(await Promise.all(pids.map(async (id) => [id, await pss(id).catch(() => 0)] as const)));
}

const served = await serveBuild('e2e/tab.html');
const server = await startTestServer({ replayLimit: 1000 });
const own = await launchOwnChromium(executable!);

try {
  const url = `${served.origin}/e2e/tab.html?${new URLSearchParams({ ws: server.url, name: 'frozen' })}`;
  const reading = await own.openWindow(url);
  await until(
    async () => (await reading.evaluate(() => window.tab.client.status.state)) === 'open',
    10_000,
    'open',
  );
  const frozen = await own.openWindow(url);
  await frozen.evaluate(() => window.tab.follow('A'));
  const cdp = await frozen.context().newCDPSession(frozen);
  await until(
    async () => (await frozen.evaluate(() => window.tab.client.status.state)) === 'open',
    10_000,
    'open',
  );
  // Where what a frozen page has not read waits is Chromium's business (measured: both its renderer and the
  // SharedWorker's grow), so every renderer is sampled; the reading page follows nothing, so that it does not grow.
  const series: Map<number, number>[] = [await renderers()];
  await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
  const total = rate * seconds;
  const started = Date.now();
  for (let n = 1; n <= total; n++) {
    await server.publishTo('A', { n, pad: 'x'.repeat(100) });
    if (n % (rate / 10) === 0) {
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, started + (n / rate) * 1000 - Date.now())),
      );
      if (n % (rate * 10) === 0) series.push(await renderers());
    }
  }
  series.push(await renderers());
  const thawAt = Date.now();
  await cdp.send('Page.setWebLifecycleState', { state: 'active' });
  await until(
    async () =>
      (await frozen.evaluate(() => (window.tab.received['A']?.at(-1)?.data as { n: number })?.n)) === total,
    120_000,
    'the frozen tab to catch up',
  );
  const caughtUpMs = Date.now() - thawAt;
  const got = await frozen.evaluate(() => window.tab.received['A']!.length);
  const gaps = await frozen.evaluate(() => window.tab.gaps.length);
  // The renderers that grew or shrank by more than 2 MB over the freeze, each as MB at every 10 s sample.
  const [first, last] = [series[0]!, series.at(-1)!];
  const moved = [...first.keys()].filter((id) => Math.abs((last.get(id) ?? 0) - first.get(id)!) > 2);
  const growth = moved
    .map((id) => series.map((sample) => (sample.get(id) ?? 0).toFixed(0)).join(' → '))
    .join('<br>');
  const line = `| ${values.label} | ${rate}/s for ${seconds} s (${total.toLocaleString('en')}) | ${growth} | ${caughtUpMs} ms | ${got.toLocaleString('en')} + ${gaps} gap |`;
  console.log(line);
  await writeFile(values.out!, `${line}\n`, { flag: 'a' });
} finally {
  await own.close();
  await server.close();
  await served.close();
}
