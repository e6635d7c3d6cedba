// How many events per second the dashboard renders smoothly in 4 tabs: the production build, 4 tabs of one browser,
// the simulator at rising rates; per rate, each tab's frames per second and events received per second.
// Bounded: 5 rates × (2 s warm-up + 4 s measured), loopback only. Run: npm run bench:dashboard
import type { Page } from '@playwright/test';
import { startDemoServer } from '../demo/server/demo-server.js';
import { launchBrowser } from '../test/browsers.js';
import { serveBuild } from '../test/serve-build.js';

const TABS = 4;
const RATES = [100, 500, 1000, 2000, 5000];
const WARM_MS = 2000;
const MEASURE_MS = 4000;

const served = await serveBuild();
const origin = served.origin;
const server = await startDemoServer({ simulator: { rate: 0 } });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const pages: Page[] = [];
  for (let i = 0; i < TABS; i++) {
    const page = await context.newPage();
    await page.goto(`${origin}/demo/web/?server=${encodeURIComponent(server.url)}`);
    await page.waitForFunction(() => window.dashboard?.client.status.state === 'open');
    pages.push(page);
  }
  const sample = () =>
    Promise.all(
      pages.map((page) => page.evaluate(() => ({ ...window.dashboard.counters, at: performance.now() }))),
    );
  console.log(`${TABS} tabs, one connection (server connections: ${server.stats().connections})`);
  console.log('rate/s  | events/s per tab (min)  | frames/s per tab (min..max)');
  for (const rate of RATES) {
    server.simulator!.setRate(rate);
    await new Promise((resolve) => setTimeout(resolve, WARM_MS));
    const before = await sample();
    await new Promise((resolve) => setTimeout(resolve, MEASURE_MS));
    const after = await sample();
    const perTab = after.map((end, i) => {
      const seconds = (end.at - before[i]!.at) / 1000;
      return {
        events: (end.messages - before[i]!.messages) / seconds,
        fps: (end.frames - before[i]!.frames) / seconds,
      };
    });
    const minEvents = Math.min(...perTab.map((t) => t.events));
    const fps = perTab.map((t) => t.fps);
    console.log(
      `${String(rate).padEnd(7)} | ${minEvents.toFixed(0).padEnd(23)} | ${Math.min(...fps).toFixed(0)}..${Math.max(...fps).toFixed(0)}`,
    );
  }
} finally {
  server.simulator?.setRate(0);
  await browser.close();
  await server.close();
  await served.close();
}
