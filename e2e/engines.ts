// What each engine's driver cannot do, by test tag. A test that needs one of these is skipped there, with the reason
// in the report, instead of being left out of the run unseen.
export const LACKS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  firefox: {
    '@cdp': 'DevTools (CDP) is Chromium-only: crashing a tab, a session with the SharedWorker',
    '@own-chromium':
      "the back/forward cache and page freezing are driven in a Chromium of the test's own, over CDP",
    '@v8':
      "the test relies on a limit of V8's (structured clone fails 100,000 levels deep); Firefox clones them",
  },
  webkit: {
    '@cdp': 'DevTools (CDP) is Chromium-only: crashing a tab, a session with the SharedWorker',
    '@own-chromium':
      "the back/forward cache and page freezing are driven in a Chromium of the test's own, over CDP",
    '@v8': "the test relies on a limit of V8's (structured clone fails 100,000 levels deep)",
    '@screenshot': "WebKit runs over classic WebDriver, without Playwright's screenshot comparison",
    '@locator': 'WebKit runs over classic WebDriver, without Playwright locators',
    '@init-script': 'WebKit runs over classic WebDriver, without addInitScript',
    '@offline': 'WebKit runs over classic WebDriver, without setOffline',
    '@console': 'WebKit runs over classic WebDriver, without console events',
  },
};

/** Whether the engine keeps a SharedWorker created with `extendedLifetime` after its last tab (Chromium, 2026). */
export function hasExtendedLifetime(project: string): boolean {
  return project === 'chromium';
}
