// A shared hub's channels: one server subscription per browser, however many tabs follow a channel.
import { controls, follow, received, subscribers, subscribes } from './channel-helpers.js';
import { crash, expect, expectConnections, tabStats, test } from './fixtures.js';

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

test('the last tab of a channel crashing unsubscribes the hub from it, once', async ({
  context,
  server,
  openTab,
}) => {
  const survivor = await openTab(context);
  const victim = await openTab(context);
  await follow(survivor, 'A');
  await follow(victim, 'B');
  await subscribers(server, 'B', 1);
  await crash(victim);
  await expect.poll(() => controls(server, 'unsubscribe', 'B').length).toBe(1);
  expect(controls(server, 'unsubscribe', 'A')).toHaveLength(0);
  expect((await tabStats(survivor)).channels).toBe(1);
});

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
  // It came from the hub: the server saw no second subscribe.
  expect(subscribes(server, 'A')).toBe(1);

  const without = await openTab(context);
  await follow(without, 'A', { last: false });
  server.publishTo('A', { n: 4 });
  await expect.poll(() => received(without, 'A')).toEqual([{ seq: 4, data: { n: 4 } }]);
});

test('a page posting to the hub by hand reaches only its own session; anything else is answered to it alone and counted', async ({
  context,
  server,
  openTab,
}) => {
  const vandal = await openTab(context, { worker: 'capture' });
  const bystander = await openTab(context, { worker: 'capture' });
  await follow(bystander, 'A');
  await subscribers(server, 'A', 1);
  const answers = await vandal.evaluate(async () => {
    const port = window.tabWorker!.port;
    const answered = new Map<string, { type?: string; name?: string }>();
    const all = new Promise<void>((resolve) =>
      port.addEventListener('message', (event) => {
        const id = (event.data as { id?: unknown } | null)?.id;
        if (typeof id !== 'string' || !id.startsWith('v')) return;
        answered.set(id, event.data);
        if (answered.size === 4) resolve();
      }),
    );
    const raw = (value: unknown) => ({ type: 'RAW', value });
    port.postMessage('garbage');
    port.postMessage({ type: 'SET', id: 'v1', path: ['send'], value: raw(1) });
    port.postMessage({ type: 'APPLY', id: 'v2', path: ['constructor'], argumentList: [] });
    // Its own session only: this tab never subscribed to A, so nothing changes for the other tab.
    port.postMessage({ type: 'APPLY', id: 'v3', path: ['unsubscribe'], argumentList: [raw('A')] });
    port.postMessage({ type: 'APPLY', id: 'v4', path: ['subscribe'], argumentList: [raw({ channel: 5 })] });
    await all;
    const kinds = Object.fromEntries([...answered].map(([id, data]) => [id, data.name ?? data.type]));
    // The error crosses the port whole: its code too, not only name and message.
    const v4 = answered.get('v4') as { value?: { value?: { code?: string } } };
    return { kinds, v4Code: v4.value?.value?.code };
  });
  expect(answers).toEqual({
    kinds: { v1: 'throw', v2: 'throw', v3: 'RAW', v4: 'throw' },
    v4Code: 'bad-request',
  });
  await expect
    .poll(() => vandal.evaluate(() => window.tab.errors.map((e) => e.code)))
    .toEqual(['bad-request', 'bad-request', 'bad-request', 'bad-request']);
  const messages = await vandal.evaluate(() => window.tab.errors.map((e) => e.message));
  expect(messages[0]).toContain('expected a call, got "garbage"');
  expect(messages).toContainEqual(expect.stringContaining('no such method: "constructor"'));
  expect(await bystander.evaluate(() => window.tab.errors)).toEqual([]);
  expect(await tabStats(bystander)).toMatchObject({ badRequests: 4, state: 'open', tabs: 2 });
  expect(controls(server, 'unsubscribe', 'A')).toEqual([]);

  server.publishTo('A', 'still flowing');
  await expect.poll(() => received(bystander, 'A')).toEqual([{ seq: 1, data: 'still flowing' }]);
  await expectConnections(server, 1);
});
