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
  'tabmux-react': 'bench/bundles/tabmux-react.ts',
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
        const app = name === 'tabmux-react' ? 'tabmux with tabmux/react' : name;
        // The worker and the in-page hub are the same for both tabmux entries: listed once.
        if (name === 'tabmux-react' && !file.startsWith('tabmux-react')) continue;
        const label = file.startsWith('shared-worker')
          ? `${app} worker`
          : file.startsWith('hub')
            ? `${app} in-page hub (loaded only without SharedWorker)`
            : `${app} client`;
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
