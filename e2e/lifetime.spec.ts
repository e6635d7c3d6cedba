import { crashTab, expect, expectServerConnections, tabStats, test } from './fixtures.js';

test('the socket stays open through the linger after the last tab leaves, then closes', async ({
  context,
  server,
  openTab,
}) => {
  const lingerMs = 1500;
  const pages = [await openTab(context, { lingerMs }), await openTab(context, { lingerMs })];
  await expectServerConnections(server, 1);
  const left = Date.now();
  for (const page of pages) await page.evaluate(() => window.tab.client.close());
  // The pages stay open, so only the linger decides when the socket goes.
  await new Promise((resolve) => setTimeout(resolve, lingerMs / 3));
  expect(server.stats().connections).toBe(1);
  await expectServerConnections(server, 0);
  expect(Date.now() - left).toBeGreaterThanOrEqual(lingerMs - 50);
});

test('a tab that reopens within the linger reuses the socket', async ({ context, server, openTab }) => {
  const first = await openTab(context, { lingerMs: 3000 });
  const keeper = await openTab(context, { lingerMs: 3000 });
  await first.evaluate(() => window.tab.client.close());
  await keeper.evaluate(() => window.tab.client.close());
  await openTab(context, { lingerMs: 3000 });
  expect(server.stats()).toMatchObject({ connections: 1, totalConnections: 1 });
});

test('when every tab of the browser is closed the server sees the socket close', async ({
  context,
  server,
  openTab,
}) => {
  await openTab(context, { lingerMs: 200 });
  await openTab(context, { lingerMs: 200 });
  await expectServerConnections(server, 1);
  for (const page of context.pages()) await page.close();
  await expectServerConnections(server, 0);
});

test('a tab closed without a goodbye is gone from the hub within a second', async ({ context, openTab }) => {
  const survivor = await openTab(context);
  const silent = await openTab(context, { exit: 'silent' });
  expect((await tabStats(survivor)).tabs).toBe(2);
  const closedAt = Date.now();
  await silent.close();
  await expect.poll(async () => (await tabStats(survivor)).tabs, { timeout: 1000 }).toBe(1);
  console.log(`closed tab detached in ${Date.now() - closedAt} ms`);
});

test('a tab whose renderer crashed is gone from the hub within a second', async ({ context, openTab }) => {
  const creator = await openTab(context);
  const survivor = await openTab(context);
  const victim = await openTab(context);
  expect((await tabStats(survivor)).tabs).toBe(3);
  const crashedAt = Date.now();
  await crashTab(victim);
  await expect.poll(async () => (await tabStats(survivor)).tabs, { timeout: 1000 }).toBe(2);
  console.log(`crashed tab detached in ${Date.now() - crashedAt} ms`);
  expect((await tabStats(creator)).tabs).toBe(2);
});

test('when the tab that created the SharedWorker crashes, the others move to one new hub and socket', async ({
  context,
  server,
  openTab,
}) => {
  const creator = await openTab(context);
  const survivors = [await openTab(context), await openTab(context)];
  await expectServerConnections(server, 1);
  const hubBefore = (await tabStats(survivors[0]!)).hubId;

  const crashedAt = Date.now();
  await crashTab(creator);
  for (const page of survivors) {
    await expect
      .poll(async () => page.evaluate(() => window.tab.client.stats().then((s) => s.hubId)), {
        timeout: 2000,
      })
      .not.toBe(hubBefore);
  }
  await expect.poll(() => server.stats().totalConnections, { timeout: 1000 }).toBe(2);
  console.log(`survivors re-attached and reconnected in ${Date.now() - crashedAt} ms`);
  await expectServerConnections(server, 1);
  const hubs = await Promise.all(survivors.map(async (page) => (await tabStats(page)).hubId));
  expect(new Set(hubs).size).toBe(1);
  expect((await tabStats(survivors[0]!)).tabs).toBe(2);

  server.publish({ after: 'crash' });
  for (const page of survivors) {
    await expect.poll(() => page.evaluate(() => window.tab.messages)).toContainEqual({ after: 'crash' });
    expect(await page.evaluate(() => window.tab.client.status.state)).toBe('open');
  }
});

test('a lone tab reloaded 3 times keeps its one connection: the worker outlives the reload, the hub lingers', async ({
  context,
  server,
  openTab,
}) => {
  const page = await openTab(context, { lingerMs: 3000 });
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await page.waitForFunction(() => window.tab?.client.status.state === 'open');
  }
  expect(server.stats()).toMatchObject({ connections: 1, totalConnections: 1 });
});

test('after the linger the socket closes, though the worker outlives its last tab', async ({
  context,
  server,
  openTab,
}) => {
  const page = await openTab(context, { lingerMs: 500 });
  // Another page keeps the browser (and its worker) going; it does not use tabmux.
  const other = await context.newPage();
  await page.close();
  const closedAt = Date.now();
  await expectServerConnections(server, 0);
  expect(Date.now() - closedAt).toBeGreaterThanOrEqual(450);
  await other.close();
});

test('a worker factory without extendedLifetime still works (3 tabs, 1 connection); a reload of the last tab then reconnects', async ({
  context,
  server,
  openTab,
}) => {
  const pages = [];
  for (let i = 0; i < 3; i++) pages.push(await openTab(context, { worker: 'plain', lingerMs: 3000 }));
  await expectServerConnections(server, 1);
  for (const page of pages)
    expect(await page.evaluate(() => window.tab.client.transport)).toBe('shared-worker');
  await pages[0]!.close();
  await pages[1]!.close();
  await pages[2]!.reload();
  await pages[2]!.waitForFunction(() => window.tab?.client.status.state === 'open');
  expect(server.stats().totalConnections).toBe(2);
});
