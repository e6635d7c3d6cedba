import { defineConfig } from '@playwright/test';
import { launchOptions } from './test/chromium.js';

export default defineConfig({
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
    launchOptions: launchOptions(),
  },
  projects: [
    { name: 'chromium', testDir: 'e2e', testMatch: '*.spec.ts' },
    // The example app's own suite, written with tabmux/testing as an app's would be.
    { name: 'example', testDir: 'examples/react-dashboard/e2e', testMatch: '*.spec.ts' },
  ],
});
