import type { WebSocketConstructor } from '../worker/environment.js';

export type TransportOption = 'auto' | 'shared-worker' | 'in-page';

export interface ClientOptions {
  /**
   * The server's URL: `ws:`/`wss:` (or `http:`/`https:`, which become `ws:`/`wss:`), absolute or relative to the page.
   * A function is called each time a hub is attached, so it can return a fresh URL or a promise of one.
   */
  readonly url: string | (() => string | Promise<string>);
  /** Subprotocols offered to the server. @default [] */
  readonly protocols?: string | readonly string[];
  /**
   * Creates the SharedWorker that hosts the hub, so your bundler sees the worker's URL literally:
   * `(name) => new SharedWorker(new URL('tabmux/worker', import.meta.url), { type: 'module', name })`.
   * Pass `name` through: tabs share a hub only when both the worker's URL and its name match.
   * @default tabmux's own worker entry, resolved relative to this module (works with Vite)
   */
  readonly worker?: (name: string) => SharedWorker;
  /**
   * `'shared-worker'`: one hub per browser profile, shared by every tab.
   * `'in-page'`: a hub inside this page, one socket per tab.
   * `'auto'`: the SharedWorker when the browser has it and it answers within `probeTimeoutMs`, else in-page;
   * a hub that dies and cannot be restarted also falls back to in-page.
   * @default 'auto'
   */
  readonly transport?: TransportOption;
  /** Tabs with the same name (and worker URL) share one hub. @default 'tabmux' */
  readonly name?: string;
  /**
   * Milliseconds the hub keeps the socket open after the last tab leaves, so that closing and reopening
   * a client (a route change, a bfcache restore) does not cost a reconnect. 0 closes at once.
   * A browser stops a SharedWorker shortly after its last tab is gone, which ends the linger early.
   * @default 1000
   */
  readonly lingerMs?: number;
  /** Largest message a tab may send, in encoded bytes; larger sends are refused with `'too-large'`. @default 1048576 (1 MiB) */
  readonly maxMessageBytes?: number;
  /**
   * Milliseconds `'auto'` waits for the SharedWorker's first answer before running the hub in the page.
   * @default 3000
   */
  readonly probeTimeoutMs?: number;
  /**
   * Milliseconds a call to the hub (send, stats) may take before the hub is presumed dead and the tab re-attaches.
   * @default 5000
   */
  readonly callTimeoutMs?: number;
  /**
   * A WebSocket implementation for the in-page hub (tests, Node). A SharedWorker hub uses the worker's global
   * `WebSocket`; to change it there, write your own worker entry with `hostSharedWorker({ environment })`.
   * @default globalThis.WebSocket
   */
  readonly WebSocket?: WebSocketConstructor;
}

export type ResolvedOptions = Required<Omit<ClientOptions, 'worker' | 'WebSocket' | 'protocols'>> &
  Pick<ClientOptions, 'worker' | 'WebSocket'> & { readonly protocols: readonly string[] };

const TRANSPORTS: readonly TransportOption[] = ['auto', 'shared-worker', 'in-page'];

/** Checks every option and applies the defaults; the only place defaults live. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      'tabmux: createClient expects an options object, e.g. createClient({ url: "wss://example.com/ws" })',
    );
  }
  const {
    url,
    protocols = [],
    worker,
    transport = 'auto',
    name = 'tabmux',
    lingerMs = 1000,
    maxMessageBytes = 1024 * 1024,
    probeTimeoutMs = 3000,
    callTimeoutMs = 5000,
    WebSocket,
  } = options;
  if (typeof url === 'string') normalizeUrl(url);
  else if (typeof url !== 'function') {
    throw new TypeError(
      'tabmux: `url` is required: a ws:// or wss:// URL, or a function returning one (or a promise of one)',
    );
  }
  const protocolList = typeof protocols === 'string' ? [protocols] : protocols;
  if (!Array.isArray(protocolList) || protocolList.some((p) => typeof p !== 'string')) {
    throw new TypeError('tabmux: `protocols` must be a string or an array of strings');
  }
  if (!TRANSPORTS.includes(transport)) {
    throw new TypeError(
      `tabmux: \`transport\` must be one of ${TRANSPORTS.map((t) => `'${t}'`).join(', ')}; got ${String(transport)}`,
    );
  }
  if (typeof name !== 'string' || name === '')
    throw new TypeError('tabmux: `name` must be a non-empty string');
  if (worker !== undefined && typeof worker !== 'function') {
    throw new TypeError('tabmux: `worker` must be a function returning a SharedWorker');
  }
  if (WebSocket !== undefined && typeof WebSocket !== 'function') {
    throw new TypeError('tabmux: `WebSocket` must be a WebSocket constructor');
  }
  checkMs('lingerMs', lingerMs, 0);
  checkMs('maxMessageBytes', maxMessageBytes, 1);
  checkMs('probeTimeoutMs', probeTimeoutMs, 1);
  checkMs('callTimeoutMs', callTimeoutMs, 1);
  return {
    url,
    protocols: protocolList,
    transport,
    name,
    lingerMs,
    maxMessageBytes,
    probeTimeoutMs,
    callTimeoutMs,
    ...(worker && { worker }),
    ...(WebSocket && { WebSocket }),
  };
}

function checkMs(option: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`tabmux: \`${option}\` must be a finite number ≥ ${min}; got ${String(value)}`);
  }
}

/** An absolute ws:/wss: URL, or a TypeError that says what is wrong. Relative URLs resolve against the page. */
export function normalizeUrl(url: string): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new TypeError(
      `tabmux: \`url\` is not a valid URL: ${JSON.stringify(url)}; expected e.g. "wss://example.com/ws"`,
    );
  }
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new TypeError(`tabmux: \`url\` must use ws: or wss: (or http:/https:); got ${JSON.stringify(url)}`);
  }
  if (parsed.hash)
    throw new TypeError(`tabmux: a WebSocket \`url\` cannot have a #fragment; got ${JSON.stringify(url)}`);
  return parsed.href;
}
