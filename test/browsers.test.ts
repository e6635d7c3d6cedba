// The browsers' infrastructure fails fast and says why: each case within a bounded time, naming what is missing and
// how to install it, and leaving no process behind.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { WebDriverBrowser } from './webdriver-browser.js';
import { startDriver, startXvfb } from './webkit-processes.js';

const run = promisify(execFile);
const path = process.env['PATH'];
afterEach(() => {
  process.env['PATH'] = path;
  delete process.env['TABMUX_MINIBROWSER'];
  delete process.env['TABMUX_WEBDRIVER_SESSION_MS'];
});

const running = (name: string) => {
  try {
    return execFileSync('pgrep', ['-x', name]).toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

test('no Firefox where the relay looks: it exits at once, naming the package to install', async () => {
  const started = Date.now();
  const failure = await run('test/firefox-bidi.mjs', ['--headless'], {
    env: { ...process.env, TABMUX_FIREFOX: '/nowhere/firefox' },
  }).catch((error: { code: number; stderr: string }) => error);
  expect(failure).toMatchObject({
    code: 1,
    stderr: expect.stringContaining('apt-get install -y --no-install-recommends firefox-esr'),
  });
  expect(Date.now() - started).toBeLessThan(5000);
});

test('no Xvfb, no WebKitWebDriver: a clear error naming the packages', async () => {
  process.env['PATH'] = '/nowhere';
  await expect(startXvfb()).rejects.toThrow(
    /Xvfb is not installed: apt-get install .*webkit2gtk-driver xvfb/,
  );
  await expect(startDriver({ name: ':99', stop: () => {} })).rejects.toThrow(
    /WebKitWebDriver is not installed/,
  );
});

test('a browser the driver cannot start: the session fails within its bound, and nothing is left running', async () => {
  const before = running('WebKitWebDriver');
  process.env['TABMUX_MINIBROWSER'] = '/bin/false';
  process.env['TABMUX_WEBDRIVER_SESSION_MS'] = '2000';
  const browser = await WebDriverBrowser.launch();
  try {
    const started = Date.now();
    await expect(browser.newContext()).rejects.toThrow(/WebKitWebDriver did not open a MiniBrowser session/);
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    await browser.close();
  }
  expect(running('WebKitWebDriver')).toBe(before);
}, 20_000);
