// tabmux as a user gets it: packed, installed into an app of its own, imported by Node, served without a bundler,
// and bundled by Vite from the README's snippet.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, preview, type PreviewServer } from 'vite';
import { serveFolder } from '../test/static-server.js';
import { hasExtendedLifetime } from './engines.js';
import { expect, expectServerConnections, test } from './fixtures.js';

const run = promisify(execFile);
const npm = (args: string[], cwd: string) =>
  run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
    timeout: 180_000,
  });

let app: string;
let tarball: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  app = await mkdtemp(join(tmpdir(), 'tabmux-app-'));
  // `npm pack` builds through `prepare`, as a git or folder install does.
  const { stdout } = await npm(['pack', '--json', '--pack-destination', app], process.cwd());
  tarball = join(app, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await npm(['install', tarball, 'ws'], app);
});
test.afterAll(async () => {
  if (app) await rm(app, { recursive: true, force: true });
});

test('installed from its tarball, every entry point imports in Node', async ({}, testInfo) => {
  // Skipped outside the chromium project: it checks the package in Node, so one engine runs it (issue 11).
  test.skip(
    testInfo.project.name !== 'chromium',
    'about the package, not a browser: run in the chromium project',
  );
  const script = `const [c, h, w, s] = await Promise.all([import('tabmux'), import('tabmux/hub'), import('tabmux/worker/host'), import('tabmux/server')]);
    console.log(typeof c.createClient, typeof h.createHub, typeof w.hostSharedWorker, typeof s.createTabmuxServer, typeof s.redisBroker);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
  expect(stdout.trim()).toBe('function function function function function');
});

test('the package holds a LICENSE, and every source map carries its sources', async ({}, testInfo) => {
  // Skipped outside the chromium project: it checks the package in Node, so one engine runs it (issue 11).
  test.skip(
    testInfo.project.name !== 'chromium',
    'about the package, not a browser: run in the chromium project',
  );
  const root = join(app, 'node_modules', 'tabmux');
  expect(await readFile(join(root, 'LICENSE'), 'utf8')).toContain('MIT License');
  const maps = (await readdir(join(root, 'dist'), { recursive: true })).filter((file) =>
    file.endsWith('.map'),
  );
  expect(maps.length).toBeGreaterThan(20);
  for (const file of maps) {
    const map = JSON.parse(await readFile(join(root, 'dist', file), 'utf8')) as {
      sources: string[];
      sourcesContent?: (string | null)[];
    };
    // A map whose sources are neither shipped nor inlined makes bundlers warn of missing source files.
    expect(
      map.sourcesContent?.every((content) => typeof content === 'string'),
      file,
    ).toBe(true);
    expect(map.sourcesContent).toHaveLength(map.sources.length);
  }
});

test(
  'without a bundler: an import map and the self-contained worker, 3 tabs share 1 connection',
  { tag: ['@console'] },
  async ({ context, server }) => {
    await writeFile(
      join(app, 'index.html'),
      `<!doctype html><meta charset="utf-8"><title>no bundler</title>
<script type="importmap">{ "imports": {
  "tabmux": "/node_modules/tabmux/dist/client/index.js",
  "comlink": "/node_modules/comlink/dist/esm/comlink.mjs"
} }</script>
<script type="module">
  import { createClient } from 'tabmux';
  window.client = createClient({ url: new URLSearchParams(location.search).get('ws') });
</script>`,
    );
    const site = await serveFolder(app);
    try {
      const warnings: string[] = [];
      const pages = [];
      for (let i = 0; i < 3; i++) {
        const page = await context.newPage();
        page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
        await page.goto(`${site.origin}/index.html?ws=${encodeURIComponent(server.url)}`);
        await page.waitForFunction(
          () =>
            (window as unknown as { client?: { status: { state: string } } }).client?.status.state === 'open',
        );
        pages.push(page);
      }
      await expectServerConnections(server, 1);
      for (const page of pages)
        expect(
          await page.evaluate(
            () => (window as unknown as { client: { transport: string } }).client.transport,
          ),
        ).toBe('shared-worker');
      expect(warnings).toEqual([]);
    } finally {
      await site.close();
    }
  },
);

test.describe('a Vite app with the README snippet', () => {
  let served: PreviewServer;
  let origin: string;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    const root = join(app, 'vite-app');
    await mkdir(root, { recursive: true });
    const readme = await readFile(resolve('README.md'), 'utf8');
    // The README's own snippet, as a user copies it.
    const snippet = /```ts\n(import \{ createClient \} from 'tabmux';[\s\S]*?)```/.exec(readme)?.[1];
    if (!snippet) throw new Error("README: no snippet starting with `import { createClient } from 'tabmux'`");
    // TypeScript, as the README shows it (Vite strips the types); the server's URL from the query, no token
    // endpoint, and the tab stays (the snippet's last lines leave).
    await writeFile(
      join(root, 'main.ts'),
      snippet
        .replace(/'wss:\/\/[^']+'/, "new URLSearchParams(location.search).get('ws')!")
        .replace(/^\s*auth:.*$/m, '')
        .replace(/^\s*\w+\(\);$/gm, '')
        .replace(/^client\.close\(\);$/m, '') +
        '\n(window as unknown as { client: unknown }).client = client;\n',
    );
    await writeFile(
      join(root, 'index.html'),
      '<!doctype html><script type="module" src="./main.ts"></script>',
    );
    const outDir = join(root, 'dist');
    await build({ root, logLevel: 'error', configFile: false, worker: { format: 'es' }, build: { outDir } });
    served = await preview({
      root,
      configFile: false,
      logLevel: 'error',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0 },
    });
    const address = served.httpServer.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  test.afterAll(async () => {
    await new Promise((done) => served?.httpServer.close(done));
  });

  const openApp = async (context: import('@playwright/test').BrowserContext, url: string) => {
    const page = await context.newPage();
    await page.goto(`${origin}/?ws=${encodeURIComponent(url)}`);
    await page.waitForFunction(
      () => (window as unknown as { client?: { status: { state: string } } }).client?.status.state === 'open',
    );
    return page;
  };

  test('3 tabs share 1 connection; the app ships nothing of React, which it does not import', async ({
    context,
    server,
  }) => {
    for (let i = 0; i < 3; i++) await openApp(context, server.url);
    await expectServerConnections(server, 1);
    const assets = join(app, 'vite-app', 'dist', 'assets');
    for (const file of (await readdir(assets)).filter((name) => name.endsWith('.js')))
      expect(await readFile(join(assets, file), 'utf8'), file).not.toMatch(/useSyncExternalStore|react/i);
  });

  test('a lone tab reloaded 3 times costs no new connection where the worker outlives a reload', async ({
    context,
    server,
  }, testInfo) => {
    const page = await openApp(context, server.url);
    for (let i = 0; i < 3; i++) {
      await page.reload();
      await page.waitForFunction(
        () =>
          (window as unknown as { client?: { status: { state: string } } }).client?.status.state === 'open',
      );
    }
    // Without extendedLifetime (Firefox, WebKit) each reload starts a new worker, and a new socket.
    const expected = hasExtendedLifetime(testInfo.project.name) ? 1 : 4;
    expect(server.stats()).toMatchObject({ connections: 1, totalConnections: expected });
  });
});

test('installed from git, the package builds itself and imports', async ({}, testInfo) => {
  // Skipped outside the chromium project: it checks the package in Node, so one engine runs it (issue 11).
  test.skip(
    testInfo.project.name !== 'chromium',
    'about the package, not a browser: run in the chromium project',
  );
  test.setTimeout(240_000);
  const place = await mkdtemp(join(tmpdir(), 'tabmux-git-'));
  try {
    await writeFile(
      join(place, 'package.json'),
      JSON.stringify({ name: 'git-app', private: true, type: 'module' }),
    );
    await npm(['install', `git+file://${resolve(dirname('.'))}`], place);
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('tabmux'); console.log(typeof m.createClient)"],
      { cwd: place },
    );
    expect(stdout.trim()).toBe('function');
  } finally {
    await rm(place, { recursive: true, force: true });
  }
});
