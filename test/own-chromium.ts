// A Chromium the test starts itself and reaches over CDP. Playwright's own launch turns the page lifecycle off (it
// adds --disable-back-forward-cache and the background-throttling switches, and emulates focus), so no page is ever
// restored from the back/forward cache and a frozen page is not frozen; tests of those paths use this instead.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from './browsers.js';

/**
 * $TABMUX_CHROMIUM_FULL, else Debian's `chromium`: the full browser, because `chromium-headless-shell` never restores
 * a page from the back/forward cache (BackForwardCacheDisabledForDelegate). `null` when there is none.
 */
export function fullChromium(): string | null {
  const configured = process.env['TABMUX_CHROMIUM_FULL'];
  if (configured) return configured;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : null;
}

export interface OwnChromium {
  readonly browser: Browser;
  /** Opens `url` in a window of its own (a page opened over CDP may otherwise land as a hidden background tab). */
  openWindow(url: string): Promise<Page>;
  /** The process ids of its renderers, with their command lines. */
  renderers(): Promise<number[]>;
  close(): Promise<void>;
}

/** `args` are added to the command line (the bench turns off the spare renderer, to tell the pages' processes apart). */
export async function launchOwnChromium(
  executable: string,
  args: readonly string[] = [],
): Promise<OwnChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'tabmux-chromium-'));
  const child = spawn(
    executable,
    [
      '--headless',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      ...CHROMIUM_ARGS,
      ...args,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`Chromium did not start: ${output.slice(-500)}`)),
      20_000,
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`Chromium exited with ${code}: ${output.slice(-500)}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
  const context = browser.contexts()[0]!;
  const cdp = await browser.newBrowserCDPSession();
  return {
    browser,
    async openWindow(url) {
      const opened = context.waitForEvent('page');
      await cdp.send('Target.createTarget', { url, newWindow: true });
      const page = await opened;
      await page.waitForLoadState();
      return page;
    },
    async renderers() {
      const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
        processInfo: { type: string; id: number }[];
      };
      return processInfo.filter((info) => info.type === 'renderer').map((info) => info.id);
    },
    async close() {
      await browser.close().catch(() => {});
      child.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 200));
      await rm(profile, { recursive: true, force: true });
    },
  };
}
