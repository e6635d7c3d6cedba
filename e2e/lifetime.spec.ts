import { clientStatus, crashTab, expect, expectServerConnections, tabStats, test } from './fixtures.js';
import { follow, received } from './channel-helpers.js';
import { hasExtendedLifetime } from './engines.js';

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

test(
  'a tab whose renderer crashed is gone from the hub within a second',
  { tag: ['@cdp'] },
  async ({ context, openTab }) => {
    const creator = await openTab(context);
    const survivor = await openTab(context);
    const victim = await openTab(context);
    expect((await tabStats(survivor)).tabs).toBe(3);
    const crashedAt = Date.now();
    await crashTab(victim);
    await expect.poll(async () => (await tabStats(survivor)).tabs, { timeout: 1000 }).toBe(2);
    console.log(`crashed tab detached in ${Date.now() - crashedAt} ms`);
    expect((await tabStats(creator)).tabs).toBe(2);
  },
);

test(
  'when the tab that created the SharedWorker crashes, the others move to one new hub and socket',
  { tag: ['@cdp'] },
  async ({ context, server, openTab }) => {
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
  },
);

test('a lone tab reloaded 3 times keeps its one connection where the worker outlives a reload; elsewhere each reload reconnects', async ({
  context,
  server,
  openTab,
}, testInfo) => {
  const page = await openTab(context, { lingerMs: 3000 });
  for (let i = 0; i < 3; i++) {
    await page.reload();
    await page.waitForFunction(() => window.tab?.client.status.state === 'open');
  }
  // Without extendedLifetime (Firefox, WebKit) the worker ends with its last tab, and its socket with it.
  const expected = hasExtendedLifetime(testInfo.project.name) ? 1 : 4;
  expect(server.stats()).toMatchObject({ connections: 1, totalConnections: expected });
});

test('40 reloads of a lone tab: after each its client is open, whatever the order of the hub reply and its events', async ({
  context,
  openTab,
}) => {
  // In WebKit the worker ends with the page, and the new hub's `open` could reach the tab before the attach reply
  // that still said `connecting`: the reply won, and the tab stayed `connecting` under an open hub (1 reload in 10
  // to 30, seen failing).
  const page = await openTab(context, { lingerMs: 3000 });
  for (let reload = 1; reload <= 40; reload++) {
    await page.reload();
    await page.waitForFunction(() => window.tab?.client.status.state === 'open', undefined, {
      timeout: 10_000,
    });
  }
  expect((await tabStats(page)).tabs).toBe(1);
});

test('after the linger the socket closes; without an extended lifetime, as soon as the worker ends with its last tab', async ({
  context,
  server,
  openTab,
}, testInfo) => {
  const page = await openTab(context, { lingerMs: 500 });
  // Another page keeps the browser going; it does not use tabmux.
  const other = await context.newPage();
  await page.close();
  const closedAt = Date.now();
  await expectServerConnections(server, 0);
  if (hasExtendedLifetime(testInfo.project.name)) expect(Date.now() - closedAt).toBeGreaterThanOrEqual(450);
  await other.close();
});

test('a worker factory without extendedLifetime still works (3 tabs, 1 connection); a reload of the last tab then reconnects', async ({
  context,
  server,
  openTab,
}, testInfo) => {
  const pages = [];
  for (let i = 0; i < 3; i++) pages.push(await openTab(context, { worker: 'plain', lingerMs: 3000 }));
  await expectServerConnections(server, 1);
  for (const page of pages)
    expect(await page.evaluate(() => window.tab.client.transport)).toBe('shared-worker');
  await pages[0]!.close();
  await pages[1]!.close();
  await pages[2]!.reload();
  await pages[2]!.waitForFunction(() => window.tab?.client.status.state === 'open');
  await expectServerConnections(server, 1);
  // WebKit may also restart the worker when the tab that created it closes and then another: one connection more,
  // depending on when it ends the old one (2 or 3 in four runs). Elsewhere the reload alone costs one.
  const total = server.stats().totalConnections;
  if (testInfo.project.name === 'webkit') expect([2, 3]).toContain(total);
  else expect(total).toBe(2);
});

test('the tab that created the SharedWorker closes, then another: the last tab goes on with every message, whatever the engine does with the worker', async ({
  context,
  server,
  openTab,
}, testInfo) => {
  const [creator, second, last] = [await openTab(context), await openTab(context), await openTab(context)];
  for (const page of [creator, second, last]) await follow(page, 'numbers');
  await expect.poll(() => server.stats().subscribers['numbers']).toBe(1);
  const hubBefore = (await tabStats(last)).hubId;
  let published = 0;
  const publish = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await server.publishTo('numbers', { n: ++published });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  await publish(20);
  await creator.close();
  await publish(20);
  // WebKit ends the worker here and starts a new one, to which it attaches the last tab's port without a word.
  await second.close();
  await publish(50);
  await expect
    .poll(async () => (await received(last, 'numbers')).length, { timeout: 15_000 })
    .toBe(published);
  const seqs = (await received(last, 'numbers')).map((message) => message.seq);
  expect(seqs).toEqual(Array.from({ length: published }, (_, i) => i + 1));
  expect(await last.evaluate(() => window.tab.gaps)).toEqual([]);
  expect((await clientStatus(last))!.state).toBe('open');
  const hubAfter = (await tabStats(last)).hubId;
  console.log(
    `${testInfo.project.name}: after the two closes the hub was ${hubAfter === hubBefore ? 'kept' : 'replaced'}`,
  );
  if (testInfo.project.name === 'webkit') expect(hubAfter).not.toBe(hubBefore);
});

test('when the SharedWorker ends under its tabs, they move to one new hub and one new socket, and resume', async ({
  context,
  server,
  openTab,
}) => {
  const tabs = [];
  // A tab learns of its hub's end from the hub's Web Lock, or, should the browser release a dead worker's lock late
  // (Firefox did, twice in full runs: 5 s passed without a move), from a call that goes unanswered for
  // `callTimeoutMs`. At its default (5 s) that second way alone takes the whole 5 s this test allows; at 2 s both fit.
  for (let i = 0; i < 3; i++)
    tabs.push(await openTab(context, { worker: 'closable', options: { callTimeoutMs: 2000 } }));
  for (const page of tabs) await follow(page, 'A');
  await expectServerConnections(server, 1);
  await server.publishTo('A', 'before');
  const hubBefore = (await tabStats(tabs[0]!)).hubId;
  const endedAt = Date.now();
  await tabs[0]!.evaluate(() => new BroadcastChannel('e2e-end-worker').postMessage('end'));
  for (const page of tabs)
    await expect.poll(async () => (await tabStats(page)).hubId, { timeout: 5000 }).not.toBe(hubBefore);
  await expect.poll(() => server.stats().totalConnections).toBe(2);
  console.log(`a hub that ended: its tabs on a new hub and socket in ${Date.now() - endedAt} ms`);
  await expectServerConnections(server, 1);
  expect(new Set(await Promise.all(tabs.map(async (page) => (await tabStats(page)).hubId))).size).toBe(1);
  await server.publishTo('A', 'after');
  for (const page of tabs)
    await expect
      .poll(async () => (await received(page, 'A')).map((m) => m.data))
      .toEqual(['before', 'after']);
});
