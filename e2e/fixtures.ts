// The e2e suite's fixtures: the browser of each engine's project, a test server per test, the Vite dev server that
// serves the test pages, and `openTab`, which opens e2e/tab.html with a client made from its options.
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import { waitForStatus } from '../testing/playwright.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { startGraphqlServer, type GraphqlTestServer } from '../test/graphql-server.js';
import { startSocketIoServer, type SocketIoTestServer } from '../test/socket-io-server.js';
import { WebDriverBrowser } from '../test/webdriver-browser.js';
import type { ConnectionState } from '../protocol/public-types.js';
import { LACKS } from './engines.js';

export interface TabOptions {
  transport?: 'auto' | 'shared-worker' | 'in-page';
  name?: string;
  lingerMs?: number;
  probeTimeoutMs?: number;
  /** `'silent'` skips the goodbye on pagehide, as when a tab is killed. */
  exit?: 'silent';
  /** A SharedWorker that never answers, whose script cannot load, without extendedLifetime, or a factory that throws. */
  worker?: 'silent' | 'broken' | 'capture' | 'plain' | 'throws' | 'closable';
  /** Another server than the test's own. */
  url?: string;
  /** Servers to try in turn, one per connection attempt (a `url` function); instead of `url`. */
  urls?: string[];
  /** Tokens the tab's `auth` returns in turn. */
  auth?: string[];
  /** More client options, as JSON. */
  options?: Record<string, unknown>;
  /** Channels the page follows as it loads (again after each reload). */
  follow?: string[];
  /** The state to wait for before returning the page. @default 'open' */
  waitFor?: string;
}

interface Fixtures {
  /** A test server of this test's own, on a free loopback port, with fault controls on. */
  server: TestServer;
  /** A real graphql-ws server of this test's own (test/graphql-server.ts). */
  graphqlServer: GraphqlTestServer;
  /**
   * A real Socket.IO server of this test's own, pinging every 200 ms and closing a connection whose pong is 1 s late
   * (a page's main thread can stall for a few hundred ms on this kind of machine; Socket.IO's default is 20 s).
   */
  socketIoServer: SocketIoTestServer;
  /** Skips a test whose tags need what this engine's driver lacks (e2e/engines.ts), saying so in the report. */
  engineSupport: void;
  /** Opens a tab page in `context` and waits until its client has a transport. */
  openTab: (context: BrowserContext, options?: TabOptions) => Promise<Page>;
}

export const test = base.extend<Fixtures, { vite: ViteDevServer; origin: string }>({
  // Playwright drives Chromium (CDP) and Firefox (WebDriver BiDi); WebKitGTK goes through the WebDriver adapter.
  browser: [
    async ({ playwright, browserName, launchOptions }, use, workerInfo) => {
      const browser =
        workerInfo.project.name === 'webkit'
          ? ((await WebDriverBrowser.launch()) as unknown as Browser)
          : await playwright[browserName].launch(launchOptions);
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  context: async ({ browser }, use) => {
    const context = await browser.newContext();
    await use(context);
    await context.close();
  },
  engineSupport: [
    async ({}, use, testInfo) => {
      const lacking = LACKS[testInfo.project.name] ?? {};
      const reasons = testInfo.tags.flatMap((tag) => (lacking[tag] ? [`${tag}: ${lacking[tag]}`] : []));
      testInfo.skip(reasons.length > 0, reasons.join('; '));
      await use();
    },
    { auto: true },
  ],
  vite: [
    async ({}, use) => {
      const vite = await createServer({ logLevel: 'error', server: { host: '127.0.0.1', port: 0 } });
      await vite.listen();
      await use(vite);
      await vite.close();
    },
    { scope: 'worker' },
  ],
  origin: [
    async ({ vite }, use) => {
      const address = vite.httpServer?.address();
      if (!address || typeof address !== 'object') throw new Error('the Vite server has no address');
      await use(`http://127.0.0.1:${address.port}`);
    },
    { scope: 'worker' },
  ],
  server: async ({}, use) => {
    const server = await startTestServer({ faults: true });
    await use(server);
    await server.close();
  },
  graphqlServer: async ({}, use) => {
    const server = await startGraphqlServer({ tokens: ['good'] });
    await use(server);
    await server.close();
  },
  socketIoServer: async ({}, use) => {
    const server = await startSocketIoServer({ pingInterval: 200, pingTimeout: 5000, tokens: ['good'] });
    await use(server);
    await server.close();
  },
  openTab: async ({ origin, server }, use) => {
    await use(async (context, options = {}) => {
      const page = await context.newPage();
      const query = new URLSearchParams({ ws: options.url ?? server.url, name: options.name ?? 'e2e' });
      if (options.transport) query.set('transport', options.transport);
      if (options.lingerMs !== undefined) query.set('linger', String(options.lingerMs));
      if (options.probeTimeoutMs !== undefined) query.set('probe', String(options.probeTimeoutMs));
      if (options.exit) query.set('exit', options.exit);
      if (options.worker) query.set('worker', options.worker);
      if (options.auth) query.set('auth', options.auth.join(','));
      if (options.options) query.set('options', JSON.stringify(options.options));
      if (options.urls) query.set('urls', options.urls.join(','));
      if (options.follow) query.set('follow', options.follow.join(','));
      await page.goto(`${origin}/e2e/tab.html?${query}`);
      await waitForStatus(page, (options.waitFor ?? 'open') as ConnectionState);
      return page;
    });
  },
});

export { expect };
export { clientStatus, crashTab, expectServerConnections } from '../testing/playwright.js';

/** When the tab's status first turned `state` at or after `since` (wall-clock ms); `null` if it has not. */
export function timeOf(page: Page, state: string, since = 0) {
  return page.evaluate(
    ([wanted, after]) => window.tab.timeline.find(([s, at]) => s === wanted && at >= after)?.[1] ?? null,
    [state, since] as const,
  );
}

/** What the tab's client reports from its hub. */
export function tabStats(page: Page) {
  return page.evaluate(() => window.tab.client.stats());
}
