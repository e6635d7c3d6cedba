// Reads a SharedWorker's JS heap through the browser's DevTools protocol. Playwright does not expose shared
// workers, so this attaches to the worker's target and speaks CDP to it through the browser session.
import type { Browser, CDPSession } from '@playwright/test';

export interface WorkerHeap {
  /** Collects garbage, then returns the used heap in bytes. */
  usedAfterGc(): Promise<number>;
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
  session.on('Target.receivedMessageFromTarget', (event: { sessionId: string; message: string }) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  const call = (method: string) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer from the worker`)), 10_000);
      pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      void session.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    });
  return {
    async usedAfterGc() {
      await call('HeapProfiler.enable');
      await call('HeapProfiler.collectGarbage');
      const usage = (await call('Runtime.getHeapUsage')) as { usedSize: number };
      return usage.usedSize;
    },
    detach: () => session.detach(),
  };
}
