// Tabs that sleep, freeze and come back: a reload that costs the server nothing, the back/forward cache, and a frozen
// page at a high rate. The last two need a Chromium started without Playwright's launch switches (test/own-chromium.ts).
import type { Page } from '@playwright/test';
import { waitForStatus } from '../testing/playwright.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { fullChromium, launchOwnChromium, type OwnChromium } from '../test/own-chromium.js';
import { serveBuild, type ServedBuild } from '../test/serve-build.js';
import { expect, tabStats, test } from './fixtures.js';

const frames = (server: TestServer, type: string, channel: string) =>
  server.received.filter(
    (m) =>
      (m as { type?: string; channel?: string }).type === type &&
      (m as { channel?: string }).channel === channel,
  ).length;

test('20 reloads of a tab cost the server no subscribe and no unsubscribe of the channel only it follows', async ({
  context,
  server,
  openTab,
}) => {
  // Another tab keeps the hub (a lone tab's reload keeps it only where the worker outlives its last tab). The
  // linger is 5 s, well above a reload on a busy machine, so the test does not hang on the 1 s default.
  const options = { channelLingerMs: 5000 };
  await openTab(context, { follow: ['shared'], options });
  const reloading = await openTab(context, { follow: ['solo'], options });
  await expect.poll(() => frames(server, 'subscribe', 'solo')).toBe(1);
  await server.publishTo('solo', 'latest');
  await expect.poll(() => received(reloading, 'solo')).toEqual(['latest']);
  for (let i = 0; i < 20; i++) {
    await reloading.reload();
    await waitForStatus(reloading, 'open');
    // The new page gets the hub's latest message of the channel at once, without a server round trip.
    await expect.poll(() => received(reloading, 'solo')).toEqual(['latest']);
  }
  expect(frames(server, 'subscribe', 'solo')).toBe(1);
  expect(frames(server, 'unsubscribe', 'solo')).toBe(0);
  expect(server.stats().totalConnections).toBe(1);
});

test.describe('in a Chromium started without Playwright’s switches @own-chromium', () => {
  let served: ServedBuild;
  let own: OwnChromium;
  let server: TestServer;

  test.beforeAll(async ({}, testInfo) => {
    // Skipped outside Chromium: freezing a page and its back/forward cache are driven over CDP (issue 17).
    test.skip(testInfo.project.name !== 'chromium', 'Chromium only (see the tag)');
    const executable = fullChromium();
    // Skipped without Debian's full chromium: the headless shell never restores from the back/forward cache;
    // .ci/run installs it, so CI runs these tests.
    test.skip(
      !executable,
      "Debian's full `chromium` is not installed (the headless shell has no back/forward cache)",
    );
    served = await serveBuild('e2e/tab.html');
    own = await launchOwnChromium(executable!);
  });
  test.afterAll(async () => {
    await own?.close();
    await served?.close();
  });
  test.beforeEach(async () => {
    server = await startTestServer({ replayLimit: 5000 });
  });
  test.afterEach(async () => {
    await server.close();
  });

  const tabUrl = (query: Record<string, string>) =>
    `${served.origin}/e2e/tab.html?${new URLSearchParams({ ws: server.url, name: 'lifecycle', ...query })}`;

  async function open(query: Record<string, string>): Promise<Page> {
    const page = await own.openWindow(tabUrl(query));
    await waitForStatus(page, 'open');
    return page;
  }

  test('a tab back from the back/forward cache gets every message it missed on a channel other tabs kept', async () => {
    const stays = await open({ follow: 'A' });
    const away = await open({ follow: 'A' });
    for (let n = 1; n <= 100; n++) await server.publishTo('A', n);
    await expect.poll(() => received(away, 'A')).toHaveLength(100);
    await away.goto('data:text/html,<p>elsewhere</p>');
    for (let n = 101; n <= 700; n++) await server.publishTo('A', n);
    await away.goBack({ waitUntil: 'commit' });
    await expect.poll(() => away.evaluate(() => window.tab.restores)).toBe(1);
    await expect.poll(() => received(away, 'A'), { timeout: 10_000 }).toHaveLength(700);
    expect(await received(away, 'A')).toEqual(range(1, 700));
    expect(await away.evaluate(() => window.tab.gaps)).toEqual([]);
    expect(await received(stays, 'A')).toEqual(range(1, 700));
    await stays.close();
    await away.close();
  });

  test('a tab restored after its hub was replaced resumes from the server, like a tab after a hub crash', async () => {
    const closer = await open({ follow: 'A', worker: 'closable' });
    const away = await open({ follow: 'A', worker: 'closable' });
    for (let n = 1; n <= 100; n++) await server.publishTo('A', n);
    await expect.poll(() => received(away, 'A')).toHaveLength(100);
    const hubBefore = (await tabStats(away)).hubId;
    await away.goto('data:text/html,<p>elsewhere</p>');
    // The hub's worker ends and its last tab closes while the other is in the cache.
    await closer.evaluate(() => new BroadcastChannel('e2e-end-worker').postMessage('end'));
    await closer.close();
    for (let n = 101; n <= 400; n++) await server.publishTo('A', n);
    await away.goBack({ waitUntil: 'commit' });
    await expect.poll(() => away.evaluate(() => window.tab.restores)).toBe(1);
    await expect.poll(() => received(away, 'A'), { timeout: 10_000 }).toHaveLength(400);
    expect(await received(away, 'A')).toEqual(range(1, 400));
    expect((await tabStats(away)).hubId).not.toBe(hubBefore);
    await away.close();
  });

  test('a frozen tab at 5,000 messages a second is bounded in the hub, then catches up with one gap per channel', async () => {
    const reading = await open({ follow: 'A,B' });
    const frozen = await open({ follow: 'A,B' });
    const cdp = await frozen.context().newCDPSession(frozen);
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    // 2 channels × 25,000: past the 32,768 unread messages a tab may have before the hub waits for it.
    const perChannel = 25_000;
    const started = Date.now();
    for (let n = 1; n <= perChannel; n++) {
      await Promise.all([server.publishTo('A', n), server.publishTo('B', n)]);
      // About 5,000 a second over both channels, bounded in time.
      if (n % 100 === 0)
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + n * 0.4 - Date.now())));
      if (Date.now() - started > 60_000) throw new Error('publishing took over a minute');
    }
    await expect
      .poll(async () => (await received(reading, 'B')).length, { timeout: 30_000 })
      .toBe(perChannel);
    const whileFrozen = await tabStats(reading);
    expect(whileFrozen.tabsWaiting).toBe(1);
    expect(whileFrozen.maxUnread).toBeLessThanOrEqual(32_768 + 512);
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    for (const channel of ['A', 'B']) {
      await expect
        .poll(async () => (await received(frozen, channel)).at(-1), { timeout: 30_000 })
        .toBe(perChannel);
      const got = (await received(frozen, channel)) as number[];
      const gaps = (await frozen.evaluate(() => window.tab.gaps)).filter((gap) => gap.channel === channel);
      expect(gaps).toHaveLength(1);
      const [gap] = gaps;
      // Every number once, in order: before the wait, in the gap, or caught up from the buffer.
      expect([
        ...got.filter((n) => n < gap!.from),
        ...range(gap!.from, gap!.to),
        ...got.filter((n) => n > gap!.to),
      ]).toEqual(range(1, perChannel));
      expect(new Set(got).size).toBe(got.length);
    }
    expect(await received(reading, 'A')).toEqual(range(1, perChannel));
    const after = await tabStats(reading);
    expect(after).toMatchObject({ tabsWaiting: 0 });
    expect(after.catchUps).toBeGreaterThanOrEqual(1);
    await reading.close();
    await frozen.close();
  });
});

function received(page: Page, channel: string): Promise<unknown[]> {
  return page.evaluate((name) => (window.tab.received[name] ?? []).map((m) => m.data), channel);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
