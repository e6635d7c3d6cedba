// A page that posts to the hub's port by hand, as an attacker would: refused, answered, counted, and harmless.
import { testConfig } from '../test/helpers.js';
import { controls, follow, received, subscribers } from './channel-helpers.js';
import { expect, expectServerConnections, tabStats, test } from './fixtures.js';

test('an attach posted by hand with a bad configuration is refused, answered and counted; the hub runs on', async ({
  context,
  server,
  openTab,
}) => {
  const vandal = await openTab(context, { worker: 'capture' });
  const bystander = await openTab(context, { worker: 'capture' });
  const good = testConfig({ url: server.url });
  // Finite numbers only: the config crosses WebDriver's JSON in WebKit, where Infinity would become null.
  const config = { ...good, reconnect: { ...good.reconnect, maxAttempts: 100 }, heartbeat: {} };
  const answer = await vandal.evaluate(async (badConfig) => {
    const worker = new SharedWorker(window.tabWorkerUrl!, { type: 'module', name: window.tabWorkerName! });
    const events = new MessageChannel();
    const answered = new Promise<unknown>((resolve) =>
      worker.port.addEventListener('message', (event) => event.data?.id === 'a1' && resolve(event.data)),
    );
    worker.port.start();
    const raw = (value: unknown) => ({ type: 'RAW', value });
    const request = { config: badConfig, tabLock: null, online: true };
    worker.port.postMessage(
      { type: 'APPLY', id: 'a1', path: ['attach'], argumentList: [raw(request), raw(events.port2)] },
      [events.port2],
    );
    return answered;
  }, config);
  expect(answer).toMatchObject({
    name: 'throw',
    value: { value: { code: 'bad-request', message: expect.stringContaining('`heartbeat.interval`') } },
  });
  expect(await tabStats(bystander)).toMatchObject({ badRequests: 1, tabs: 2, state: 'open' });
  server.publish({ still: 'running' });
  await expect.poll(() => bystander.evaluate(() => window.tab.messages)).toEqual([{ still: 'running' }]);
});

test('a call whose arguments Comlink cannot read is answered to that tab and counted, not left hanging', async ({
  context,
  openTab,
}) => {
  const vandal = await openTab(context, { worker: 'capture' });
  const bystander = await openTab(context, { worker: 'capture' });
  const answer = await vandal.evaluate(async () => {
    const port = window.tabWorker!.port;
    const answered = new Promise<unknown>((resolve) =>
      port.addEventListener('message', (event) => event.data?.id === 'n1' && resolve(event.data)),
    );
    // `null` is not a wire value: Comlink throws reading it, before it would answer.
    port.postMessage({ type: 'APPLY', id: 'n1', path: ['send'], argumentList: [null] });
    return Promise.race([answered, new Promise((resolve) => setTimeout(() => resolve('no answer'), 3000))]);
  });
  expect(answer).toMatchObject({
    type: 'tabmux:refused',
    id: 'n1',
    message: expect.stringContaining('could not be read'),
  });
  await expect
    .poll(() => vandal.evaluate(() => window.tab.errors.map((e) => e.code)))
    .toEqual(['bad-request']);
  expect(await tabStats(bystander)).toMatchObject({ badRequests: 1, state: 'open' });
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
    // A SET is no call the door takes: refused at the port, to that call's id, before Comlink sees it.
    kinds: { v1: 'tabmux:refused', v2: 'throw', v3: 'RAW', v4: 'throw' },
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
  await expectServerConnections(server, 1);
});
