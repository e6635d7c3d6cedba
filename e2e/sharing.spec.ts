import type { Page } from '@playwright/test';
import { startTestServer } from '../testing/test-server.js';
import { expect, expectServerConnections, tabStats, test } from './fixtures.js';

test('five tabs of one browser share one connection and all receive a publish', async ({
  context,
  server,
  openTab,
}) => {
  const pages = [];
  for (let i = 0; i < 5; i++) pages.push(await openTab(context));
  await expectServerConnections(server, 1);
  expect(server.stats().totalConnections).toBe(1);
  for (const page of pages)
    expect(await page.evaluate(() => window.tab.client.transport)).toBe('shared-worker');
  expect((await tabStats(pages[0]!)).tabs).toBe(5);

  const response = await fetch(`${server.httpUrl}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ n: 42 }),
  });
  expect(await response.json()).toEqual({ delivered: 1 });
  for (const page of pages) {
    await expect.poll(() => page.evaluate(() => window.tab.messages)).toEqual([{ n: 42 }]);
  }
});

test('a second browser gets its own hub and its own connection', async ({
  browser,
  context,
  server,
  openTab,
}) => {
  await openTab(context);
  await openTab(context);
  const second = await browser.newContext();
  await openTab(second);
  await openTab(second);
  await expectServerConnections(server, 2);
  await second.close();
});

test('a send from one tab reaches the server once and says it was sent', async ({
  context,
  server,
  openTab,
}) => {
  const [a] = [await openTab(context), await openTab(context)];
  const result = await a!.evaluate(() => window.tab.client.send({ from: 'a' }));
  expect(result).toEqual({ outcome: 'sent' });
  await expect.poll(() => server.received).toEqual([{ from: 'a' }]);
  expect((await tabStats(a!)).messagesOut).toBe(1);
});

test('two apps of one origin, same name, different servers: each gets a shared hub of its own', async ({
  context,
  server,
  openTab,
}) => {
  const other = await startTestServer();
  try {
    const pages = [
      await openTab(context),
      await openTab(context),
      await openTab(context, { url: other.url }),
    ];
    for (const page of pages)
      expect(await page.evaluate(() => window.tab.client.transport)).toBe('shared-worker');
    expect(await errorsOf(pages[2]!)).toEqual([]);
    await expectServerConnections(server, 1);
    await expect.poll(() => other.stats().connections).toBe(1);
    expect((await tabStats(pages[0]!)).tabs).toBe(2);
    expect((await tabStats(pages[2]!)).tabs).toBe(1);
  } finally {
    await other.close();
  }
});

const errorsOf = (page: Page) => page.evaluate(() => window.tab.errors);
