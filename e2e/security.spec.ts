// tabmux-server, safe by default and loud when it refuses, as a page sees it: a real CLI process, real browsers.
import { SignJWT } from 'jose';
import { startCli, type CliProcess } from '../test/server-cli.js';
import { follow, received } from './channel-helpers.js';
import { clientStatus, expect, test } from './fixtures.js';

let cli: CliProcess | null = null;
test.afterEach(async () => {
  await cli?.kill();
  cli = null;
});

const stats = async (server: CliProcess) =>
  (await (await fetch(`${server.httpUrl}/stats`)).json()) as {
    totalConnections: number;
    refused: { origin: number };
  };

test('a page whose origin is not allowed ends `unauthorized` within seconds, the origin and the fix in lastClose.reason, after at most 2 attempts', async ({
  context,
  origin,
  openTab,
}) => {
  cli = await startCli(['--port', '0', '--origin', 'https://app.example']);
  const page = await openTab(context, { url: cli.url, auth: ['t1', 't2'], waitFor: 'unauthorized' });
  const status = (await clientStatus(page))!;
  expect(status.lastClose).toMatchObject({ code: 4403 });
  expect(status.lastClose!.reason).toBe(`origin ${origin} is not allowed; add --origin ${origin}`);
  const counted = await stats(cli);
  expect(counted.refused.origin).toBeGreaterThanOrEqual(1);
  expect(counted.refused.origin).toBeLessThanOrEqual(2);
  expect(counted.totalConnections).toBe(0);
  // The server's log says the same, where its operator looks.
  expect(cli.output()).toContain(`refused a socket: origin ${origin} is not allowed`);
});

test('a token allowed `prices` but not `user:u2:*`: the page gets prices, and an `end` coded forbidden for the other, with nothing of it', async ({
  context,
  openTab,
}) => {
  const secret = 'a-secret-of-at-least-thirty-two-bytes!';
  cli = await startCli(['--port', '0', '--jwt-secret', secret]);
  const jwt = await new SignJWT({ sub: 'u1', channels: ['prices', 'user:u1:*'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
  const publish = (channel: string, data: unknown) =>
    fetch(`${cli!.httpUrl}/publish?channel=${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(data),
    });
  // A latest value exists for both before the page asks: the forbidden one must not leak it.
  expect((await publish('user:u2:orders', { secret: 1 })).status).toBe(200);
  const page = await openTab(context, { url: cli.url, auth: [jwt] });
  await follow(page, 'prices');
  await follow(page, 'user:u2:orders');
  await expect
    .poll(() => page.evaluate(() => window.tab.ends))
    .toEqual([
      {
        channel: 'user:u2:orders',
        reason: 'forbidden: this connection may not follow "user:u2:orders" (not allowed)',
        error: 'forbidden',
      },
    ]);
  await publish('user:u2:orders', { secret: 2 });
  await publish('prices', { eur: 1 });
  await expect.poll(() => received(page, 'prices')).toEqual([{ seq: 1, data: { eur: 1 } }]);
  expect(await received(page, 'user:u2:orders')).toEqual([]);
  expect((await clientStatus(page))!.state).toBe('open');
});
