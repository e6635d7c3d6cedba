// Where the time goes on tabmux's path at one tab: Chromium's sampling profiler (CDP) on the SharedWorker and on the
// page while the server streams at a steady rate, self time summed by function; the bare relay the same way, to
// compare. Writes bench/results/profile-<contender>-<rate>.md.
// Usage: npm run bench:profile -- [--contender tabmux-shared|relay] [--rate 1000] [--seconds 5] [--top 12]
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { startServerProcess } from './server-process.js';
import { checkOption } from './check-option.js';
import { until } from './until.js';
import { launchOptions } from '../test/browsers.js';
import { serveBuild } from '../test/serve-build.js';
import { attachToSharedWorker } from '../test/shared-worker-session.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '5' },
    top: { type: 'string', default: '12' },
    contender: { type: 'string', default: 'tabmux-shared' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const top = Number(values.top);
const contender = values.contender;
const check = (ok: boolean, message: string) => checkOption('bench:profile', ok, message);
check(Number.isInteger(rate) && rate >= 1 && rate <= 50_000, '--rate: 1 to 50000 messages a second');
check(Number.isInteger(seconds) && seconds >= 1 && seconds <= 30, '--seconds: 1 to 30');
check(Number.isInteger(top) && top >= 1 && top <= 50, '--top: 1 to 50');
check(contender === 'tabmux-shared' || contender === 'relay', '--contender: tabmux-shared or relay');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function (name and file:line), in ms, the largest first; and the profile's busy total. */
function selfTimes(profile: Profile): { busyMs: number; rows: { what: string; ms: number }[] } {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id)!.callFrame;
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (frame.functionName === '(idle)') return;
    busy += ms;
    const file = frame.url.split('/').pop()?.replace(/\?.*$/, '') ?? '';
    const what = file
      ? `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`
      : frame.functionName;
    totals.set(what, (totals.get(what) ?? 0) + ms);
  });
  const rows = [...totals].map(([what, ms]) => ({ what, ms })).sort((a, b) => b.ms - a.ms);
  return { busyMs: busy, rows };
}

const served = await serveBuild('bench/pages/contender.html', { minify: false });
const server = await startServerProcess();
const browser = await chromium.launch(launchOptions());
try {
  const page = await browser.newPage();
  const name = 'bench-profile';
  const query = new URLSearchParams({ c: contender, ws: server.url, channel: name, name });
  await page.goto(`${served.origin}/bench/pages/contender.html?${query}`);
  await page.waitForFunction(() => window.bench !== undefined);
  await until(
    async () => {
      await server.stream(name, 1, 0);
      return (await page.evaluate(() => window.bench.state.received)) > 0;
    },
    20_000,
    'the tab to receive a first message',
  );
  const worker = await attachToSharedWorker(browser, name);
  const tab = await page.context().newCDPSession(page);
  const call = (method: string, params?: object) =>
    Promise.all([worker.call(method, params), tab.send(method as 'Profiler.enable', params)]);
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 50 });
  // Warm the path up before sampling it.
  await server.stream(name, rate, rate);
  await page.evaluate(() => window.bench.reset());
  await call('Profiler.start');
  await server.stream(name, rate * seconds, rate);
  await until(
    async () => (await page.evaluate(() => window.bench.state.received)) >= rate * seconds,
    10_000,
    'delivery',
  );
  const [workerProfile, tabProfile] = await Promise.all([
    worker.call('Profiler.stop') as Promise<{ profile: Profile }>,
    tab.send('Profiler.stop') as Promise<{ profile: Profile }>,
  ]);
  const summary = await page.evaluate(() => window.bench.summary());
  await worker.detach();

  const count = rate * seconds;
  const lines = [
    `# Profile: ${contender} at one tab, ${rate} messages/s for ${seconds} s (bench/profile.ts)`,
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} in Chromium ${browser.version()}; sampling every 50 µs. Latency of the sampled run (profiling slows it): p50 ${summary.p50?.toFixed(2)} ms, p99 ${summary.p99?.toFixed(2)} ms.`,
  ];
  for (const [where, profile] of [
    ['SharedWorker (the hub)', workerProfile.profile],
    ['page (the client and the handler)', tabProfile.profile],
  ] as const) {
    const { busyMs, rows } = selfTimes(profile);
    lines.push(
      '',
      `## ${where}: busy ${busyMs.toFixed(0)} ms, ${((busyMs * 1000) / count).toFixed(1)} µs a message`,
      '',
      '| function (self time) | ms | µs a message | share of busy |',
      '| --- | --- | --- | --- |',
      ...rows
        .slice(0, top)
        .map(
          (row) =>
            `| ${row.what.replace(/\|/g, '\\|')} | ${row.ms.toFixed(1)} | ${((row.ms * 1000) / count).toFixed(2)} | ${((row.ms / busyMs) * 100).toFixed(0)}% |`,
        ),
    );
  }
  const markdown = `${lines.join('\n')}\n`;
  await writeFile(`bench/results/profile-${contender}-${rate}.md`, markdown);
  console.log(markdown);
} finally {
  await browser.close();
  await server.stop();
  await served.close();
}
