import { expect, expectServerConnections, tabStats, clientStatus, test } from './fixtures.js';

test.describe('without SharedWorker', { tag: '@init-script' }, () => {
  test.beforeEach(async ({ context }) => {
    await context.addInitScript(() => {
      delete (window as { SharedWorker?: unknown }).SharedWorker;
    });
  });

  test('each tab runs the hub in the page with its own connection, and messages arrive', async ({
    context,
    server,
    openTab,
  }) => {
    const pages = [await openTab(context), await openTab(context), await openTab(context)];
    await expectServerConnections(server, 3);
    for (const page of pages) {
      expect(await page.evaluate(() => window.tab.client.transport)).toBe('in-page');
      expect((await tabStats(page)).tabs).toBe(1);
    }
    server.publish({ to: 'everyone' });
    for (const page of pages) {
      await expect.poll(() => page.evaluate(() => window.tab.messages)).toEqual([{ to: 'everyone' }]);
    }
  });

  test("transport 'shared-worker' fails honestly instead of falling back", async ({
    context,
    origin,
    server,
  }) => {
    const page = await context.newPage();
    await page.goto(`${origin}/e2e/tab.html?ws=${encodeURIComponent(server.url)}&transport=shared-worker`);
    await expect.poll(() => page.evaluate(() => window.tab.client.status.state)).toBe('failed');
    expect(await page.evaluate(() => window.tab.client.status.reason)).toContain(
      'shared-worker: not available',
    );
    expect(server.stats().totalConnections).toBe(0);
  });
});

test('a SharedWorker that never answers falls back to the page after the probe timeout', async ({
  context,
  server,
  openTab,
}) => {
  const page = await openTab(context, { worker: 'silent', probeTimeoutMs: 500 });
  expect(await page.evaluate(() => window.tab.client.transport)).toBe('in-page');
  expect(await page.evaluate(() => window.tab.errors.map((e) => e.code))).toEqual(['transport-failed']);
  await expectServerConnections(server, 1);
});

test('a SharedWorker whose script cannot load falls back to the page', async ({
  context,
  server,
  openTab,
}) => {
  const page = await openTab(context, { worker: 'broken' });
  expect(await page.evaluate(() => window.tab.client.transport)).toBe('in-page');
  server.publish({ still: 'connected' });
  await expect.poll(() => page.evaluate(() => window.tab.messages)).toEqual([{ still: 'connected' }]);
});

test.describe('when the SharedWorker fails although the browser has one', () => {
  const cases = [
    ['broken', 'a worker script that does not load (404)', /the SharedWorker failed to start/],
    ['silent', 'a worker that never answers', /did not answer within 500 ms/],
    ['throws', 'a worker factory that throws', /this app cannot make workers/],
  ] as const;
  for (const [worker, what, cause] of cases) {
    test(
      `${what}: 'auto' falls back with an error event and a console warning naming the cause and the fix`,
      { tag: '@console' },
      async ({ context, server, openTab }) => {
        const warnings: string[] = [];
        context.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
        const page = await openTab(context, { worker, probeTimeoutMs: 500 });
        expect(await page.evaluate(() => window.tab.client.transport)).toBe('in-page');
        expect(await page.evaluate(() => window.tab.errors.map((e) => e.code))).toEqual(['transport-failed']);
        await expect
          .poll(() =>
            warnings.filter((text) => text.startsWith('tabmux: the SharedWorker could not be used')),
          )
          .toEqual([expect.stringMatching(cause)]);
        await expectServerConnections(server, 1);
      },
    );

    test(`${what}: a forced 'shared-worker' ends in failed, naming the cause, with no socket`, async ({
      context,
      server,
      openTab,
    }) => {
      const page = await openTab(context, {
        worker,
        transport: 'shared-worker',
        probeTimeoutMs: 500,
        waitFor: 'failed',
      });
      expect((await clientStatus(page))!.reason).toMatch(cause);
      expect(server.stats().totalConnections).toBe(0);
    });
  }

  test(
    'a browser without SharedWorker falls back quietly: no warning',
    { tag: ['@init-script', '@console'] },
    async ({ browser, openTab }) => {
      const quiet = await browser.newContext();
      try {
        await quiet.addInitScript(() => delete (window as { SharedWorker?: unknown }).SharedWorker);
        const warnings: string[] = [];
        quiet.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
        const page = await openTab(quiet);
        expect(await page.evaluate(() => window.tab.client.transport)).toBe('in-page');
        expect(warnings).toEqual([]);
      } finally {
        await quiet.close();
      }
    },
  );
});
