import type { Page } from '@playwright/test';
import type { TestServer } from '../testing/test-server.js';
import { attachToSharedWorker } from '../test/shared-worker-session.js';
import { waitForStatus } from '../testing/playwright.js';
import {
  expect,
  expectServerConnections,
  timeOf,
  tabStats,
  clientStatus,
  test,
  type TabOptions,
} from './fixtures.js';

// Every test runs once per transport: the hub behaves the same in a SharedWorker and in the page.
for (const transport of ['shared-worker', 'in-page'] as const) {
  const shared = transport === 'shared-worker';
  const tabOptions = (more: TabOptions = {}): TabOptions => ({ transport, ...more });

  test.describe(`${transport}`, () => {
    test('after a server restart every tab sees reconnecting then open, and messages flow again', async ({
      context,
      server,
      openTab,
    }, testInfo) => {
      const pages = [];
      for (let i = 0; i < 3; i++) pages.push(await openTab(context, tabOptions()));
      const before = shared ? 1 : 3;
      await expectServerConnections(server, before);
      const restartedAt = Date.now();
      await server.restart(300);
      for (const page of pages) {
        await expect
          .poll(() => page.evaluate(() => window.tab.states.slice(-2)), { timeout: 15_000 })
          .toEqual(['reconnecting', 'open']);
      }
      console.log(
        `${transport}: server restart (300 ms down) to all 3 tabs open: ${Math.max(...(await Promise.all(pages.map((page) => timeOf(page, 'open', restartedAt)))).map(Number)) - restartedAt} ms`,
      );
      await expectServerConnections(server, before);
      // One new connection per browser with a shared hub, one per tab without.
      expect(server.stats().totalConnections).toBe(before * 2);
      // The restart's 1012 first (WebKit reports it as 1006); a retry while the server was still down adds a 1006.
      expect((await pages[0]!.evaluate(() => window.tab.closeCodes))[0]).toBe(
        seenCode(1012, testInfo.project.name),
      );
      server.publish({ after: 'restart' });
      for (const page of pages) {
        await expect.poll(() => page.evaluate(() => window.tab.messages)).toEqual([{ after: 'restart' }]);
      }
    });

    test('a server that stops answering pings is detected within interval + timeout, then reconnected', async ({
      context,
      server,
      openTab,
    }) => {
      // Deadlines of seconds, so that a busy machine's late pong during the healthy rounds is no timeout.
      const heartbeat = { interval: 2000, timeout: 1000 };
      const page = await openTab(context, tabOptions({ options: { heartbeat } }));
      // A few healthy rounds first: pongs arrive and give a round-trip time.
      await expect.poll(async () => (await clientStatus(page))!.rttMs).not.toBeNull();
      server.setSilent(true);
      const silentAt = Date.now();
      await expect
        .poll(async () => (await clientStatus(page))!.state, { timeout: 15_000, intervals: [20] })
        .not.toBe('open');
      const detectedMs = Number(await timeOf(page, 'reconnecting', silentAt)) - silentAt;
      console.log(`${transport}: silent server detected in ${detectedMs} ms (interval 2000 + timeout 1000)`);
      // Timers may fire late on a busy machine; a missed deadline would be at least a whole interval late.
      expect(detectedMs).toBeLessThan(heartbeat.interval + heartbeat.timeout + 1500);
      // The reconnect may already be done (the backoff can be ~0 ms), so the reason is read from the tab's log.
      expect(await page.evaluate(() => window.tab.reasons)).toContain('no answer to a ping within 1000 ms');
      server.setSilent(false);
      await expect.poll(async () => (await clientStatus(page))!.state, { timeout: 10_000 }).toBe('open');
      expect((await tabStats(page)).heartbeatTimeouts).toBeGreaterThanOrEqual(1);
    });

    test(
      'offline: status offline and no attempts; back online: reconnects without waiting out the backoff',
      { tag: ['@offline'] },
      async ({ context, server, openTab }) => {
        // A 10-minute backoff: only an immediate attempt can reconnect within this test.
        const options = { reconnect: { initialDelay: 600_000, maxDelay: 600_000 } };
        const pages = [
          await openTab(context, tabOptions({ options })),
          await openTab(context, tabOptions({ options })),
        ];
        const connectionsBefore = server.stats().totalConnections;
        await context.setOffline(true);
        for (const page of pages) {
          await expect.poll(async () => (await clientStatus(page))!.state).toBe('offline');
        }
        // The hub let its socket go. (The server cannot see that while the browser is offline: no frame gets out.)
        expect((await tabStats(pages[0]!)).socket).toBe('none');
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(server.stats().totalConnections).toBe(connectionsBefore);
        await context.setOffline(false);
        for (const page of pages) {
          await expect.poll(async () => (await clientStatus(page))!.state, { timeout: 5000 }).toBe('open');
        }
        expect(server.stats().totalConnections).toBe(connectionsBefore * 2);
      },
    );

    test('a 4401 calls auth for a fresh token and opens; refused twice is unauthorized with no more attempts', async ({
      context,
      server,
      openTab,
    }) => {
      server.acceptTokens(['fresh']);
      const page = await openTab(context, tabOptions({ auth: ['expired', 'fresh'] }));
      expect(await page.evaluate(() => window.tab.authCalls())).toBe(2);
      expect(server.stats()).toMatchObject({ totalConnections: 2, authRefusals: 1, connections: 1 });
      server.publish({ authed: true });
      await expect.poll(() => page.evaluate(() => window.tab.messages)).toEqual([{ authed: true }]);

      const other = await context.browser()!.newContext();
      try {
        const refused = await openTab(
          other,
          tabOptions({ auth: ['bad', 'worse', 'fresh'], waitFor: 'unauthorized' }),
        );
        expect(await clientStatus(refused))!.toMatchObject({
          state: 'unauthorized',
          lastClose: { code: 4401 },
        });
        const attempts = server.stats().totalConnections;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(server.stats().totalConnections).toBe(attempts);
        // The user steps in: reconnect() tries again, and the third token is good.
        await refused.evaluate(() => window.tab.client.reconnect());
        await expect.poll(async () => (await clientStatus(refused))!.state).toBe('open');
      } finally {
        await other.close();
      }
    });
  });
}

test('in-page: a tab visible again after its timers slept checks the socket at once', async ({
  context,
  server,
  openTab,
}) => {
  // A hidden tab's timers are throttled for minutes. Here the page's clock jumps a minute ahead with no timer
  // firing, as a tab sees it when it comes back; only the visibility check can then find the silent server soon.
  const heartbeat = { interval: 60_000, timeout: 500 };
  const page = await openTab(context, { transport: 'in-page', options: { heartbeat } });
  server.setSilent(true);
  await page.evaluate(() => {
    const realNow = Date.now.bind(Date);
    Date.now = () => realNow() + 61_000;
  });
  await wakeFindsSilentServer(page, server);
});

test(
  'shared-worker: a tab visible again wakes the hub, which checks the socket once its clock has moved on',
  { tag: ['@cdp'] },
  async ({ context, server, openTab }) => {
    // A SharedWorker's timers are not throttled like a hidden page's, but a machine that slept stops them all: the
    // worker's clock then jumps ahead, as here, with no timer fired, and the first tab to be seen again wakes the hub.
    const heartbeat = { interval: 60_000, timeout: 500 };
    const name = 'e2e-wake';
    const page = await openTab(context, { transport: 'shared-worker', name, options: { heartbeat } });
    server.setSilent(true);
    const worker = await attachToSharedWorker(context.browser()!, name);
    try {
      await worker.evaluate('{ const realNow = Date.now.bind(Date); Date.now = () => realNow() + 61_000; }');
    } finally {
      await worker.detach();
    }
    await wakeFindsSilentServer(page, server);
  },
);

/**
 * The tab becomes visible: its hub, whose clock has moved past the heartbeat deadline with no timer fired (500 ms
 * timeout), pings at once, finds the server silent, and reconnects once it answers again.
 */
async function wakeFindsSilentServer(page: Page, server: TestServer): Promise<void> {
  // Without a wake the hub pings only when its 60 s timer fires (the socket's first ping, at open, was sent before).
  const opening = (await tabStats(page)).pingsSent;
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await tabStats(page)).pingsSent).toBe(opening);
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange', { bubbles: true })));
  await expect.poll(async () => (await tabStats(page)).pingsSent, { timeout: 1000 }).toBe(opening + 1);
  // The reason is read from the tab's log: the reconnect that follows may clear it before a poll sees it.
  await expect
    .poll(() => page.evaluate(() => window.tab.reasons), { timeout: 3000 })
    .toContain('no answer to a ping within 500 ms');
  server.setSilent(false);
  await expect.poll(async () => (await clientStatus(page))!.state, { timeout: 10_000 }).toBe('open');
}

/** The close code a tab sees for a server's `code`: WebKitGTK reports 1012, 1013 and 1014 as 1006. */
function seenCode(code: number, project: string): number {
  return project === 'webkit' && code >= 1012 && code <= 1014 ? 1006 : code;
}

test('what a tab sees of the server’s close codes, in each engine', async ({
  context,
  server,
  openTab,
}, testInfo) => {
  const page = await openTab(context, { options: { reconnect: { initialDelay: 20, maxDelay: 50 } } });
  const sent = [1000, 1001, 1011, 1012, 1013, 1014, 3000, 4000];
  const seen: number[] = [];
  const reconnects = () =>
    page.evaluate(() => window.tab.states.filter((state) => state === 'reconnecting').length);
  for (const code of sent) {
    const before = await reconnects();
    server.closeAll(code, `closed with ${code}`);
    await expect.poll(reconnects).toBeGreaterThan(before);
    await waitForStatus(page, 'open');
    seen.push((await clientStatus(page))!.lastClose!.code);
  }
  console.log(`${testInfo.project.name}: the server sent ${sent.join(', ')}; the tab saw ${seen.join(', ')}`);
  expect(seen).toEqual(sent.map((code) => seenCode(code, testInfo.project.name)));
});
