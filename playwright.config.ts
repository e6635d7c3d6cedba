import { defineConfig, type Project } from '@playwright/test';
import { firefoxLaunchOptions, launchOptions } from './test/browsers.js';

export default defineConfig({
  // The tests count server connections per browser, so they run one at a time.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  // The baselines are drawn by Debian's Chromium on Linux; other platforms render fonts differently and need
  // their own (`npx playwright test e2e/dashboard.spec.ts --update-snapshots`).
  snapshotPathTemplate: 'e2e/snapshots/{projectName}/{arg}{ext}',
  // A colour change in small text touches a few hundred pixels; antialiasing noise far fewer.
  expect: { toHaveScreenshot: { maxDiffPixels: 100, threshold: 0.05 } },
  use: { headless: true, launchOptions: launchOptions() },
  projects: [
    ...engines([
      { name: 'chromium', testDir: 'e2e', testMatch: '*.spec.ts' },
      {
        name: 'firefox',
        testDir: 'e2e',
        testMatch: '*.spec.ts',
        use: { browserName: 'firefox', launchOptions: firefoxLaunchOptions() },
      },
      // WebKitGTK through classic WebDriver (e2e/fixtures.ts gives the specs a Page-like adapter over it).
      { name: 'webkit', testDir: 'e2e', testMatch: '*.spec.ts', use: { browserName: 'webkit' } },
    ]),
    // The example app's own suite, written with tabmux/testing as an app's would be.
    { name: 'example', testDir: 'examples/react-dashboard/e2e', testMatch: '*.spec.ts' },
  ],
});

/** The engines of $TABMUX_ENGINES (default: all three); naming fewer is the one way to leave some out. */
function engines(projects: Project[]): Project[] {
  const wanted = (process.env['TABMUX_ENGINES'] ?? 'chromium,firefox,webkit').split(',');
  return projects.filter((project) => wanted.includes(project.name!));
}
