// The example app across tabs, tested the way an app's own suite would: with tabmux/testing and a real browser.
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, expectServerConnections, openTabs, test as base, waitForStatus } from 'tabmux/testing';
import { createServer } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The app's dev server, once per worker: its StrictMode runs every effect twice. */
const test = base.extend<object, { app: string }>({
  app: [
    async ({}, use) => {
      const vite = await createServer({ root, logLevel: 'error', server: { host: '127.0.0.1', port: 0 } });
      await vite.listen();
      const address = vite.httpServer?.address();
      await use(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
      await vite.close();
    },
    { scope: 'worker' },
  ],
});

const framesOf = (received: unknown[], type: string) =>
  received.filter((m) => {
    const message = m as { type?: string; channel?: string };
    return (
      message.channel === 'prices' &&
      (message.type === type || (type === 'subscribe' && message.type === 'resume'))
    );
  }).length;

test('3 tabs in StrictMode: 1 connection, 1 server subscribe; hiding the list in every tab: exactly 1 unsubscribe', async ({
  context,
  app,
  tabmuxServer,
}) => {
  const pages = await openTabs(context, `${app}/?ws=${encodeURIComponent(tabmuxServer.url)}`, 3);
  await expectServerConnections(tabmuxServer, 1);
  await expect.poll(() => tabmuxServer.stats().subscribers['prices']).toBe(1);
  await tabmuxServer.publishTo('prices', { symbol: 'ACME', eur: 12.5 });
  for (const page of pages) {
    await expect(page.locator('.latest')).toHaveText('ACME 12.50 €');
    await expect(page.locator('.prices li')).toHaveCount(1);
  }
  expect(framesOf(tabmuxServer.received, 'subscribe')).toBe(1);

  for (const page of pages) await page.getByRole('button', { name: 'Hide prices' }).click();
  // After the channel's linger (3 s by default), so a reload would not have cost it.
  await expect.poll(() => framesOf(tabmuxServer.received, 'unsubscribe'), { timeout: 15_000 }).toBe(1);
  await expect.poll(() => tabmuxServer.stats().subscribers['prices'] ?? 0).toBe(0);
  // Still one, a moment later: no tab unsubscribed twice, none subscribed again.
  await pages[0]!.getByRole('button', { name: 'Show prices' }).click();
  await expect.poll(() => tabmuxServer.stats().subscribers['prices']).toBe(1);
  expect([
    framesOf(tabmuxServer.received, 'subscribe'),
    framesOf(tabmuxServer.received, 'unsubscribe'),
  ]).toEqual([2, 1]);
});

test('the status badge shows reconnecting, then open, across a server restart, in every tab', async ({
  context,
  app,
  tabmuxServer,
}) => {
  const pages = await openTabs(context, `${app}/?ws=${encodeURIComponent(tabmuxServer.url)}`, 2);
  const badge = (page: Page) => page.locator('.badge');
  for (const page of pages) await expect(badge(page)).toHaveAttribute('data-state', 'open');
  const restarted = tabmuxServer.restart(1500);
  for (const page of pages) await expect(badge(page)).toHaveAttribute('data-state', 'reconnecting');
  await restarted;
  for (const page of pages) {
    await waitForStatus(page, 'open');
    await expect(badge(page)).toHaveAttribute('data-state', 'open');
  }
  await expectServerConnections(tabmuxServer, 1);
});

test('usePublish from one tab reaches every tab; useRequest shows pending, then the reply, then an error', async ({
  context,
  app,
  tabmuxServer,
}) => {
  const pages = await openTabs(context, `${app}/?ws=${encodeURIComponent(tabmuxServer.url)}`, 2);
  await expect.poll(() => tabmuxServer.stats().subscribers['prices']).toBe(1);
  await pages[0]!.getByRole('button', { name: 'Publish a price' }).click();
  for (const page of pages) await expect(page.locator('.latest')).toHaveText('TABS 1.00 €');
  expect(framesOf(tabmuxServer.received, 'publish')).toBe(1);

  // The server holds the next answer back until the test lets it go: the tab shows the call under way.
  let answer: (() => void) | null = null;
  tabmuxServer.onRequest((data) => new Promise((resolve) => (answer = () => resolve({ echo: data }))));
  await pages[1]!.getByRole('button', { name: 'Ask the server' }).click();
  await expect(pages[1]!.locator('.reply')).toHaveText('asking…');
  await expect(pages[1]!.getByRole('button', { name: 'Ask the server' })).toBeDisabled();
  await expect.poll(() => answer !== null).toBe(true);
  answer!();
  await expect(pages[1]!.locator('.reply')).toHaveText('{"echo":{"quote":"TABS"}}');
  // Only the tab that asked shows it.
  await expect(pages[0]!.locator('.reply')).toHaveText('');
  tabmuxServer.onRequest(() => {
    throw new Error('no quotes today');
  });
  await pages[1]!.getByRole('button', { name: 'Ask the server' }).click();
  await expect(pages[1]!.locator('.reply')).toHaveText('no quotes today');
});
