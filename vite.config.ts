import { defineConfig, type Plugin } from 'vitest/config';

/** The dev server serves the whole project (the demo and the e2e pages); `/` leads to the demo. */
const demoAtRoot: Plugin = {
  name: 'tabmux-demo-at-root',
  configureServer(server) {
    server.middlewares.use((request, response, next) => {
      if (request.url !== '/') return next();
      response.writeHead(302, { Location: '/demo/web/' });
      response.end();
    });
  },
};

export default defineConfig({
  plugins: [demoAtRoot],
  worker: { format: 'es' },
  // Without this the dev server discovers Comlink on first load, re-optimizes and reloads the page.
  optimizeDeps: { include: ['comlink'] },
  test: {
    include: ['worker/**/*.test.ts', 'client/**/*.test.ts', 'demo/**/*.test.ts'],
    environment: 'node',
    testTimeout: 15_000,
  },
});
