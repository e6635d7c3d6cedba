// Channels, requests, the outbox and resume: the same behaviour whether the hub is shared or runs in the page.
import type { Page } from '@playwright/test';
import { startTestServer } from '../testing/test-server.js';
import { controls, follow, received, subscribers } from './channel-helpers.js';
import { expect, tabStats, clientStatus, test, type TabOptions } from './fixtures.js';

for (const transport of ['shared-worker', 'in-page'] as const) {
  const shared = transport === 'shared-worker';
  /** Sockets the browser holds: one for a shared hub, one per tab in the page. */
  const socketsFor = (tabs: number) => (shared ? 1 : tabs);
  const tabOptions = (more: TabOptions = {}): TabOptions => ({ transport, ...more });

  test.describe(transport, () => {
    test('channel messages reach only the tabs that follow them', async ({ context, server, openTab }) => {
      const [one, two, three] = [
        await openTab(context, tabOptions()),
        await openTab(context, tabOptions()),
        await openTab(context, tabOptions()),
      ];
      await follow(one!, 'A');
      await follow(two!, 'A');
      await follow(three!, 'B');
      await subscribers(server, 'A', socketsFor(2));
      await subscribers(server, 'B', 1);
      server.publishTo('A', { price: 1 });
      server.publishTo('B', { price: 2 });
      for (const page of [one!, two!])
        await expect.poll(() => received(page, 'A')).toEqual([{ seq: 1, data: { price: 1 } }]);
      await expect.poll(() => received(three!, 'B')).toEqual([{ seq: 1, data: { price: 2 } }]);
      expect(await received(three!, 'A')).toEqual([]);
      expect(await received(one!, 'B')).toEqual([]);
      await three!.evaluate(() => window.tab.unfollow['B']!());
      await expect.poll(() => controls(server, 'unsubscribe', 'B').length).toBe(1);
    });

    test('requests from two tabs at once: each tab gets its own 20 replies and none of the other', async ({
      context,
      openTab,
    }) => {
      const tabs = [await openTab(context, tabOptions()), await openTab(context, tabOptions())];
      const replies = await Promise.all(
        tabs.map((page, t) =>
          page.evaluate(
            (tab) => Promise.all(Array.from({ length: 20 }, (_, i) => window.tab.client.request({ tab, i }))),
            t,
          ),
        ),
      );
      for (const [t, list] of replies.entries()) {
        expect(list).toEqual(Array.from({ length: 20 }, (_, i) => ({ echo: { tab: t, i } })));
      }
      expect((await tabStats(tabs[0]!)).pendingRequests).toBe(0);
    });

    test('a request answered with an error rejects with server-error; one never answered with request-timeout', async ({
      context,
      server,
      openTab,
    }) => {
      const page = await openTab(context, tabOptions());
      server.onRequest(() => {
        throw new Error('no such thing');
      });
      const failed = await page.evaluate(() =>
        window.tab.client
          .request('x')
          .catch((error: { code: string; message: string }) => [error.code, error.message]),
      );
      expect(failed).toEqual(['server-error', 'no such thing']);
      server.onRequest(() => undefined);
      const timedOut = await page.evaluate(() =>
        window.tab.client.request('y', { timeout: 300 }).catch((error: { code: string }) => error.code),
      );
      expect(timedOut).toBe('request-timeout');
      expect((await tabStats(page)).pendingRequests).toBe(0);
    });

    test('while the server is down, 1000 sends wait in the outbox, the 1001st is refused, and all 1000 arrive once, in order', async ({
      context,
      server,
      openTab,
    }) => {
      const options = { reconnect: { initialDelay: 50, maxDelay: 200 } };
      // A shared hub's outbox is every tab's: two tabs fill it together. In the page each tab has its own.
      const senders = shared ? 2 : 1;
      const each = 1000 / senders;
      const tabs: Page[] = [];
      for (let t = 0; t < senders; t++) tabs.push(await openTab(context, tabOptions({ options })));
      server.refuseNext(1_000_000);
      server.closeAll(1012);
      await expect.poll(async () => (await clientStatus(tabs[0]!))!.state).toBe('reconnecting');

      const outcomes = await Promise.all(
        tabs.map((page, t) =>
          page.evaluate(
            async ([tab, count]) => {
              const results = [];
              for (let i = 0; i < count; i++)
                results.push((await window.tab.client.send({ tab, i })).outcome);
              return results;
            },
            [t, each] as const,
          ),
        ),
      );
      expect(outcomes.flat().every((outcome) => outcome === 'queued')).toBe(true);
      expect((await tabStats(tabs[0]!)).outboxMessages).toBe(1000);
      const refused = await tabs[0]!.evaluate(() => window.tab.client.send({ tab: 0, i: 'one too many' }));
      expect(refused).toMatchObject({ outcome: 'refused', reason: 'outbox-full' });
      expect((refused as { message: string }).message).toContain('outbox.maxMessages');

      server.refuseNext(0);
      await expect.poll(() => server.received.length, { timeout: 15_000 }).toBe(1000);
      for (let t = 0; t < senders; t++) {
        const fromTab = server.received
          .filter((m) => (m as { tab: number }).tab === t)
          .map((m) => (m as { i: number }).i);
        expect(fromTab).toEqual(Array.from({ length: each }, (_, i) => i));
      }
      expect((await tabStats(tabs[0]!)).outboxMessages).toBe(0);
    });

    test('no loss: 10,000 numbered messages through 20 forced disconnects reach each of 3 tabs exactly once, in order', async ({
      context,
      openTab,
    }) => {
      test.setTimeout(120_000);
      const total = 10_000;
      const disconnects = 20;
      // A replay buffer that can cover any outage of this test: what is tested is that the hub loses nothing it can get.
      const server = await startTestServer({ replayLimit: total });
      try {
        const options = { reconnect: { initialDelay: 20, maxDelay: 100 } };
        const tabs = [];
        for (let i = 0; i < 3; i++) {
          const page = await openTab(context, tabOptions({ options, url: server.url }));
          await follow(page, 'numbers');
          tabs.push(page);
        }
        await subscribers(server, 'numbers', socketsFor(3));

        // Disconnects at random moments of the stream, each while the hub is connected, so that all 20 count.
        const at = new Set<number>();
        while (at.size < disconnects) at.add(1 + Math.floor(Math.random() * (total - 1)));
        let forced = 0;
        const deadline = Date.now() + 60_000;
        for (let n = 1; n <= total; n++) {
          server.publishTo('numbers', { n });
          if (at.has(n)) {
            // The hubs' next sockets, not the closing ones, which the server still counts until their close completes.
            const reconnected = () =>
              server.stats().totalConnections === socketsFor(3) * (1 + forced) &&
              server.stats().connections === socketsFor(3);
            while (!reconnected() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
            server.closeAll(1012, 'forced');
            forced++;
          }
          if (n % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        expect(forced).toBe(disconnects);

        const expected = Array.from({ length: total }, (_, i) => i + 1);

        for (const page of tabs) {
          await expect
            .poll(async () => (await received(page, 'numbers')).length, { timeout: 30_000 })
            .toBe(total);
          const got = await received(page, 'numbers');
          expect(got.map((m) => m.seq)).toEqual(expected);
          expect(got.map((m) => (m.data as { n: number }).n)).toEqual(expected);
          expect(await page.evaluate(() => window.tab.gaps)).toEqual([]);
        }
        const stats = await tabStats(tabs[0]!);
        expect(server.stats().totalConnections).toBe(socketsFor(3) * (1 + disconnects));
        console.log(
          `no-loss (${transport}): ${total} published, ${forced} disconnects, ${total} received by each of 3 tabs, ` +
            `${stats.duplicatesDropped} duplicates dropped by the hub, ${stats.reconnectAttempts} reconnect attempts`,
        );
      } finally {
        await server.close();
      }
    });

    test('a replay buffer shorter than the outage: tabs get a gap event naming exactly the missing range', async ({
      context,
      openTab,
    }) => {
      const server = await startTestServer({ replayLimit: 10 });
      try {
        const page = await openTab(
          context,
          tabOptions({ url: server.url, options: { reconnect: { initialDelay: 50, maxDelay: 200 } } }),
        );
        await follow(page, 'g');
        await subscribers(server, 'g', 1);
        for (let n = 1; n <= 5; n++) server.publishTo('g', n);
        await expect.poll(async () => (await received(page, 'g')).length).toBe(5);

        server.refuseNext(1_000_000);
        server.closeAll(1012);
        await expect.poll(async () => (await clientStatus(page))!.state).toBe('reconnecting');
        for (let n = 6; n <= 35; n++) server.publishTo('g', n); // the buffer keeps 26..35
        server.refuseNext(0);

        await expect.poll(async () => (await received(page, 'g')).length, { timeout: 10_000 }).toBe(15);
        expect(await page.evaluate(() => window.tab.gaps)).toEqual([{ channel: 'g', from: 6, to: 25 }]);
        expect((await received(page, 'g')).map((m) => m.seq)).toEqual([
          1,
          2,
          3,
          4,
          5,
          ...Array.from({ length: 10 }, (_, i) => 26 + i),
        ]);
        expect((await tabStats(page)).gaps).toBe(1);
      } finally {
        await server.close();
      }
    });

    test('bad input: channel names and oversized messages are refused at the call, with nothing queued', async ({
      context,
      openTab,
    }) => {
      const page = await openTab(context, tabOptions());
      const errors = await page.evaluate(() => {
        const attempt = (fn: () => unknown) => {
          try {
            fn();
            return 'no error';
          } catch (error) {
            return `${(error as Error).name}: ${(error as Error).message}`;
          }
        };
        return [
          attempt(() => window.tab.client.subscribe('', () => {})),
          attempt(() => window.tab.client.subscribe(42 as unknown as string, () => {})),
          attempt(() => window.tab.client.publish(null as unknown as string, 1)),
        ];
      });
      for (const error of errors)
        expect(error).toMatch(/^TypeError: tabmux: a channel name must be a non-empty string/);
      const big = await page.evaluate(() => window.tab.client.publish('A', 'x'.repeat(2 * 1024 * 1024)));
      expect(big).toMatchObject({ outcome: 'refused', reason: 'too-large' });
      const cyclic = await page.evaluate(() => {
        const data: Record<string, unknown> = {};
        data['self'] = data;
        return window.tab.client.publish('A', data);
      });
      expect(cyclic).toMatchObject({ outcome: 'refused', reason: 'not-encodable' });
      expect(await tabStats(page)).toMatchObject({ outboxMessages: 0, messagesOut: 0 });
    });

    test('server messages for a channel nobody wants, and replies to unknown ids, are ignored and counted', async ({
      context,
      server,
      openTab,
    }) => {
      const page = await openTab(context, tabOptions());
      server.publishRaw(JSON.stringify({ type: 'message', channel: 'nobody', seq: 1, data: 1 }));
      server.publishRaw(JSON.stringify({ type: 'reply', id: 'never-asked', data: 1 }));
      server.publish({ plain: true });
      await expect.poll(() => page.evaluate(() => window.tab.messages)).toEqual([{ plain: true }]);
      expect(await tabStats(page)).toMatchObject({ unroutedMessages: 1, unknownReplies: 1 });
      expect(await page.evaluate(() => window.tab.errors)).toEqual([]);
    });
  });
}
