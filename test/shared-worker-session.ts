// A DevTools protocol session with a SharedWorker. Playwright does not expose shared workers, so this attaches to
// the worker's target through the browser session and relays CDP messages to it. Used by the benchmarks (heap) and
// by e2e tests that must act inside the worker (its clock).
import type { Browser, CDPSession } from '@playwright/test';

export interface SharedWorkerSession {
  /** Sends a CDP command to the worker; rejects when the worker answers with an error or not within 10 s. */
  call(method: string, params?: object): Promise<unknown>;
  /** Calls `listener` with the params of every `method` event the worker sends. */
  on(method: string, listener: (params: unknown) => void): void;
  /** Evaluates `expression` in the worker's global scope and returns its value. */
  evaluate(expression: string): Promise<unknown>;
  detach(): Promise<void>;
}

interface TargetMessage {
  id?: number;
  result?: unknown;
  error?: { message: string };
  method?: string;
  params?: unknown;
}

/** Attaches to the running SharedWorker of the hub named `name` (tabmux adds `@<server url>` to the worker's name). */
export async function attachToSharedWorker(browser: Browser, name: string): Promise<SharedWorkerSession> {
  const session: CDPSession = await browser.newBrowserCDPSession();
  const { targetInfos } = (await session.send('Target.getTargets')) as {
    targetInfos: { targetId: string; type: string; title: string }[];
  };
  // DevTools titles a shared worker with its name.
  const target = targetInfos.find(
    (info) => info.type === 'shared_worker' && (info.title === name || info.title.startsWith(`${name}@`)),
  );
  if (!target) throw new Error(`no shared worker named ${JSON.stringify(name)} is running`);
  const { sessionId } = (await session.send('Target.attachToTarget', {
    targetId: target.targetId,
    flatten: false,
  })) as { sessionId: string };
  let nextId = 1;
  const pending = new Map<number, (message: TargetMessage) => void>();
  const listeners = new Map<string, (params: unknown) => void>();
  session.on('Target.receivedMessageFromTarget', (event: { sessionId: string; message: string }) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as TargetMessage;
    if (message.method !== undefined) listeners.get(message.method)?.(message.params);
    if (message.id !== undefined) pending.get(message.id)?.(message);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => reject(new Error(`${method}: no answer from the worker`)), 10_000);
      pending.set(id, (message) => {
        clearTimeout(timer);
        pending.delete(id);
        if (message.error) reject(new Error(`${method}: ${message.error.message}`));
        else resolve(message.result);
      });
      void session.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id, method, params }),
      });
    });
  return {
    call,
    on: (method, listener) => void listeners.set(method, listener),
    async evaluate(expression) {
      const { result, exceptionDetails } = (await call('Runtime.evaluate', {
        expression,
        returnByValue: true,
      })) as {
        result: { value?: unknown };
        exceptionDetails?: { text: string };
      };
      if (exceptionDetails) throw new Error(`in the worker: ${exceptionDetails.text}`);
      return result.value;
    },
    detach: () => session.detach(),
  };
}
