// Binary frames to one tab through the SharedWorker: delivery latency at a steady rate and throughput of a burst,
// with the browser's CPU per frame. Run on two builds to compare moving the buffers with copying them.
// Usage: npm run bench:binary -- [--kib 64] [--rate 200] [--seconds 5] [--burst 1000] [--label "this build"]
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { treeCpuMs } from './cpu.js';
import { checkOption } from './check-option.js';
import { until } from './until.js';
import { launchOptions } from '../test/browsers.js';
import { serveBuild } from '../test/serve-build.js';
import { startTestServer } from '../testing/test-server.js';

const { values } = parseArgs({
  options: {
    kib: { type: 'string', default: '64' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '5' },
    burst: { type: 'string', default: '1000' },
    label: { type: 'string', default: 'this build' },
    out: { type: 'string', default: 'bench/results/binary.md' },
  },
});
const kib = Number(values.kib);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const burst = Number(values.burst);
const check = (ok: boolean, message: string) => checkOption('bench:binary', ok, message);
check(Number.isInteger(kib) && kib >= 1 && kib <= 1024, '--kib: 1 to 1024');
check(Number.isInteger(rate) && rate >= 1 && rate <= 2000, '--rate: 1 to 2000 frames a second');
check(Number.isInteger(seconds) && seconds >= 1 && seconds <= 30, '--seconds: 1 to 30');
check(Number.isInteger(burst) && burst >= 10 && burst <= 5000, '--burst: 10 to 5000 frames');
check(!/[|\n]/.test(values.label), '--label: without | or a line break');

/** A frame of `kib` KiB whose first 8 bytes are the time it was sent (epoch ms, on the machine's one clock). */
function frame(): Uint8Array {
  const bytes = new Uint8Array(kib * 1024);
  new DataView(bytes.buffer).setFloat64(0, performance.timeOrigin + performance.now());
  return bytes;
}

const served = await serveBuild('e2e/tab.html');
const server = await startTestServer({});
const browserServer = await chromium.launchServer(launchOptions());
const browser = await chromium.connect(browserServer.wsEndpoint());
try {
  const page = await browser.newPage();
  const query = new URLSearchParams({ ws: server.url, name: 'bench-binary', transport: 'shared-worker' });
  await page.goto(`${served.origin}/e2e/tab.html?${query}`);
  await page.waitForFunction(() => window.tab?.client.status.state === 'open');
  // The page's own record of messages would keep every frame: this bench keeps latencies only.
  await page.evaluate(() => {
    window.tab.messages.push = () => 0;
    const state = { received: 0, latencies: [] as number[] };
    (window as unknown as { binary: typeof state }).binary = state;
    window.tab.client.on('message', (data) => {
      state.received++;
      const sentAt = new DataView(data as ArrayBuffer).getFloat64(0);
      state.latencies.push(performance.timeOrigin + performance.now() - sentAt);
    });
  });
  const received = () =>
    page.evaluate(() => (window as unknown as { binary: { received: number } }).binary.received);
  const reset = () =>
    page.evaluate(() => {
      const state = (window as unknown as { binary: { received: number; latencies: number[] } }).binary;
      state.received = 0;
      state.latencies = [];
    });
  const pid = browserServer.process().pid!;

  // Steady rate: latency.
  await reset();
  const steady = rate * seconds;
  const cpuBefore = treeCpuMs(pid);
  const started = performance.now();
  for (let sent = 0; sent < steady;) {
    const due = Math.min(steady, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    for (; sent < due; sent++) server.publishRaw(frame());
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await until(async () => (await received()) >= steady, 20_000, 'the steady frames');
  const cpuPerFrame = (treeCpuMs(pid) - cpuBefore) / steady;
  const latencies = await page.evaluate(() =>
    [...(window as unknown as { binary: { latencies: number[] } }).binary.latencies].sort((a, b) => a - b),
  );
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;

  // Burst: throughput.
  await reset();
  const burstStart = performance.now();
  for (let sent = 0; sent < burst; sent += 50) {
    for (let i = 0; i < Math.min(50, burst - sent); i++) server.publishRaw(frame());
    await new Promise((resolve) => setImmediate(resolve));
  }
  await until(async () => (await received()) >= burst, 60_000, 'the burst');
  const burstMs = performance.now() - burstStart;
  const stats = await page.evaluate(() => window.tab.client.stats());

  const header = [
    `# Binary frames to one tab (bench/binary.ts)`,
    '',
    'One tab on the SharedWorker, frames sent by the test server as binary WebSocket frames; latency is server send →',
    "the tab's handler; CPU is the whole browser's (every process) per frame at the steady rate.",
    '',
    '| build | frame | steady rate | p50 | p99 | browser CPU per frame | burst | MB/s | moved (stats.transferred) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ].join('\n');
  const row = `| ${values.label} | ${kib} KiB | ${rate}/s × ${seconds} s | ${pick(0.5).toFixed(2)} ms | ${pick(0.99).toFixed(2)} ms | ${cpuPerFrame.toFixed(2)} ms | ${burst} in ${burstMs.toFixed(0)} ms | ${((burst * kib) / 1024 / (burstMs / 1000)).toFixed(0)} | ${(stats as { transferred?: number }).transferred ?? 'n/a'} |`;
  if (!(await readFile(values.out, 'utf8').catch(() => ''))) await writeFile(values.out, `${header}\n`);
  await appendFile(values.out, `${row}\n`);
  console.log(`${header}\n${row}`);
} finally {
  await browser.close();
  await browserServer.close();
  await server.close();
  await served.close();
}
