import type { Endpoint } from 'comlink';

/** What the host sends a tab whose message it refused; tabs surface it as an `'error'` event. */
export interface GuardRefusal {
  readonly type: 'tabmux:refused';
  readonly message: string;
}

/**
 * An endpoint for `comlink.expose` that lets through only calls of `methods` (and proxy releases). Anything else a
 * page could post by hand (junk, property reads and writes, calls of other paths) is refused with an answer on the
 * same port and reported to `onRefused`, so one broken tab cannot reach the hub's internals.
 */
export function guardPort(port: MessagePort, methods: readonly string[], onRefused: () => void): Endpoint {
  const wrapped = new Map<EventListenerOrEventListenerObject, EventListener>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer ?? []),
    start: () => port.start(),
    addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const guarded = (event: Event) => {
        const problem = checkCall((event as MessageEvent).data, methods);
        if (problem === null) {
          if (typeof listener === 'function') listener(event);
          else listener.handleEvent(event);
          return;
        }
        onRefused();
        const refusal: GuardRefusal = {
          type: 'tabmux:refused',
          message: `tabmux: the hub refused a message: ${problem}`,
        };
        port.postMessage(refusal);
      };
      wrapped.set(listener, guarded);
      port.addEventListener(type, guarded);
    },
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const guarded = wrapped.get(listener);
      if (guarded) port.removeEventListener(type, guarded);
      wrapped.delete(listener);
      // Comlink removes its listener when the tab releases its proxy, and then closes only a real MessagePort:
      // this wrapper closes the port itself, so a tab's leaving frees it in the worker.
      if (wrapped.size === 0) port.close();
    },
  };
}

function checkCall(data: unknown, methods: readonly string[]): string | null {
  if (typeof data !== 'object' || data === null) return `expected a call, got ${describe(data)}`;
  const message = data as { type?: unknown; id?: unknown; path?: unknown; argumentList?: unknown };
  if (typeof message.id !== 'string') return 'a call needs a string id';
  if (message.type === 'RELEASE') return null;
  if (message.type !== 'APPLY') return `only method calls are allowed, not ${describe(message.type)}`;
  const path = message.path;
  if (!Array.isArray(path) || path.length !== 1 || !methods.includes(path[0])) {
    return `no such method: ${describe(path)}`;
  }
  if (!Array.isArray(message.argumentList)) return 'a call needs an argument list';
  return null;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? String(value);
  } catch {
    return typeof value;
  }
}
