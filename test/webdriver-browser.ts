// Playwright's Browser, BrowserContext and Page, in the part the e2e specs use, over classic WebDriver: how the same
// specs run in WebKitGTK, which Playwright cannot drive. A context is a WebDriver session (a browser profile); each
// page is a window of its own (a background tab would report itself hidden).
import { remote } from 'webdriverio';
import { minibrowser, startDriver, startXvfb, type Display, type Driver } from './webkit-processes.js';

type Session = Awaited<ReturnType<typeof remote>>;

interface Timeout {
  readonly timeout?: number;
}

/** What the adapter cannot do; a test that needs it is tagged and skipped before it gets here. */
class Unsupported extends Error {
  constructor(what: string) {
    super(`${what} is not available in WebKit over WebDriver (tag the test so this engine skips it)`);
  }
}

export class WebDriverPage {
  private closed = false;

  constructor(
    private readonly owner: WebDriverContext,
    readonly handle: string,
  ) {}

  context(): WebDriverContext {
    return this.owner;
  }

  isClosed(): boolean {
    return this.closed;
  }

  async goto(url: string): Promise<null> {
    await this.owner.run(this, (session) => session.url(url));
    return null;
  }

  async reload(): Promise<null> {
    await this.owner.run(this, (session) => session.refresh());
    return null;
  }

  url(): Promise<string> {
    return this.owner.run(this, (session) => session.getUrl());
  }

  /** Runs `fn` in the page with `arg` (both must survive JSON, as in Playwright) and resolves with its value. */
  async evaluate<R, A>(fn: ((arg: A) => R) | string, arg?: A): Promise<Awaited<R>> {
    const source = typeof fn === 'string' ? `() => (${fn})` : fn.toString();
    const result = (await this.owner.run(this, (session) =>
      session.executeAsync(
        function (code: string, value: unknown, done: (result: unknown) => void) {
          try {
            Promise.resolve((0, eval)(`(${code})`)(value)).then(
              (output: unknown) =>
                done({ value: output === undefined ? null : output, undefined: output === undefined }),
              (error: unknown) => done({ error: String((error as Error)?.stack ?? error) }),
            );
          } catch (error) {
            done({ error: String((error as Error)?.stack ?? error) });
          }
        },
        source,
        arg ?? null,
      ),
    )) as { value?: unknown; undefined?: boolean; error?: string };
    if (result.error) throw new Error(`page.evaluate: ${result.error}`);
    return (result.undefined ? undefined : result.value) as Awaited<R>;
  }

  /** Polls `fn` in the page until it returns something truthy. */
  async waitForFunction<A>(fn: (arg: A) => unknown, arg?: A, options: Timeout = {}): Promise<void> {
    const deadline = Date.now() + (options.timeout ?? 30_000);
    for (;;) {
      if (await this.evaluate(fn, arg)) return;
      if (Date.now() > deadline)
        throw new Error(`page.waitForFunction: not within ${options.timeout ?? 30_000} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.owner.closePage(this);
  }

  on(): never {
    throw new Unsupported('page events');
  }
}

export class WebDriverContext {
  private readonly pageList: WebDriverPage[] = [];
  private active: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly session: Session,
    private readonly driver: Driver,
    private readonly owner: WebDriverBrowser,
    /** The session's first window, kept blank: closing a session's last window would end the session. */
    private readonly keeper: string,
  ) {
    this.active = keeper;
  }

  browser(): WebDriverBrowser {
    return this.owner;
  }

  pages(): WebDriverPage[] {
    return this.pageList.filter((page) => !page.isClosed());
  }

  /** One WebDriver command at a time, in the window of `page`. */
  run<T>(page: WebDriverPage | null, command: (session: Session) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      const handle = page?.handle ?? this.keeper;
      if (this.active !== handle) {
        await this.session.switchToWindow(handle);
        this.active = handle;
      }
      return command(this.session);
    });
    this.queue = next.catch(() => {});
    return next;
  }

  async newPage(): Promise<WebDriverPage> {
    const { handle } = await this.run(null, (session) => session.createWindow('window'));
    const page = new WebDriverPage(this, handle);
    this.pageList.push(page);
    return page;
  }

  async closePage(page: WebDriverPage): Promise<void> {
    await this.run(page, async (session) => {
      await session.closeWindow();
      await session.switchToWindow(this.keeper);
      this.active = this.keeper;
    });
  }

  async close(): Promise<void> {
    await this.session.deleteSession().catch(() => {});
    await this.driver.stop();
    this.owner.forget(this);
  }

  addInitScript(): never {
    throw new Unsupported('addInitScript');
  }
  setOffline(): never {
    throw new Unsupported('setOffline');
  }
  on(): never {
    throw new Unsupported('context events');
  }
  newCDPSession(): never {
    throw new Unsupported('a DevTools session');
  }
}

export class WebDriverBrowser {
  private readonly open = new Set<WebDriverContext>();

  private constructor(private readonly display: Display) {}

  /** Starts the display; each context then starts a driver and a MiniBrowser of its own. */
  static async launch(): Promise<WebDriverBrowser> {
    return new WebDriverBrowser(await startXvfb());
  }

  browserType(): { name(): string } {
    return { name: () => 'webkit' };
  }

  contexts(): WebDriverContext[] {
    return [...this.open];
  }

  async newContext(): Promise<WebDriverContext> {
    const driver = await startDriver(this.display);
    let session: Session;
    try {
      session = await remote({
        hostname: '127.0.0.1',
        port: driver.port,
        logLevel: 'error',
        connectionRetryCount: 0,
        connectionRetryTimeout: sessionTimeoutMs(),
        capabilities: {
          browserName: 'MiniBrowser',
          'wdio:enforceWebDriverClassic': true,
          'webkitgtk:browserOptions': { binary: minibrowser(), args: ['--automation'] },
        } as WebdriverIO.Capabilities,
      });
      await session.setTimeout({ script: 60_000 });
    } catch (error) {
      await driver.stop();
      throw new Error(`WebKitWebDriver did not open a MiniBrowser session: ${(error as Error).message}`);
    }
    const context = new WebDriverContext(session, driver, this, await session.getWindowHandle());
    this.open.add(context);
    return context;
  }

  forget(context: WebDriverContext): void {
    this.open.delete(context);
  }

  async close(): Promise<void> {
    for (const context of [...this.open]) await context.close();
    this.display.stop();
  }
}

/**
 * How long a new MiniBrowser session may take to open: $TABMUX_WEBDRIVER_SESSION_MS, 20 s by default (a loaded
 * machine starts WebKit slowly). The harness's own test of a browser that never starts sets it lower.
 */
function sessionTimeoutMs(): number {
  const ms = Number(process.env['TABMUX_WEBDRIVER_SESSION_MS'] ?? 20_000);
  return Number.isFinite(ms) && ms > 0 ? ms : 20_000;
}
