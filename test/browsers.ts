// The browsers the tests and the benchmarks drive, and where each is found: an environment variable, else Debian's
// package, else Playwright's own build (for Chromium, where `npx playwright install` works).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type LaunchOptions } from '@playwright/test';

/** Without the networking flags Chromium's own background connections fail on a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** $TABMUX_CHROMIUM, else Debian's headless shell or Chromium, else Playwright's own. */
export function launchOptions(): LaunchOptions {
  const executablePath =
    process.env['TABMUX_CHROMIUM'] ||
    ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((path) => existsSync(path));
  return {
    ...(executablePath && { executablePath }),
    args: [...CHROMIUM_ARGS],
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch(launchOptions());
}

/**
 * Firefox through Playwright's `moz-firefox` channel: a stock Firefox over WebDriver BiDi, reached through
 * test/firefox-bidi.mjs (see there why). $TABMUX_FIREFOX names the browser, else Debian's firefox-esr.
 */
export function firefoxLaunchOptions(): LaunchOptions {
  return {
    channel: 'moz-firefox',
    executablePath: fileURLToPath(new URL('./firefox-bidi.mjs', import.meta.url)),
    // Firefox asks before leaving a page with a beforeunload handler only when a person is there; tests have none.
    firefoxUserPrefs: { 'dom.disable_beforeunload': true },
  };
}
