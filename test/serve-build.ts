// Builds pages with Vite into a temporary folder and serves them on a free loopback port, as an app ships them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';

export interface ServedBuild {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Where the build went (its `assets/` folder holds the hashed files). */
  readonly outDir: string;
  close(): Promise<void>;
}

/**
 * `input`: the HTML entry to build; the project's own (the demo) when left out. `minify: false` keeps function names
 * for a profiler.
 */
export async function serveBuild(input?: string, { minify = true } = {}): Promise<ServedBuild> {
  const outDir = await mkdtemp(join(tmpdir(), 'tabmux-build-'));
  await build({
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, minify, ...(input && { rollupOptions: { input } }) },
  });
  const served = await preview({
    logLevel: 'error',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0 },
  });
  const address = served.httpServer.address();
  if (!address || typeof address !== 'object') throw new Error('the preview server has no address');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    outDir,
    async close() {
      await new Promise((resolve) => served.httpServer.close(resolve));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
