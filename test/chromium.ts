// The Chromium the tests (playwright.config.ts) and the benchmarks drive: $TABMUX_CHROMIUM, else Debian's headless
// shell or Chromium when installed, else Playwright's own (`npx playwright install chromium` where downloads work).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type LaunchOptions } from '@playwright/test';

export function launchOptions(): LaunchOptions {
  const executablePath =
    process.env['TABMUX_CHROMIUM'] ||
    ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((path) => existsSync(path));
  return {
    ...(executablePath && { executablePath }),
    // Without the networking flags Chromium's own background connections fail on a closed network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch(launchOptions());
}
