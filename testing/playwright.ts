// Helpers for testing an app across tabs with Playwright: open tabs and wait for their clients, read a tab's status,
// count the server's connections, crash a tab. They find the app's tabmux client without the app exposing it.
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import type { ConnectionState, Status } from '../protocol/public-types.js';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.js';

export interface TimeoutOptions {
  /** @default 10000 */
  readonly timeout?: number;
}

/** The status of the page's newest open tabmux client, or `null` when it has none. */
export function clientStatus(page: Page): Promise<Status | null> {
  return page.evaluate(() => {
    const clients = (globalThis as unknown as Record<symbol, Set<{ status: Status }> | undefined>)[
      Symbol.for('tabmux.clients')
    ];
    return clients && clients.size > 0 ? [...clients].at(-1)!.status : null;
  });
}

/** Waits until the page's newest tabmux client is in `state` (or one of `states`). */
export async function waitForStatus(
  page: Page,
  state: ConnectionState | readonly ConnectionState[],
  options: TimeoutOptions = {},
): Promise<void> {
  const wanted: string[] = typeof state === 'string' ? [state] : [...state];
  const timeout = options.timeout ?? 10_000;
  try {
    await waitForState(page, wanted, timeout);
  } catch (error) {
    // Say where the client is, not only that it is not there.
    const now = await clientStatus(page).catch(() => null);
    throw new Error(
      `waitForStatus: the tab's client is ${now ? `${now.state}${now.reason ? ` (${now.reason})` : ''}` : 'not there'}, not ${wanted.join(' or ')}, after ${timeout} ms`,
      { cause: error },
    );
  }
}

function waitForState(page: Page, wanted: string[], timeout: number): Promise<unknown> {
  return page.waitForFunction(
    (states) => {
      const clients = (
        globalThis as unknown as Record<symbol, Set<{ status: { state: string } }> | undefined>
      )[Symbol.for('tabmux.clients')];
      const client = clients && [...clients].at(-1);
      return client !== undefined && states.includes(client.status.state);
    },
    wanted,
    { timeout },
  );
}

/** Opens `count` tabs of `url` in `context` (one browser) and waits until each tab's client is `open`. */
export async function openTabs(
  context: BrowserContext,
  url: string,
  count: number,
  options: TimeoutOptions & { readonly state?: ConnectionState } = {},
): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) {
    const page = await context.newPage();
    await page.goto(url);
    await waitForStatus(page, options.state ?? 'open', options);
    pages.push(page);
  }
  return pages;
}

/** A server whose open connections can be counted: a test server, or any tabmux server's `/stats` URL base. */
export type CountsConnections = { stats(): { connections: number } } | string;

/** Waits until the server counts `connections` open sockets (polling, so closes in flight can land). */
export async function expectServerConnections(
  server: CountsConnections,
  connections: number,
  options: TimeoutOptions = {},
): Promise<void> {
  const count = async () =>
    typeof server === 'string'
      ? ((await (await fetch(`${server.replace(/\/$/, '')}/stats`)).json()) as { connections: number })
          .connections
      : server.stats().connections;
  await expect.poll(count, { timeout: options.timeout ?? 5000 }).toBe(connections);
}

/**
 * Crashes the page's renderer, as a tab that dies without a goodbye. Chromium only (DevTools' `Page.crash`); in
 * Firefox and WebKit, `page.close({ runBeforeUnload: false })` after stopping the page's `pagehide` comes closest.
 */
export async function crashTab(page: Page): Promise<void> {
  const engine = page.context().browser()?.browserType().name();
  if (engine !== 'chromium')
    throw new Error(
      `crashTab needs Chromium (it uses DevTools' Page.crash); this browser is ${engine ?? 'unknown'}`,
    );
  const session = await page.context().newCDPSession(page);
  // Page.crash never answers: the renderer is gone.
  void session.send('Page.crash').catch(() => {});
}

/**
 * A Playwright `test` with a `tabmuxServer` fixture: a test server of the test's own, on a free loopback port, closed
 * after it. Extend it further, or use the helpers with your own server.
 */
export const test = base.extend<{ tabmuxServer: TestServer }, { tabmuxServerOptions: TestServerOptions }>({
  tabmuxServerOptions: [{}, { scope: 'worker', option: true }],
  tabmuxServer: async ({ tabmuxServerOptions }, use) => {
    const server = await startTestServer(tabmuxServerOptions);
    await use(server);
    await server.close();
  },
});

export { expect };
