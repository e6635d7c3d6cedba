// Reads a SharedWorker's JS heap through the browser's DevTools protocol.
import type { Browser } from '@playwright/test';
import { attachToSharedWorker } from '../test/shared-worker-session.js';

export interface WorkerHeap {
  /** Collects garbage, then returns the used heap in bytes. */
  usedAfterGc(): Promise<number>;
  /** Takes a heap snapshot and sums its nodes' own sizes by kind (`type` or `type name`), in bytes. */
  sizesByKind(): Promise<Map<string, number>>;
  detach(): Promise<void>;
}

export async function attachToWorkerHeap(browser: Browser, name: string): Promise<WorkerHeap> {
  const worker = await attachToSharedWorker(browser, name);
  let chunks: string[] = [];
  worker.on('HeapProfiler.addHeapSnapshotChunk', (params) =>
    chunks.push((params as { chunk: string }).chunk),
  );
  await worker.call('HeapProfiler.enable');
  return {
    async usedAfterGc() {
      await worker.call('HeapProfiler.collectGarbage');
      const usage = (await worker.call('Runtime.getHeapUsage')) as { usedSize: number };
      return usage.usedSize;
    },
    async sizesByKind() {
      chunks = [];
      await worker.call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      return sizesByKind(JSON.parse(chunks.join('')) as HeapSnapshot);
    },
    detach: () => worker.detach(),
  };
}

type Sizes = { kind: string; bytes: number }[];

/** The eight largest changes between two `sizesByKind` readings, by type of node and by kind. */
export function heapGrowth(
  before: Map<string, number>,
  after: Map<string, number>,
): { growthByType: Sizes; growth: Sizes } {
  const kinds = new Set([...before.keys(), ...after.keys()]);
  const deltas = [...kinds].map((kind) => ({
    kind,
    bytes: (after.get(kind) ?? 0) - (before.get(kind) ?? 0),
  }));
  const byType = new Map<string, number>();
  for (const { kind, bytes } of deltas) {
    const type = kind.split(' ')[0]!;
    byType.set(type, (byType.get(type) ?? 0) + bytes);
  }
  const largest = (list: Sizes) => list.sort((a, b) => Math.abs(b.bytes) - Math.abs(a.bytes)).slice(0, 8);
  return {
    growthByType: largest([...byType].map(([kind, bytes]) => ({ kind, bytes }))),
    growth: largest(deltas),
  };
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

// Objects and closures are told apart by constructor or function name; strings, numbers and code by type alone,
// since their names are their contents.
const NAMED_TYPES = new Set(['object', 'closure', 'native', 'hidden', 'array']);

function sizesByKind(heap: HeapSnapshot): Map<string, number> {
  const fields = heap.snapshot.meta.node_fields;
  const [typeNames] = heap.snapshot.meta.node_types;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [
    number,
    number,
    number,
  ];
  const sizes = new Map<string, number>();
  for (let i = 0; i < heap.nodes.length; i += fields.length) {
    const type = typeNames[heap.nodes[i + typeAt]!]!;
    const kind = NAMED_TYPES.has(type)
      ? `${type} ${heap.strings[heap.nodes[i + nameAt]!]!.slice(0, 60)}`
      : type;
    sizes.set(kind, (sizes.get(kind) ?? 0) + heap.nodes[i + sizeAt]!);
  }
  return sizes;
}
