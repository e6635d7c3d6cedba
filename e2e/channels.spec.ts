// A shared hub's channels: one server subscription per browser, however many tabs follow a channel.
import { controls, follow, received, subscribers, subscribes } from './channel-helpers.js';
import { crashTab, expect, tabStats, test } from './fixtures.js';

test('tabs share one server subscription per channel, and messages reach only the tabs that want them', async ({
  context,
  server,
  openTab,
}) => {
  const [one, two, three] = [await openTab(context), await openTab(context), await openTab(context)];
  await follow(one!, 'A');
  await follow(two!, 'A');
  await follow(three!, 'B');
  await subscribers(server, 'A', 1);
  await subscribers(server, 'B', 1);
  expect([subscribes(server, 'A'), subscribes(server, 'B')]).toEqual([1, 1]);
  expect((await tabStats(one!)).channels).toBe(2);

  server.publishTo('A', { price: 1 });
  server.publishTo('B', { price: 2 });
  for (const page of [one!, two!])
    await expect.poll(() => received(page, 'A')).toEqual([{ seq: 1, data: { price: 1 } }]);
  await expect.poll(() => received(three!, 'B')).toEqual([{ seq: 1, data: { price: 2 } }]);
  expect(await received(three!, 'A')).toEqual([]);
  expect(await received(one!, 'B')).toEqual([]);

  // The last tab of B leaves: exactly one unsubscribe. A still has two tabs, so none.
  await three!.close();
  await expect.poll(() => controls(server, 'unsubscribe', 'B').length).toBe(1);
  await subscribers(server, 'B', 0);
  await one!.evaluate(() => window.tab.unfollow['A']!());
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(controls(server, 'unsubscribe', 'A')).toHaveLength(0);
  await subscribers(server, 'A', 1);
});

test(
  'the last tab of a channel crashing unsubscribes the hub from it, once',
  { tag: ['@cdp'] },
  async ({ context, server, openTab }) => {
    const survivor = await openTab(context);
    const victim = await openTab(context);
    await follow(survivor, 'A');
    await follow(victim, 'B');
    await subscribers(server, 'B', 1);
    await crashTab(victim);
    await expect.poll(() => controls(server, 'unsubscribe', 'B').length).toBe(1);
    expect(controls(server, 'unsubscribe', 'A')).toHaveLength(0);
    expect((await tabStats(survivor)).channels).toBe(1);
  },
);

test("a tab joining a busy channel gets the hub's latest message at once, before any new one", async ({
  context,
  server,
  openTab,
}) => {
  const first = await openTab(context);
  await follow(first, 'A');
  await subscribers(server, 'A', 1);
  for (let n = 1; n <= 3; n++) server.publishTo('A', { n });
  await expect.poll(async () => (await received(first, 'A')).length).toBe(3);

  const late = await openTab(context);
  await follow(late, 'A');
  await expect.poll(() => received(late, 'A')).toEqual([{ seq: 3, data: { n: 3 } }]);
  // Marked as the latest value, not as news.
  expect(await late.evaluate(() => window.tab.lastValues['A'])).toEqual([3]);
  expect(await first.evaluate(() => window.tab.lastValues['A'])).toEqual([]);
  // It came from the hub: the server saw no second subscribe.
  expect(subscribes(server, 'A')).toBe(1);

  const without = await openTab(context);
  await follow(without, 'A', { last: false });
  // A barrier, not a pause: the tab's calls reach its hub in order, so once a later call is answered the hub holds
  // the subscription, and message 4 is published after it (in WebKit a publish could overtake the subscribe).
  await tabStats(without);
  server.publishTo('A', { n: 4 });
  await expect.poll(() => received(without, 'A')).toEqual([{ seq: 4, data: { n: 4 } }]);
});

test('`{ last: false }` on a channel new to the hub: the latest message the server hands over is not delivered, marked or not; the next one is', async ({
  context,
  server,
  openTab,
}) => {
  await server.publishTo('B', { n: 1 });
  const page = await openTab(context);
  const other = await openTab(context, { name: 'other-hub' });
  await follow(page, 'B', { last: false });
  await follow(other, 'B');
  // Barriers: each tab's hub holds its subscription, and the server acknowledged both.
  await tabStats(page);
  await tabStats(other);
  await subscribers(server, 'B', 2);
  await server.publishTo('B', { n: 2 });
  await expect.poll(() => received(page, 'B')).toEqual([{ seq: 2, data: { n: 2 } }]);
  expect(await page.evaluate(() => window.tab.lastValues['B'])).toEqual([]);
  // A tab that asked for the latest gets it, marked as such.
  await expect
    .poll(() => received(other, 'B'))
    .toEqual([
      { seq: 1, data: { n: 1 } },
      { seq: 2, data: { n: 2 } },
    ]);
  expect(await other.evaluate(() => window.tab.lastValues['B'])).toEqual([1]);
});
