// Binary frames through the shared hub: moved to a lone tab (no copy in the hub), copied to each of several.
import type { Page } from '@playwright/test';
import { expect, tabStats, test } from './fixtures.js';

/** 64 KiB whose bytes say where they are, so a torn or zeroed copy shows. */
const frame = () => Uint8Array.from({ length: 64 * 1024 }, (_, i) => (i * 7) & 0xff);

/** What each tab received: every server message's byte length and the sum of its bytes. */
const received = (page: Page) =>
  page.evaluate(() =>
    window.tab.messages.map((message) => {
      const bytes = new Uint8Array(message as ArrayBuffer);
      return { byteLength: bytes.byteLength, sum: bytes.reduce((sum, byte) => sum + byte, 0) };
    }),
  );
const expected = { byteLength: 64 * 1024, sum: frame().reduce((sum, byte) => sum + byte, 0) };

test('a 64 KiB binary frame is moved to a lone tab, intact, and copied whole to each of two', async ({
  context,
  server,
  openTab,
}) => {
  const lone = await openTab(context, { transport: 'shared-worker' });
  server.publishRaw(frame());
  await expect.poll(() => received(lone)).toEqual([expected]);
  expect((await tabStats(lone)).transferred).toBe(1);

  const second = await openTab(context, { transport: 'shared-worker' });
  server.publishRaw(frame());
  await expect.poll(() => received(second)).toEqual([expected]);
  await expect.poll(() => received(lone)).toEqual([expected, expected]);
  // Two readers: nothing is moved, both got a whole copy.
  expect((await tabStats(lone)).transferred).toBe(1);
});
