import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import { serveBuild, type ServedBuild } from '../test/serve-build.js';
import { startDemoServer, type DemoServer } from '../demo/server/demo-server.js';
import { expect, expectServerConnections, test } from './fixtures.js';

const TILES = ['m-total', 'm-pending', 'm-delivered', 'm-failed', 'm-rate'];

async function openDashboard(context: BrowserContext, origin: string, server: DemoServer, query = '') {
  const page = await context.newPage();
  await page.goto(`${origin}/demo/web/?server=${encodeURIComponent(server.url)}${query}`);
  await expect(page.locator('.conn')).toHaveAttribute('data-state', 'open');
  return page;
}

const tiles = (page: Page) =>
  page.evaluate((ids) => ids.map((id) => document.getElementById(id)!.textContent), TILES);

/** Two tabs on the same channels show the same numbers over one connection. */
async function twoTabsAgree(context: BrowserContext, origin: string, server: DemoServer) {
  const pages = [await openDashboard(context, origin, server), await openDashboard(context, origin, server)];
  await expectServerConnections(server, 1);
  for (const page of pages)
    await expect(page.locator('[data-part="sharing"]')).toContainText('2 tabs share 1 connection');
  // Let the simulator publish a few metrics, then compare a moment when neither tab is mid-update.
  await expect
    .poll(async () => Number((await tiles(pages[0]!))[0]!.replaceAll(',', '')), { timeout: 10_000 })
    .toBeGreaterThan(100);
  await expect
    .poll(async () => {
      const [a, b, again] = [await tiles(pages[0]!), await tiles(pages[1]!), await tiles(pages[0]!)];
      return JSON.stringify(a) === JSON.stringify(again) && JSON.stringify(a) === JSON.stringify(b);
    })
    .toBe(true);
  expect((await tiles(pages[0]!)).every((value) => value !== '–')).toBe(true);
}

test.describe('the dashboard', { tag: '@locator' }, () => {
  let server: DemoServer;
  test.beforeEach(async ({ origin }) => {
    server = await startDemoServer({ faults: { origins: [origin] }, simulator: { rate: 200 } });
  });
  // A test skipped for its engine never ran beforeEach.
  test.afterEach(async () => server?.close());

  test('two tabs on the same channels show the same metric values over one connection', async ({
    context,
    origin,
  }) => {
    await twoTabsAgree(context, origin, server);
  });

  test('"Restart server" in one tab: both tabs show reconnecting, then open, and the feed goes on', async ({
    context,
    origin,
  }) => {
    const pages = [
      await openDashboard(context, origin, server),
      await openDashboard(context, origin, server),
    ];
    for (const page of pages) {
      await page.evaluate(() => {
        const seen: string[] = ((window as unknown as { seen: string[] }).seen = []);
        window.dashboard.client.on('status', (status) => seen.push(status.state));
      });
    }
    await pages[0]!.getByRole('button', { name: 'Restart server' }).click();
    for (const page of pages) {
      // What each tab went through, as its client reported it, then what its status component shows now.
      await expect
        .poll(() => page.evaluate(() => (window as unknown as { seen: string[] }).seen.slice(-2)), {
          timeout: 15_000,
        })
        .toEqual(['reconnecting', 'open']);
      await expect(page.locator('.conn')).toHaveAttribute('data-state', 'open');
      expect(await page.evaluate(() => (window as unknown as { seen: string[] }).seen)).toContain(
        'reconnecting',
      );
    }
    const before = await pages[1]!.evaluate(() => window.dashboard.counters.messages);
    const topRow = await pages[1]!.locator('#feed tr').first().textContent();
    await expect
      .poll(() => pages[1]!.evaluate(() => window.dashboard.counters.messages))
      .toBeGreaterThan(before + 20);
    await expect.poll(() => pages[1]!.locator('#feed tr').first().textContent()).not.toBe(topRow);
    expect(server.stats().totalConnections).toBe(2);
  });

  test('"Go silent" in one tab: the server sends nothing, every tab shows it, and the heartbeat finds it within 5 + 2 s', async ({
    context,
    origin,
  }) => {
    const [a, b] = [
      await openDashboard(context, origin, server),
      await openDashboard(context, origin, server),
    ];
    const silentButton = (page: Page) => page.getByRole('button', { name: 'Go silent' });
    const clickedAt = Date.now();
    await silentButton(a).click();
    // The other tab learns the server's state from the server, not from the click.
    await expect(silentButton(b)).toHaveAttribute('aria-pressed', 'true');
    for (const page of [a, b]) {
      await expect(page.locator('.conn')).toHaveAttribute('data-state', 'reconnecting', { timeout: 9000 });
      await expect(page.locator('[data-part="close"]')).toContainText('last close 4408 (heartbeat timeout)');
    }
    // The demo's heartbeat: a ping after 5 s of silence, 2 s for the answer. While silent, the server answers no
    // handshake either, so the tabs stay reconnecting rather than open.
    expect(Date.now() - clickedAt).toBeLessThan(5000 + 2000 + 1500);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const page of [a, b])
      await expect(page.locator('.conn')).toHaveAttribute('data-state', 'reconnecting');
    await silentButton(b).click();
    await expect(silentButton(a)).toHaveAttribute('aria-pressed', 'false');
    for (const page of [a, b])
      await expect(page.locator('.conn')).toHaveAttribute('data-state', 'open', { timeout: 10_000 });
  });

  test('a tab can watch other channels than its neighbour', async ({ context, origin }) => {
    const all = await openDashboard(context, origin, server);
    const metricsOnly = await openDashboard(context, origin, server, '&channels=metrics');
    await expect(all.locator('#feed tr')).not.toHaveCount(0);
    await expect.poll(async () => (await tiles(metricsOnly))[0]).not.toBe('–');
    await expect(metricsOnly.locator('#feed tr')).toHaveCount(0);
    await metricsOnly.getByRole('checkbox', { name: 'events' }).check();
    await expect(metricsOnly.locator('#feed tr')).not.toHaveCount(0);
    expect(server.stats().subscribers).toMatchObject({ events: 1, metrics: 1 });
  });
});

test(
  'the dashboard in a fixed state looks as it did (visual regression)',
  { tag: ['@screenshot', '@locator'] },
  async ({ context, origin }) => {
    const server = await startDemoServer({ faults: { origins: [origin] }, simulator: { rate: 0 } });
    try {
      server.simulator.seedHistory(7, Date.UTC(2026, 0, 15, 12, 0, 0));
      // A fixed state: no live metrics (the simulator publishes them each second, with today's time) may follow.
      server.simulator.stop();
      const page = await context.newPage();
      await page.setViewportSize({ width: 1280, height: 860 });
      await page.goto(`${origin}/demo/web/?server=${encodeURIComponent(server.url)}`);
      await expect(page.locator('.conn')).toHaveAttribute('data-state', 'open');
      await expect(page.locator('#feed tr')).toHaveCount(40);
      await expect(page.locator('[data-rate="0"]')).toHaveAttribute('aria-pressed', 'true');
      await expect(page.locator('[data-part="sharing"]')).toContainText('1 tab uses 1 connection');
      const mask = [page.locator('[data-part="rtt"]')];
      await expect(page).toHaveScreenshot('dashboard.png', { mask });
      // The README's picture is this very state, drawn by the suite's own browser.
      if (process.env['TABMUX_DOCS_SCREENSHOT']) await page.screenshot({ path: 'docs/dashboard.png', mask });
    } finally {
      await server.close();
    }
  },
);

test.describe('the production build', { tag: '@locator' }, () => {
  let served: ServedBuild;
  let server: DemoServer;
  test.beforeAll(async () => {
    served = await serveBuild();
  });
  test.afterAll(async () => served.close());
  test.beforeEach(async () => {
    server = await startDemoServer({ faults: { origins: [served.origin] }, simulator: { rate: 200 } });
  });
  // A test skipped for its engine never ran beforeEach.
  test.afterEach(async () => server?.close());

  test('names the worker by content hash, and two tabs show the same metric values over one connection', async ({
    context,
  }) => {
    const assets = await readdir(join(served.outDir, 'assets'));
    expect(assets.some((file) => /^shared-worker-[\w-]{8}\.js$/.test(file))).toBe(true);
    await twoTabsAgree(context, served.origin, server);
  });
});

test(
  'the feed skips an event it cannot show (an invalid date) and draws the rest of its frame',
  { tag: ['@locator'] },
  async ({ context, origin }) => {
    const server = await startDemoServer({ faults: { origins: [origin] }, simulator: { rate: 0 } });
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/demo/web/?server=${encodeURIComponent(server.url)}`);
      await expect(page.locator('.conn')).toHaveAttribute('data-state', 'open');
      await expect.poll(() => server.stats().subscribers['events']).toBe(1);
      const event = (n: number, at: unknown) => ({
        id: `ev-${n}`,
        kind: 'created',
        status: 'delivered',
        source: 'test',
        latencyMs: n,
        at,
      });
      // Ten events in one tick: the feed draws them in one frame.
      for (let n = 1; n <= 10; n++)
        server.publishTo('events', event(n, n === 5 ? 'not a date' : Date.UTC(2026, 0, 1, 0, 0, n)));
      await expect(page.locator('#feed tr')).toHaveCount(9);
      expect(await page.locator('#feed tr td:nth-child(2)').allTextContents()).not.toContain('ev-5');
    } finally {
      await server.close();
    }
  },
);
