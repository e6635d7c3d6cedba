// The debug switch, as a developer turns it on: the hub's decisions in the tab's own console, prefixed.
import { clientStatus, expect, test } from './fixtures.js';
import type { Page } from '@playwright/test';

const lines = (page: Page) => page.evaluate(() => window.tab.consoleLines);

test("with debug on, the page's console shows the hub opening and closing the socket, with the close code; off, no [tabmux line", async ({
  context,
  server,
  openTab,
}) => {
  const loud = await openTab(context, { name: 'loud', options: { debug: true } });
  const quiet = await openTab(context, { name: 'quiet' });
  server.closeAll(4000, 'bye');
  await expect.poll(() => lines(loud)).toContain('[tabmux hub] socket closed: 4000 (bye)');
  expect(await lines(loud)).toContain('[tabmux hub] socket open over websocket');
  expect((await lines(loud)).some((line) => line.startsWith('[tabmux tab] attached to a hub'))).toBe(true);
  // The quiet tab saw the same close and is open again: it printed nothing of it.
  await expect.poll(async () => (await clientStatus(quiet))!.lastClose?.reason).toBe('bye');
  await expect.poll(async () => (await clientStatus(quiet))!.state).toBe('open');
  expect(await lines(quiet)).toEqual([]);
});

test("localStorage.setItem('tabmux:debug', '1') turns it on without a code change", async ({
  context,
  server,
  openTab,
}) => {
  const page = await openTab(context, { name: 'stored' });
  expect(await lines(page)).toEqual([]);
  await page.evaluate(() => localStorage.setItem('tabmux:debug', '1'));
  await page.reload();
  await expect.poll(async () => (await clientStatus(page))?.state).toBe('open');
  server.closeAll(4000, 'stored');
  await expect.poll(() => lines(page)).toContain('[tabmux hub] socket closed: 4000 (stored)');
  await page.evaluate(() => localStorage.removeItem('tabmux:debug'));
});
