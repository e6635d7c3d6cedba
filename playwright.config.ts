import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/**
 * The browser: $TABMUX_CHROMIUM, else Debian's headless shell or Chromium when installed, else Playwright's own
 * (`npx playwright install chromium` where downloads work).
 */
const executablePath =
  process.env['TABMUX_CHROMIUM'] ||
  ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].find((path) => existsSync(path));

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  // The tests count server connections per browser, so they run one at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  // The baselines are drawn by Debian's Chromium on Linux; other platforms render fonts differently and need
  // their own (`npx playwright test e2e/dashboard.spec.ts --update-snapshots`).
  snapshotPathTemplate: 'e2e/snapshots/{arg}{ext}',
  // A colour change in small text touches a few hundred pixels; antialiasing noise far fewer.
  expect: { toHaveScreenshot: { maxDiffPixels: 100, threshold: 0.05 } },
  use: {
    headless: true,
    launchOptions: {
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
    },
  },
});
