// What a SharedWorker shows one tab on its port: a door with `attach` and that tab's session methods, and nothing
// else. Built on Comlink's public surface only: `expose` gets this door and an endpoint that closes the port.
import { finalizer, type Endpoint } from 'comlink';

/** Called with what was wrong whenever a tab's message is refused; the host counts it and tells the tab. */
export type OnRefused = (problem: string, id?: string) => void;

/**
 * The door: a frozen object of `methods` behind a proxy that refuses every other name, and any change, with
 * `onRefused` (Comlink then answers the call with an error). `onRelease` runs when the tab releases its proxy.
 */
export function createDoor(
  methods: Readonly<Record<string, (...args: never[]) => unknown>>,
  onRefused: OnRefused,
  onRelease: () => void,
): object {
  const target = Object.freeze(
    Object.assign(Object.create(null) as object, methods, { [finalizer]: onRelease }),
  );
  const refuse = (problem: string) => {
    onRefused(problem);
    return false;
  };
  return new Proxy(target, {
    get(object, key) {
      if (typeof key === 'symbol' || Object.hasOwn(object, key)) return Reflect.get(object, key);
      onRefused(`no such method: ${JSON.stringify(key).slice(0, 80)}`);
      return undefined;
    },
    set: () => refuse("the hub's methods cannot be changed"),
    defineProperty: () => refuse("the hub's methods cannot be changed"),
    deleteProperty: () => refuse("the hub's methods cannot be changed"),
  });
}

/**
 * The port as Comlink's endpoint. A message that is not a call at all, or whose arguments Comlink cannot read (it
 * throws before it would answer), is refused with `onRefused` instead of going unanswered. When Comlink lets go of
 * the port (the tab released its proxy), the port is closed so the worker frees it.
 */
export function guardPort(port: MessagePort, onRefused: OnRefused): Endpoint {
  const wrapped = new Map<EventListenerOrEventListenerObject, EventListener>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer ?? []),
    start: () => port.start(),
    addEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const guarded = (event: Event) => {
        const data = (event as MessageEvent).data as { id?: unknown; type?: unknown } | null;
        const id = typeof data?.id === 'string' ? data.id : undefined;
        if (typeof data !== 'object' || data === null || id === undefined) {
          onRefused(`expected a call, got ${describe(data)}`);
          return;
        }
        // A tab calls methods and releases its proxy; anything else Comlink would ignore (unanswered) or act on
        // beyond this door (ENDPOINT hands out another port to the same session, unguarded).
        if (!CALLS.has(data.type)) {
          onRefused(`not a call the hub takes: ${describe(data.type)}`, id);
          return;
        }
        try {
          if (typeof listener === 'function') listener(event);
          else listener.handleEvent(event);
        } catch (error) {
          onRefused(
            `the call could not be read: ${error instanceof Error ? error.message : String(error)}`,
            id,
          );
        }
      };
      wrapped.set(listener, guarded);
      port.addEventListener(type, guarded);
    },
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject) {
      const guarded = wrapped.get(listener);
      if (guarded) port.removeEventListener(type, guarded);
      wrapped.delete(listener);
      if (wrapped.size === 0) port.close();
    },
  };
}

/** Comlink's message types a tab's proxy sends: a method call, and the release of the proxy. */
const CALLS = new Set<unknown>(['APPLY', 'RELEASE']);

function describe(value: unknown): string {
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? String(value);
  } catch {
    return typeof value;
  }
}
