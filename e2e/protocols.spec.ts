// Built-in protocols against the real servers from npm: graphql-ws and Socket.IO, on both transports. A SharedWorker
// shares one connection among the tabs; in-page, each tab has its own, and everything else must be the same.
import type { Page } from '@playwright/test';
import { graphqlChannel } from '../hub/protocols/graphql-channel.js';
import { expect, test, type TabOptions } from './fixtures.js';

const TRANSPORTS = ['shared-worker', 'in-page'] as const;
const TICKS = graphqlChannel('subscription Ticks($topic: String!) { ticks(topic: $topic) }', { topic: 'a' });

for (const transport of TRANSPORTS) {
  /** Connections the server sees for `tabs` tabs of one browser. */
  const connectionsFor = (tabs: number) => (transport === 'shared-worker' ? 1 : tabs);

  test.describe(`graphql-ws, ${transport}`, () => {
    const options = (more: Partial<TabOptions> = {}): TabOptions => ({
      transport,
      name: 'graphql',
      auth: ['good'],
      options: { protocol: 'graphql-ws' },
      ...more,
    });

    test('three tabs share one subscription: every tick to every tab once, in order; the last leaving completes it once', async ({
      context,
      graphqlServer,
      openTab,
    }) => {
      const pages = await openTabs(3, () => openTab(context, { ...options(), url: graphqlServer.url }));
      for (const page of pages) await page.evaluate((channel) => window.tab.follow(channel), TICKS);
      const subscribers = connectionsFor(3);
      await expect.poll(() => graphqlServer.subscribes('ticks').length).toBe(subscribers);
      await expect.poll(() => graphqlServer.tick('a', 0)).toBe(subscribers);
      for (let n = 1; n <= 50; n++) graphqlServer.tick('a', n);
      const expected = Array.from({ length: 51 }, (_, n) => n);
      for (const page of pages) await expect.poll(() => ticksOf(page)).toEqual(expected);
      expect(graphqlServer.connections().total).toBe(connectionsFor(3));

      // A query is answered to the tab that asked.
      const reply = await pages[1]!.evaluate(() =>
        window.tab.client.request({
          query: 'query ($n: String) { hello(name: $n) }',
          variables: { n: 'tab 2' },
        }),
      );
      expect(reply).toEqual({ data: { hello: 'Hello, tab 2' } });

      // A server ping is answered (graphql-ws servers may ping; the client must pong).
      graphqlServer.pingAll();
      await expect
        .poll(() => graphqlServer.received.filter((frame) => frame['type'] === 'pong').length)
        .toBe(connectionsFor(3));

      // Two tabs unsubscribe, the last one closes. Shared, only the last one leaving completes the subscription; in
      // the page, each unsubscribe completes its own, and the closed tab's socket goes with it.
      for (const page of pages.slice(0, 2))
        await page.evaluate((channel) => window.tab.unfollow[channel]!(), TICKS);
      await pages[2]!.close();
      const completes = transport === 'shared-worker' ? 1 : 2;
      await expect.poll(() => graphqlServer.completes().length).toBe(completes);
      await expect.poll(() => graphqlServer.connections().open).toBe(transport === 'shared-worker' ? 1 : 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(graphqlServer.completes()).toHaveLength(completes);
      for (const page of pages.slice(0, 2)) expect(await page.evaluate(() => window.tab.errors)).toEqual([]);
    });

    test('a subscription the server completes ends in every tab; a later subscriber subscribes anew', async ({
      context,
      graphqlServer,
      openTab,
    }) => {
      const pages = await openTabs(2, () => openTab(context, { ...options(), url: graphqlServer.url }));
      for (const page of pages) await page.evaluate((channel) => window.tab.follow(channel), TICKS);
      await expect.poll(() => graphqlServer.tick('a', 1)).toBe(connectionsFor(2));
      graphqlServer.endTopic('a');
      for (const page of pages)
        await expect
          .poll(() => page.evaluate(() => window.tab.ends))
          .toEqual([{ channel: TICKS, reason: 'the server completed the subscription', error: null }]);
      await pages[0]!.evaluate((channel) => window.tab.follow(channel), TICKS);
      await expect.poll(() => graphqlServer.subscribes('ticks').length).toBe(connectionsFor(2) + 1);
      await expect.poll(() => graphqlServer.tick('a', 2)).toBe(1);
      await expect.poll(() => ticksOf(pages[0]!)).toEqual([1, 2]);
      expect(await ticksOf(pages[1]!)).toEqual([1]);
    });

    test('a token the server refuses ends in unauthorized, with no connection accepted', async ({
      context,
      graphqlServer,
      openTab,
    }) => {
      const page = await openTab(context, {
        ...options({ auth: ['wrong'], waitFor: 'unauthorized' }),
        url: graphqlServer.url,
      });
      expect(await page.evaluate(() => window.tab.client.status.lastClose?.code)).toBe(4403);
      expect(graphqlServer.connections().open).toBe(0);
    });
  });

  test.describe(`Socket.IO, ${transport}`, () => {
    const options: TabOptions = {
      transport,
      name: 'socket.io',
      auth: ['good'],
      options: { protocol: { name: 'socket.io', join: 'join', leave: 'leave' } },
    };

    test('three tabs: events reach every subscribed tab, an ack round-trips, and the server’s pings are answered without a reconnect', async ({
      context,
      socketIoServer,
      openTab,
    }) => {
      const pages = await openTabs(3, () => openTab(context, { ...options, url: socketIoServer.url }));
      await pages[0]!.evaluate(() => window.tab.follow('prices'));
      await pages[1]!.evaluate(() => window.tab.follow('prices'));
      await expect.poll(() => socketIoServer.emitToRoom('prices', { n: 0 })).toBe(connectionsFor(2));
      for (let n = 1; n <= 20; n++) await socketIoServer.emitToRoom('prices', { n });
      const expected = Array.from({ length: 21 }, (_, n) => ({ n }));
      for (const page of pages.slice(0, 2)) await expect.poll(() => dataOf(page, 'prices')).toEqual(expected);
      expect(await dataOf(pages[2]!, 'prices')).toEqual([]);

      const reply = await pages[2]!.evaluate(() => window.tab.client.request(['echo', { from: 3 }]));
      expect(reply).toEqual({ echo: { from: 3 } });

      // The server pings every 200 ms: ten pongs per connection, counted by the server, and not one reconnect.
      // (Its pingTimeout is 5 s, so a busy machine's late pong is no failure; a missing one is.)
      const pongsBefore = socketIoServer.pongs();
      await expect
        .poll(() => socketIoServer.pongs() - pongsBefore, { timeout: 20_000 })
        .toBeGreaterThanOrEqual(10 * connectionsFor(3));
      expect(socketIoServer.connections()).toEqual({ total: connectionsFor(3), open: connectionsFor(3) });
      for (const page of pages) expect(await page.evaluate(() => window.tab.errors)).toEqual([]);
    });

    test('a server restart costs the browser one reconnect; rooms are joined again', async ({
      context,
      socketIoServer,
      openTab,
    }) => {
      const pages = await openTabs(3, () =>
        openTab(context, {
          ...options,
          url: socketIoServer.url,
          options: { ...options.options, reconnect: { initialDelay: 100, maxDelay: 300 } },
        }),
      );
      await pages[0]!.evaluate(() => window.tab.follow('prices'));
      await expect.poll(() => socketIoServer.emitToRoom('prices', 'before')).toBe(1);
      await socketIoServer.restart(300);
      for (const page of pages)
        await expect.poll(() => page.evaluate(() => window.tab.client.status.state)).toBe('open');
      await expect.poll(() => socketIoServer.emitToRoom('prices', 'after')).toBe(1);
      await expect.poll(() => dataOf(pages[0]!, 'prices')).toContain('after');
      expect(socketIoServer.connections()).toEqual({ total: 2 * connectionsFor(3), open: connectionsFor(3) });
    });
  });
}

test('an unknown protocol name fails createClient, listing the built-in ones', async ({
  context,
  openTab,
}) => {
  const page = await openTab(context);
  const message = await page.evaluate(() => {
    try {
      window.createClient({ url: 'ws://127.0.0.1:1/', protocol: 'graphql' as never });
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  });
  expect(message).toBe(
    "tabmux: unknown protocol \"graphql\"; the built-in protocols are 'tabmux', 'graphql-ws', 'socket.io' (or pass a WireProtocol object)",
  );
});

/** Opens tabs one after another, as a user does. */
async function openTabs(count: number, open: () => Promise<Page>): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) pages.push(await open());
  return pages;
}

function dataOf(page: Page, channel: string): Promise<unknown[]> {
  return page.evaluate((name) => (window.tab.received[name] ?? []).map((message) => message.data), channel);
}

async function ticksOf(page: Page): Promise<number[]> {
  const received = (await dataOf(page, TICKS)) as { data: { ticks: number } }[];
  return received.map((message) => message.data.ticks);
}
