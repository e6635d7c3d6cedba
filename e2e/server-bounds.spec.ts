// tabmux/server's bounds as a page meets them: refusals it can act on, not a closed connection.
import { serve } from '../test/raw-client.js';
import { follow, received } from './channel-helpers.js';
import { clientStatus, expect, test } from './fixtures.js';

test("a tab publishing past the server's rate: each refused publish is an error event coded rate-limited, the rest arrive, the connection stays", async ({
  context,
  openTab,
}) => {
  const server = await serve({ rateLimit: { perSecond: 50, burst: 100 } });
  try {
    const page = await openTab(context, { url: server.url });
    await follow(page, 'loop');
    await expect.poll(() => server.server.stats().subscribers['loop'] ?? 0).toBe(1);
    await page.evaluate(async () => {
      for (let n = 1; n <= 160; n++) await window.tab.client.publish('loop', n);
    });
    const refused = () =>
      page.evaluate(() => window.tab.errors.filter((error) => error.code === 'rate-limited').length);
    await expect
      .poll(async () => (await received(page, 'loop')).length + (await refused()), { timeout: 10_000 })
      .toBe(160);
    expect(await refused()).toBeGreaterThan(0);
    const delivered = (await received(page, 'loop')).map((message) => message.data as number);
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
    expect((await clientStatus(page))!.state).toBe('open');
    expect(server.server.stats().totalConnections).toBe(1);
  } finally {
    await server.close();
  }
});
