// When WebSockets are blocked: real browsers behind a loopback proxy that refuses upgrades, silences them or holds
// responses back, in front of real tabmux servers (two on Redis for the fleet). One HTTP stream per browser.
import type { BrowserContext, Page } from '@playwright/test';
import { redisBroker } from '../server/redis-broker.js';
import { startProxy, type BlockingProxy, type ProxyMode } from '../test/blocking-proxy.js';
import { serve, type ServerUnderTest } from '../test/raw-client.js';
import { startRedis } from '../test/redis-server.js';
import { startCli } from '../test/server-cli.js';
import { follow, received } from './channel-helpers.js';
import { clientStatus, expect, tabStats, test, type TabOptions } from './fixtures.js';

const closing: { close(): Promise<void> }[] = [];
test.afterEach(async () => {
  for (const item of closing.splice(0).reverse()) await item.close();
});

async function blocked(mode: ProxyMode): Promise<{ server: ServerUnderTest; proxy: BlockingProxy }> {
  const server = await serve({ onRequest: (data) => ({ echo: data }) });
  closing.push(server);
  const proxy = await startProxy([server.httpUrl], mode);
  closing.push(proxy);
  return { server, proxy };
}

const options = (extra: Record<string, unknown> = {}) => ({
  reconnect: { initialDelay: 100, maxDelay: 500, connectTimeout: 3000 },
  ...extra,
});

async function threeTabs(
  context: BrowserContext,
  openTab: (context: BrowserContext, options?: TabOptions) => Promise<Page>,
  url: string,
  extra: Record<string, unknown> = {},
): Promise<Page[]> {
  const tabs: Page[] = [];
  for (let i = 0; i < 3; i++) tabs.push(await openTab(context, { url, options: options(extra) }));
  return tabs;
}

const numbers = async (page: Page, channel: string) =>
  (await received(page, channel)).map((message) => message.data as number);
const oneTo = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

/** 1,000 messages published on `channel` reach every tab once, in order; a tab publishes and requests. */
async function deliversEverything(server: ServerUnderTest, tabs: Page[], channel: string): Promise<void> {
  for (const page of tabs) await follow(page, channel);
  await expect.poll(() => server.server.stats().subscribers[channel] ?? 0).toBe(1);
  for (let n = 1; n <= 1000; n++) await server.server.publish(channel, n);
  for (const page of tabs)
    await expect.poll(() => numbers(page, channel), { timeout: 20_000 }).toEqual(oneTo(1000));
  const answer = await tabs[1]!.evaluate(() => window.tab.client.request({ q: 1 }));
  expect(answer).toEqual({ echo: { q: 1 } });
  await follow(tabs[0]!, 'from-tabs');
  await expect.poll(() => server.server.stats().subscribers['from-tabs'] ?? 0).toBe(1);
  expect(await tabs[2]!.evaluate(() => window.tab.client.publish('from-tabs', 'hi'))).toEqual({
    outcome: 'sent',
  });
  await expect.poll(() => numbers(tabs[0]!, 'from-tabs')).toEqual(['hi']);
}

test('upgrades refused with 403: 3 tabs get 1,000 messages in order through one HTTP stream, publish and request through it', async ({
  context,
  openTab,
}) => {
  test.setTimeout(90_000);
  const { server, proxy } = await blocked({ upgrades: 'refuse' });
  const tabs = await threeTabs(context, openTab, proxy.url);
  for (const page of tabs) {
    await expect.poll(async () => (await clientStatus(page))!.transport).toBe('http');
    expect((await tabStats(page)).transport).toBe('http-stream');
  }
  expect(server.server.stats()).toMatchObject({ connections: 1, httpSessions: 1 });
  expect(proxy.counts.upgrades.refused).toBe(3);
  await deliversEverything(server, tabs, 'numbers');
  expect(server.server.stats()).toMatchObject({ connections: 1, httpSessions: 1, totalConnections: 1 });
});

test('upgrades accepted and then silent: after the connect timeouts, the same over HTTP', async ({
  context,
  openTab,
}) => {
  test.setTimeout(90_000);
  const { server, proxy } = await blocked({ upgrades: 'silent' });
  const tabs = await threeTabs(context, openTab, proxy.url);
  await expect.poll(async () => (await clientStatus(tabs[0]!))!.transport).toBe('http');
  expect(proxy.counts.upgrades.silenced).toBe(3);
  expect(server.server.stats()).toMatchObject({ connections: 1, httpSessions: 1 });
  await deliversEverything(server, tabs, 'numbers');
});

test('a proxy that holds responses until they end: the stream never starts, long polling gives the same result', async ({
  context,
  openTab,
}) => {
  test.setTimeout(90_000);
  const { server, proxy } = await blocked({ upgrades: 'refuse', buffer: true });
  const tabs = await threeTabs(context, openTab, proxy.url);
  await expect.poll(async () => (await tabStats(tabs[0]!)).transport).toBe('long-polling');
  expect((await clientStatus(tabs[0]!))!.transport).toBe('http');
  expect(server.server.stats()).toMatchObject({ connections: 1, httpSessions: 1 });
  await deliversEverything(server, tabs, 'numbers');
});

test('the block lifted mid-stream: back on one WebSocket at the next try of the socket, 0 lost, 0 repeated', async ({
  context,
  openTab,
}) => {
  test.setTimeout(90_000);
  const { server, proxy } = await blocked({ upgrades: 'refuse' });
  const tabs = await threeTabs(context, openTab, proxy.url, { fallback: { retrySocketEvery: 3000 } });
  await expect.poll(async () => (await clientStatus(tabs[0]!))!.transport).toBe('http');
  for (const page of tabs) await follow(page, 'numbers');
  await expect.poll(() => server.server.stats().subscribers['numbers'] ?? 0).toBe(1);
  let n = 0;
  const publish = async (until: number) => {
    while (n < until) {
      await server.server.publish('numbers', ++n);
      if (n % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await publish(500);
  proxy.set({ upgrades: 'pass' });
  // Publishing goes on while the hub moves: what it missed in between comes with the resume.
  const moving = publish(1500);
  await expect
    .poll(async () => (await clientStatus(tabs[0]!))!.transport, { timeout: 20_000 })
    .toBe('websocket');
  await moving;
  await publish(2000);
  for (const page of tabs)
    await expect.poll(() => numbers(page, 'numbers'), { timeout: 20_000 }).toEqual(oneTo(2000));
  expect(proxy.counts.upgrades.passed).toBeGreaterThanOrEqual(1);
  await expect.poll(() => server.server.stats()).toMatchObject({ connections: 1, httpSessions: 0 });
});

test('a fleet of two tabmux-server processes on Redis behind a round-robin proxy, no sticky sessions: one stream, every message once, in order', async ({
  context,
  origin,
  openTab,
}) => {
  test.setTimeout(120_000);
  const redis = await startRedis();
  closing.push({ close: async () => redis.kill() });
  const args = ['--port', '0', '--redis', redis.url, '--replay', '2000', '--origin', origin];
  const instances = [await startCli(args), await startCli(args)];
  for (const instance of instances) closing.push({ close: () => instance.kill() });
  const proxy = await startProxy(
    instances.map((instance) => instance.httpUrl),
    { upgrades: 'refuse' },
  );
  closing.push(proxy);
  const publisher = await redisBroker({ url: redis.url, replayLimit: 2000 });
  closing.push(publisher);
  const tabs = await threeTabs(context, openTab, proxy.url);
  await expect.poll(async () => (await clientStatus(tabs[0]!))!.transport).toBe('http');
  for (const page of tabs) await follow(page, 'numbers');
  const stats = async () =>
    Promise.all(
      instances.map(
        async (instance) =>
          (await (await fetch(`${instance.httpUrl}/stats`)).json()) as {
            httpSessions: number;
            subscribers: Record<string, number>;
          },
      ),
    );
  await expect
    .poll(async () => (await stats()).map((each) => each.subscribers['numbers'] ?? 0).sort())
    .toEqual([0, 1]);
  expect((await stats()).map((each) => each.httpSessions).sort()).toEqual([0, 1]);
  for (let n = 1; n <= 1000; n++) await publisher.publish('numbers', JSON.stringify(n));
  for (const page of tabs)
    await expect.poll(() => numbers(page, 'numbers'), { timeout: 20_000 }).toEqual(oneTo(1000));
  // The tabs' POSTs (subscribes, pings) took turns between the instances: the relay carried half of them.
  expect(proxy.counts.requests.every((count) => count >= 2)).toBe(true);
});

test('over HTTP too, a page whose origin is not allowed ends `unauthorized`, told why (4403 and the fix)', async ({
  context,
  origin,
  openTab,
}) => {
  const server = await serve({ origins: ['https://app.example'] });
  closing.push(server);
  const proxy = await startProxy([server.httpUrl], { upgrades: 'refuse' });
  closing.push(proxy);
  const page = await openTab(context, { url: proxy.url, options: options(), waitFor: 'unauthorized' });
  const status = (await clientStatus(page))!;
  expect(status.lastClose).toMatchObject({ code: 4403 });
  expect(status.lastClose!.reason).toBe(`origin ${origin} is not allowed; add --origin ${origin}`);
  expect(server.server.stats()).toMatchObject({ connections: 0, totalConnections: 0 });
});
