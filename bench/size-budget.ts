// Size budgets, checked by `npm test`: min+gzip of each chunk an app ships, against a limit a little above its size
// when the budget was set. A change that grows a chunk past its limit fails here; raise a limit only on purpose, in
// the same commit, saying why.
import { readFileSync } from 'node:fs';
import { measureBundles } from './bundle-sizes.js';

/** Limits in bytes, min+gzip, by the chunk labels of bundle-sizes.ts. */
const BUDGETS: Readonly<Record<string, number>> = {
  'tabmux client': 11_000,
  'tabmux worker': 17_100,
  'tabmux in-page hub (loaded only without SharedWorker)': 12_000,
  'tabmux protocol loader (loaded with either hub)': 350,
  "tabmux protocol 'graphql-ws' (loaded only when named)": 1_200,
  "tabmux protocol 'socket.io' (loaded only when named)": 1_700,
  'tabmux HTTP fallback (loaded only when sockets are blocked)': 2_000,
  'tabmux with tabmux/react client': 12_400,
};

const sizes = (await measureBundles(['tabmux', 'tabmux-react'])).filter(
  (size) => size.name !== 'plain WebSocket',
);
let over = 0;
for (const { name, gzipBytes } of sizes) {
  const limit = BUDGETS[name];
  if (limit === undefined) {
    console.error(`size: ${name} has no budget: add one to bench/size-budget.ts`);
    over++;
    continue;
  }
  const verdict = gzipBytes <= limit ? 'ok' : 'OVER';
  if (gzipBytes > limit) over++;
  console.log(
    `size: ${verdict.padEnd(4)} ${(gzipBytes / 1000).toFixed(2)} KB of ${(limit / 1000).toFixed(2)} KB  ${name}`,
  );
}
for (const name of Object.keys(BUDGETS))
  if (!sizes.some((size) => size.name === name)) {
    console.error(`size: no chunk named "${name}" was built: a budget for nothing`);
    over++;
  }

// The README's figure is checked against what was just measured, so it cannot drift (0.2 KB of slack).
const readme = readFileSync('README.md', 'utf8');
const shown = /what an app ships \(min\+gzip, client \+ worker\) \| ([\d.]+) \+ ([\d.]+) KB/.exec(readme);
const measured = ['tabmux client', 'tabmux worker'].map(
  (name) => sizes.find((size) => size.name === name)!.gzipBytes,
);
if (!shown) {
  console.error('size: README.md has no row "what an app ships (min+gzip, client + worker) | A + B KB"');
  over++;
} else
  for (const [i, figure] of [shown[1]!, shown[2]!].entries()) {
    const actual = measured[i]! / 1000;
    if (Math.abs(Number(figure) - actual) > 0.2) {
      console.error(
        `size: README.md says ${figure} KB for the ${i === 0 ? 'client' : 'worker'}; it is ${actual.toFixed(1)} KB`,
      );
      over++;
    }
  }
process.exit(over === 0 ? 0 : 1);
