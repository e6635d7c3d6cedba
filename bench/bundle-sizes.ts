// Min+gzip of what an app ships for each contender, built by the same bundler (Vite) with the same settings.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

export interface BundleSize {
  readonly name: string;
  readonly minBytes: number;
  readonly gzipBytes: number;
}

const ENTRIES = {
  tabmux: 'bench/bundles/tabmux.ts',
  partysocket: 'bench/bundles/partysocket.ts',
  leader: 'bench/bundles/leader.ts',
} as const;

export async function measureBundles(): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [{ name: 'plain WebSocket', minBytes: 0, gzipBytes: 0 }];
  for (const [name, entry] of Object.entries(ENTRIES)) {
    const outDir = await mkdtemp(join(tmpdir(), `tabmux-bundle-${name}-`));
    try {
      await build({
        configFile: false,
        logLevel: 'silent',
        worker: { format: 'es' },
        build: {
          outDir,
          emptyOutDir: true,
          minify: true,
          modulePreload: false,
          rollupOptions: { input: { [name]: entry } },
        },
      });
      for (const file of await readdir(join(outDir, 'assets'))) {
        if (!file.endsWith('.js')) continue;
        const code = await readFile(join(outDir, 'assets', file));
        const label = file.startsWith('shared-worker')
          ? `${name} worker`
          : file.startsWith('hub')
            ? `${name} in-page hub (loaded only without SharedWorker)`
            : `${name} client`;
        sizes.push({
          name: label,
          minBytes: code.byteLength,
          gzipBytes: gzipSync(code, { level: 9 }).byteLength,
        });
      }
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }
  return sizes;
}
