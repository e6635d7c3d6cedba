import { expect, expectConnections, test } from './fixtures.js';

test('the demo page in two tabs shows them sharing one connection, and shows published messages', async ({
  context,
  origin,
  server,
}) => {
  const pages = [];
  for (let i = 0; i < 2; i++) {
    const page = await context.newPage();
    await page.goto(`${origin}/demo/web/?server=${encodeURIComponent(server.url)}`);
    pages.push(page);
  }
  await expectConnections(server, 1);
  for (const page of pages) {
    await expect(page.locator('#status')).toHaveText('open');
    await expect(page.locator('#transport')).toHaveText('shared-worker');
    await expect(page.locator('#tabs')).toHaveText('2');
    await expect(page.locator('#connections')).toHaveText('1');
  }
  server.publish({ hello: 'demo' });
  for (const page of pages) await expect(page.locator('#messages li').first()).toHaveText('{"hello":"demo"}');
});
