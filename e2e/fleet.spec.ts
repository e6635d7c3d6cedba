// A fleet: two tabmux-server processes sharing a real redis-server, and browsers on each.
import { redisBroker } from '../server/redis-broker.js';
import { startRedis } from '../test/redis-server.js';
import { startCli } from '../test/server-cli.js';
import { follow, received } from './channel-helpers.js';
import { expect, test } from './fixtures.js';

test('instance A killed mid-stream of 5,000: its tabs fail over to B, and every tab of both browsers gets every message once, in order, with no gap', async ({
  browser,
  context,
  origin,
  openTab,
}) => {
  test.setTimeout(120_000);
  const redis = await startRedis();
  const args = ['--port', '0', '--redis', redis.url, '--replay', '10000', '--origin', origin];
  const [a, b] = [await startCli(args), await startCli(args)];
  const publisher = await redisBroker({ url: redis.url, replayLimit: 10_000 });
  const other = await browser.newContext();
  try {
    const options = { reconnect: { initialDelay: 100, maxDelay: 500 } };
    const onA = [
      await openTab(context, { urls: [a.url, b.url], options }),
      await openTab(context, { urls: [a.url, b.url], options }),
    ];
    const onB = [
      await openTab(other, { url: b.url, options }),
      await openTab(other, { url: b.url, options }),
    ];
    const tabs = [...onA, ...onB];
    // A publish on either instance reaches the browsers of both.
    for (const page of tabs) await follow(page, 'greetings');
    for (const [instance, from] of [
      [a, 'A'],
      [b, 'B'],
    ] as const)
      await fetch(`${instance.httpUrl}/publish?channel=greetings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from }),
      });
    for (const page of tabs)
      await expect
        .poll(() => received(page, 'greetings'))
        .toEqual([
          { seq: 1, data: { from: 'A' } },
          { seq: 2, data: { from: 'B' } },
        ]);
    for (const page of tabs) await follow(page, 'numbers');
    const subscribers = async (instance: { httpUrl: string }) =>
      ((await (await fetch(`${instance.httpUrl}/stats`)).json()) as { subscribers: Record<string, number> })
        .subscribers['numbers'] ?? 0;
    await expect.poll(() => subscribers(a)).toBe(1);
    await expect.poll(() => subscribers(b)).toBe(1);

    const total = 5000;
    for (let n = 1; n <= total; n++) {
      await publisher.publish('numbers', JSON.stringify({ n }));
      if (n === 2000) await a.kill();
      if (n % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }

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
    // A's browser now holds one socket, to B; B's its own.
    const stats = (await (await fetch(`${b.httpUrl}/stats`)).json()) as { connections: number };
    expect(stats.connections).toBe(2);
  } finally {
    await other.close();
    await publisher.close();
    await a.kill();
    await b.kill();
    await redis.kill();
  }
});
