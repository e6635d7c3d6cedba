import type { ServerResponse } from 'node:http';
import { defineConfig, type Plugin } from 'vitest/config';

/** The dev server serves the whole project (the demo and the e2e pages); `/` leads to the demo, there and in preview. */
const toDemo = (request: { url?: string | undefined }, response: ServerResponse, next: () => void) => {
  const [path, query] = (request.url ?? '').split('?');
  if (path !== '/') return next();
  response.writeHead(302, { Location: `/demo/web/${query ? `?${query}` : ''}` });
  response.end();
};
const demoAtRoot: Plugin = {
  name: 'tabmux-demo-at-root',
  configureServer: (server) => void server.middlewares.use(toDemo),
  configurePreviewServer: (server) => void server.middlewares.use(toDemo),
};

export default defineConfig({
  plugins: [demoAtRoot],
  build: {
    outDir: 'dist/demo',
    emptyOutDir: true,
    rollupOptions: { input: 'demo/web/index.html' },
  },
  worker: {
    format: 'es',
    // The worker's file name carries a hash of its content. Tabs share a SharedWorker only when its URL matches,
    // so after a deploy old and new tabs run separate hubs: tabs of different builds, which may speak
    // different tab⇄hub messages, never share one.
    rollupOptions: { output: { entryFileNames: 'assets/[name]-[hash].js' } },
  },
  // Without this the dev server discovers Comlink on first load, re-optimizes and reloads the page.
  optimizeDeps: { include: ['comlink'] },
  test: {
    include: [
      'protocol/**/*.test.ts',
      'hub/**/*.test.ts',
      'worker/**/*.test.ts',
      'client/**/*.test.ts',
      'server/**/*.test.ts',
      'testing/**/*.test.ts',
      'react/**/*.test.ts',
      'demo/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    environment: 'node',
    // Threads sharing their module graph start in a fraction of the time of isolated forks (unit suite 33 → 19 s
    // here). Tests may share modules, so none keeps state at module level: each builds what it uses.
    pool: 'threads',
    isolate: false,
    testTimeout: 15_000,
  },
});
