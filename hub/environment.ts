// What the hub needs from its host. Each part defaults to the global, so tests can swap any of them.
import type { Frame } from './codec.js';
import type { FetchLike } from './http-socket.js';

/**
 * The part of the WebSocket API the hub uses. The browser's `WebSocket` and the `ws` package's both fit.
 * Handlers take `any` because the two implementations type their events differently.
 */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: Frame): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export type TimerHandle = unknown;

export interface HubEnvironment {
  readonly WebSocket: WebSocketConstructor;
  /** For the HTTP fallback when WebSockets are blocked; without it the hub has only the socket. */
  readonly fetch: FetchLike | undefined;
  /** Wall-clock milliseconds; deadlines use it because timers in throttled contexts fire late. */
  readonly now: () => number;
  readonly setTimeout: (callback: () => void, ms: number) => TimerHandle;
  readonly clearTimeout: (handle: TimerHandle) => void;
  /** Runs `callback` once the current task's synchronous work is done. */
  readonly queueMicrotask: (callback: () => void) => void;
  /** A number in [0, 1), for backoff jitter. */
  readonly random: () => number;
  readonly generateId: () => string;
}

let counter = 0;
const fallbackId = (): string =>
  `${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2)}`;

/** Fills the gaps of `partial` from the global scope, and says how to fix what is missing. */
export function resolveEnvironment(partial: Partial<HubEnvironment> = {}): HubEnvironment {
  const WebSocketImpl = partial.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof WebSocketImpl !== 'function') {
    throw new TypeError(
      "tabmux: no WebSocket implementation found. Pass one as the `WebSocket` option (in Node: `import WebSocket from 'ws'`).",
    );
  }
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
  return {
    WebSocket: WebSocketImpl,
    // Given as `undefined`, there is no fallback: a test of the socket alone needs no HTTP.
    fetch:
      'fetch' in partial
        ? partial.fetch
        : typeof globalFetch === 'function'
          ? globalFetch.bind(globalThis)
          : undefined,
    now: partial.now ?? (() => Date.now()),
    setTimeout: partial.setTimeout ?? ((callback, ms) => globalThis.setTimeout(callback, ms)),
    clearTimeout:
      partial.clearTimeout ??
      ((handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0])),
    queueMicrotask: partial.queueMicrotask ?? ((callback) => globalThis.queueMicrotask(callback)),
    random: partial.random ?? Math.random,
    generateId:
      partial.generateId ??
      (typeof crypto?.randomUUID === 'function' ? () => crypto.randomUUID!() : fallbackId),
  };
}
