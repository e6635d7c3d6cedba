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

/** What a chunk of a build is, from its file name (`<module>-<hash>.js`). */
function labelOf(file: string, app: string): string {
  const stem = file.replace(/-[\w-]{8}\.js$/, '');
  if (stem === 'shared-worker') return `${app} worker`;
  if (stem === 'hub') return `${app} in-page hub (loaded only without SharedWorker)`;
  if (stem === 'load-protocol') return `${app} protocol loader (loaded with either hub)`;
  if (stem === 'fallback-transport') return `${app} HTTP fallback (loaded only when sockets are blocked)`;
  if (stem === 'graphql-ws' || stem === 'socket-io')
    return `${app} protocol '${stem === 'socket-io' ? 'socket.io' : stem}' (loaded only when named)`;
  return `${app} client`;
}

/** Builds each of `names` (default: every contender) and measures its chunks. */
export async function measureBundles(
  names: readonly (keyof typeof ENTRIES)[] = Object.keys(ENTRIES) as (keyof typeof ENTRIES)[],
): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [{ name: 'plain WebSocket', minBytes: 0, gzipBytes: 0 }];
  for (const name of names) {
    const entry = ENTRIES[name];
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
      const listed = new Set(sizes.map((size) => size.name));
      for (const file of (await readdir(join(outDir, 'assets'))).sort()) {
        if (!file.endsWith('.js')) continue;
        const code = await readFile(join(outDir, 'assets', file));
        const app = name === 'tabmux-react' ? 'tabmux with tabmux/react' : name;
        // The worker, the in-page hub, the protocols and the fallback are the same for both tabmux entries: listed once.
        if (name === 'tabmux-react' && !file.startsWith('tabmux-react')) continue;
        const label = labelOf(file, app);
        // A protocol (and the fallback) is emitted twice, for the worker's and the in-page hub's module graphs: one is
        // ever loaded.
        if (listed.has(label)) continue;
        listed.add(label);
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
