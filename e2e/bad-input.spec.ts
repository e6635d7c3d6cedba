import { expect, tabStats, test } from './fixtures.js';

test('createClient rejects a missing url, a malformed url and an unknown transport with a TypeError', async ({
  context,
  origin,
}) => {
  const page = await context.newPage();
  await page.goto(`${origin}/e2e/tab.html?ws=ws://127.0.0.1:1/`);
  const errors = await page.evaluate(async () => {
    // A path the dev server resolves in the page, not a module of this test file.
    const modulePath = '/client/index.ts';
    const { createClient } = (await import(modulePath)) as typeof import('../client/index.js');
    const attempt = (options: unknown) => {
      try {
        createClient(options as never);
        return 'no error';
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    };
    return [
      attempt({}),
      attempt({ url: 'ftp://example.com' }),
      attempt({ url: 'ws://x', transport: 'pigeon' }),
    ];
  });
  expect(errors[0]).toMatch(/^TypeError: tabmux: `url` is required/);
  expect(errors[1]).toMatch(/^TypeError: tabmux: `url` must use ws: or wss:/);
  expect(errors[2]).toMatch(
    /^TypeError: tabmux: `transport` must be one of 'auto', 'shared-worker', 'in-page'/,
  );
});

test('a send that cannot be cloned is refused, and the hub and the other tabs carry on', async ({
  context,
  server,
  openTab,
}) => {
  const [a, b] = [await openTab(context), await openTab(context)];
  const refused = await a.evaluate(() => window.tab.client.send({ callback: () => 1 }));
  expect(refused).toMatchObject({ outcome: 'refused', reason: 'not-encodable' });
  const tooBig = await a.evaluate(() => window.tab.client.send('x'.repeat(2 * 1024 * 1024)));
  expect(tooBig).toMatchObject({ outcome: 'refused', reason: 'too-large' });
  expect(await b.evaluate(() => window.tab.client.send({ ok: true }))).toEqual({ outcome: 'sent' });
  expect(await a.evaluate(() => window.tab.client.send({ ok: 'again' }))).toEqual({ outcome: 'sent' });
  await expect.poll(() => server.received).toEqual([{ ok: true }, { ok: 'again' }]);
});

test('a server frame that cannot be decoded is an error event, counted, and the hub keeps running', async ({
  context,
  server,
  openTab,
}) => {
  const pages = [await openTab(context), await openTab(context)];
  server.publishRaw('{not json');
  server.publish({ after: 'garbage' });
  for (const page of pages) {
    await expect.poll(() => page.evaluate(() => window.tab.messages)).toEqual([{ after: 'garbage' }]);
    expect(await page.evaluate(() => window.tab.errors.map((e) => e.code))).toEqual(['decode-failed']);
  }
  expect(await tabStats(pages[0]!)).toMatchObject({ decodeErrors: 1, messagesIn: 1, state: 'open' });
});
