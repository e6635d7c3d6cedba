// Reads a SharedWorker's JS heap through the browser's DevTools protocol. Playwright does not expose shared
// workers, so this attaches to the worker's target and speaks CDP to it through the browser session.
import type { Browser, CDPSession } from '@playwright/test';

export interface WorkerHeap {
  /** Collects garbage, then returns the used heap in bytes. */
  usedAfterGc(): Promise<number>;
  /** Takes a heap snapshot and sums its nodes' own sizes by kind (`type` or `type name`), in bytes. */
  sizesByKind(): Promise<Map<string, number>>;
  detach(): Promise<void>;
}

export async function attachToSharedWorker(browser: Browser, urlPart: string): Promise<WorkerHeap> {
  const session: CDPSession = await browser.newBrowserCDPSession();
  const { targetInfos } = (await session.send('Target.getTargets')) as {
    targetInfos: { targetId: string; type: string; url: string }[];
  };
  const target = targetInfos.find((info) => info.type === 'shared_worker' && info.url.includes(urlPart));
  if (!target) throw new Error(`no shared worker whose URL contains ${urlPart}`);
  const { sessionId } = (await session.send('Target.attachToTarget', {
    targetId: target.targetId,
    flatten: false,
  })) as {
    sessionId: string;
  };
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  let chunks: string[] = [];
  session.on('Target.receivedMessageFromTarget', (event: { sessionId: string; message: string }) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as {
      id?: number;
      result?: unknown;
      method?: string;
      params?: { chunk: string };
    };
    if (message.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(message.params!.chunk);
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer from the worker`)), 10_000);
      pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      void session.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id, method, params }),
      });
    });
  return {
    async usedAfterGc() {
      await call('HeapProfiler.enable');
      await call('HeapProfiler.collectGarbage');
      const usage = (await call('Runtime.getHeapUsage')) as { usedSize: number };
      return usage.usedSize;
    },
    async sizesByKind() {
      chunks = [];
      await call('HeapProfiler.enable');
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      return sizesByKind(JSON.parse(chunks.join('')) as HeapSnapshot);
    },
    detach: () => session.detach(),
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
