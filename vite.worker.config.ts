// Builds tabmux's SharedWorker entry as one self-contained file (Comlink inlined): the file a page without a
// bundler serves and passes to `new SharedWorker(url)`, where an import map cannot reach inside a worker.
import { defineConfig } from 'vite';

export default defineConfig({
  logLevel: 'warn',
  build: {
    lib: { entry: 'worker/shared-worker.ts', formats: ['es'], fileName: () => 'shared-worker.js' },
    outDir: 'dist/worker',
    // tsc has written the rest of dist/worker already; only the entry is replaced by its bundle.
    emptyOutDir: false,
    sourcemap: true,
    minify: false,
    target: 'es2022',
  },
});
