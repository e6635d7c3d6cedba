// Every TypeScript block in the docs compiles: the README, PROTOCOL.md, CONTRIBUTING.md and docs/**. Each block is
// written to .doc-snippets/ as a module of its own and type-checked against the package's sources, strictly, with
// the names an example leaves to its app declared in docs/snippet-globals.d.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();
const out = join(root, '.doc-snippets');
const documents = ['README.md', 'PROTOCOL.md', 'CONTRIBUTING.md', ...markdownUnder('docs')];

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const origins = new Map<string, string>();
for (const document of documents) {
  const lines = readFileSync(document, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```(ts|tsx)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const start = i + 1;
    const end = lines.findIndex((line, j) => j > i && /^\s*```\s*$/.test(line));
    if (end < 0) throw new Error(`${document}:${i + 1}: a code block that never ends`);
    const indent = /^\s*/.exec(lines[i]!)![0].length;
    const code = lines.slice(start, end).map((line) => line.slice(indent));
    const file = `${document.replace(/[/.]/g, '_')}_${start}.${fence[1]}`;
    // A block is a module of its own, so that top-level await and its own names stay its own.
    writeFileSync(join(out, file), `${code.join('\n')}\nexport {};\n`);
    origins.set(file, `${document}:${start + 1}`);
    i = end;
  }
}

const sources = (path: string) => [join(root, path)];
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({
    extends: '../tsconfig.json',
    compilerOptions: {
      noEmit: true,
      jsx: 'react-jsx',
      types: ['node'],
      // An example's unused names are fine; what matters is that the API it shows exists and takes what it passes.
      noUnusedLocals: false,
      noUnusedParameters: false,
      paths: {
        tabmux: sources('client/index.ts'),
        'tabmux/hub': sources('hub/index.ts'),
        'tabmux/worker/host': sources('worker/index.ts'),
        'tabmux/server': sources('server/index.ts'),
        'tabmux/react': sources('react/index.ts'),
        'tabmux/testing': sources('testing/index.ts'),
      },
    },
    include: ['*.ts', '*.tsx', '../docs/snippet-globals.d.ts'],
  }),
);

try {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', out], {
    stdio: 'pipe',
  });
  console.log(`docs: ${origins.size} TypeScript blocks in ${documents.length} documents compile`);
} catch (error) {
  const output = String((error as { stdout?: Buffer }).stdout ?? error);
  // Each error names the block's file; say where that block stands in the docs instead.
  console.error(
    output.replace(/^\.doc-snippets\/([^(]+)\((\d+),(\d+)\)/gm, (_, file: string, line: string) => {
      const [document, start] = origins.get(file)!.split(':');
      return `${document}:${Number(start) + Number(line) - 1}`;
    }),
  );
  process.exit(1);
}

function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md') && !file.startsWith('api'))
    .map((file) => relative(root, join(dir, file)));
}
