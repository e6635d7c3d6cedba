import type { RetryDelay } from '../worker/backoff.js';
import type { WebSocketConstructor } from '../worker/environment.js';
import type {
  HeartbeatSettings,
  OutboxSettings,
  ReconnectSettings,
  TokenProvider,
} from '../worker/protocol.js';
import type { WireProtocol } from '../worker/wire-protocol.js';

export type TransportOption = 'auto' | 'shared-worker' | 'in-page';

export interface ReconnectOptions {
  /** Upper bound of the first retry's delay in ms (full jitter picks uniformly below the bound). @default 1000 */
  readonly initialDelay?: number;
  /** The bound grows by this factor each retry; at least 1. @default 2 */
  readonly factor?: number;
  /** The bound never grows past this many ms; the jitter still spans [0, maxDelay). @default 30000 */
  readonly maxDelay?: number;
  /** Retries of one outage before the hub gives up with status `failed`; `Infinity` never gives up. @default Infinity */
  readonly maxAttempts?: number;
  /** Ms a connection must stay open before the backoff starts again from `initialDelay`. @default 5000 */
  readonly stableAfter?: number;
  /** An attempt that has not opened (and, with `auth`, been accepted) after this many ms is abandoned. @default 10000 */
  readonly connectTimeout?: number;
  /** After this many ms of failed attempts the hub is `suspended` and retries on the slow cadence. @default 120000 */
  readonly suspendAfter?: number;
  /** Mean delay between attempts while suspended (picked in [½, 1] of it, so clients do not retry in step). @default 30000 */
  readonly suspendedRetryDelay?: number;
  /**
   * Replaces the backoff: ms before retry number `attempt` (from 0). Functions cannot be sent to a SharedWorker, so this
   * needs `transport: 'in-page'`; for a shared hub pass `retryDelay` to `hostSharedWorker` in your worker entry.
   */
  readonly delay?: RetryDelay;
}

export interface HeartbeatOptions {
  /** Ms of silence from the server before the hub sends a ping; 0 turns the heartbeat off. @default 30000 */
  readonly interval?: number;
  /** Ms to wait for a pong (or any message) after a ping before closing and reconnecting; less than `interval`. @default 5000 */
  readonly timeout?: number;
  /** The ping, encoded by the codec. @default { type: 'ping' } */
  readonly ping?: unknown;
  /** A message whose fields equal all of these is a pong; pongs are not passed to the tabs. @default { type: 'pong' } */
  readonly pong?: Readonly<Record<string, unknown>>;
}

export interface OutboxOptions {
  /** Messages that may wait while the socket is down; past it a send is refused (`'outbox-full'`). 0 queues nothing. @default 1000 */
  readonly maxMessages?: number;
  /** Encoded bytes that may wait while the socket is down. @default 1048576 (1 MiB) */
  readonly maxBytes?: number;
}

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
   * What `send`, `publish` and `request` may leave waiting in the hub while the socket is down; it goes out in
   * order, before anything newer, when the socket opens. Set by the hub's first tab.
   */
  readonly outbox?: OutboxOptions;
  /** Ms a `request` waits for its reply unless the call says otherwise. @default 10000 */
  readonly requestTimeoutMs?: number;
  /**
   * Maps tabmux's operations to another server's messages (README.md, "Wire protocol"). It holds functions, which
   * cannot be sent to a SharedWorker, so it needs `transport: 'in-page'`; for a shared hub pass it to
   * `hostSharedWorker({ protocol })` in your worker entry.
   * @default tabmux's JSON protocol
   */
  readonly protocol?: WireProtocol;
  /** Backoff, connect timeout and circuit breaker; see each field. Applies to the whole hub, set by its first tab. */
  readonly reconnect?: ReconnectOptions;
  /** Pings during silence, so idle sockets are kept alive and dead ones noticed. Set by the hub's first tab. */
  readonly heartbeat?: HeartbeatOptions;
  /**
   * Returns a token (or a promise of one) for the server. The hub calls it before every connection attempt, so an
   * expiring token is refreshed, and sends `{"type":"auth","token":…}` as the first frame; the status turns `open`
   * when the server answers `{"type":"auth-ok"}`. A close with 4401, 4403 or 1008 is retried once at once with a
   * fresh token; a second refusal ends in `unauthorized`. The token never goes into the URL, which ends up in logs.
   * @default none: no auth message is sent
   */
  readonly auth?: TokenProvider;
  /**
   * A WebSocket implementation for the in-page hub (tests, Node). A SharedWorker hub uses the worker's global
   * `WebSocket`; to change it there, write your own worker entry with `hostSharedWorker({ environment })`.
   * @default globalThis.WebSocket
   */
  readonly WebSocket?: WebSocketConstructor;
}

export type ResolvedOptions = Required<
  Omit<
    ClientOptions,
    'worker' | 'WebSocket' | 'protocols' | 'auth' | 'reconnect' | 'heartbeat' | 'outbox' | 'protocol'
  >
> &
  Pick<ClientOptions, 'worker' | 'WebSocket' | 'auth' | 'protocol'> & {
    readonly outbox: OutboxSettings;
    readonly protocols: readonly string[];
    readonly reconnect: ReconnectSettings;
    readonly retryDelay: RetryDelay | undefined;
    readonly heartbeat: HeartbeatSettings;
  };

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
    auth,
    requestTimeoutMs = 10_000,
    protocol,
  } = options;
  const { maxMessages = 1000, maxBytes = 1024 * 1024 } = checkObject('outbox', options.outbox);
  const {
    initialDelay = 1000,
    factor = 2,
    maxDelay = 30_000,
    maxAttempts = Infinity,
    stableAfter = 5000,
    connectTimeout = 10_000,
    suspendAfter = 120_000,
    suspendedRetryDelay = 30_000,
    delay,
  } = checkObject('reconnect', options.reconnect);
  const {
    interval = 30_000,
    timeout = 5000,
    ping = { type: 'ping' },
    pong = { type: 'pong' },
  } = checkObject('heartbeat', options.heartbeat);
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
  if (auth !== undefined && typeof auth !== 'function') {
    throw new TypeError('tabmux: `auth` must be a function returning a token or a promise of one');
  }
  checkMs('reconnect.initialDelay', initialDelay, 0);
  checkMs('reconnect.factor', factor, 1);
  checkMs('reconnect.maxDelay', maxDelay, 0);
  checkMs('reconnect.stableAfter', stableAfter, 0);
  checkMs('reconnect.connectTimeout', connectTimeout, 1);
  checkMs('reconnect.suspendAfter', suspendAfter, 0);
  checkMs('reconnect.suspendedRetryDelay', suspendedRetryDelay, 0);
  if (
    typeof maxAttempts !== 'number' ||
    !(Number.isInteger(maxAttempts) || maxAttempts === Infinity) ||
    maxAttempts < 0
  ) {
    throw new TypeError(
      `tabmux: \`reconnect.maxAttempts\` must be a whole number ≥ 0 or Infinity; got ${String(maxAttempts)}`,
    );
  }
  if (delay !== undefined) {
    if (typeof delay !== 'function')
      throw new TypeError('tabmux: `reconnect.delay` must be a function (attempt) => ms');
    if (transport !== 'in-page') {
      throw new TypeError(
        "tabmux: `reconnect.delay` is a function, which cannot be sent to a SharedWorker; use transport: 'in-page', or pass `retryDelay` to hostSharedWorker() in your worker entry",
      );
    }
  }
  checkMs('heartbeat.interval', interval, 0);
  checkMs('heartbeat.timeout', timeout, 1);
  if (interval > 0 && timeout >= interval) {
    throw new TypeError(
      `tabmux: \`heartbeat.timeout\` (${timeout}) must be less than \`heartbeat.interval\` (${interval})`,
    );
  }
  if (typeof pong !== 'object' || pong === null || Object.keys(pong).length === 0) {
    throw new TypeError(
      'tabmux: `heartbeat.pong` must be an object of the fields a pong has, e.g. { type: "pong" }',
    );
  }
  checkMs('outbox.maxMessages', maxMessages, 0);
  checkMs('outbox.maxBytes', maxBytes, 0);
  checkMs('requestTimeoutMs', requestTimeoutMs, 1);
  if (protocol !== undefined) {
    const operations = ['auth', 'subscribe', 'unsubscribe', 'publish', 'request', 'parse'] as const;
    const missing = operations.filter(
      (name) => typeof (protocol as unknown as Record<string, unknown>)[name] !== 'function',
    );
    if (typeof protocol !== 'object' || protocol === null || missing.length > 0) {
      throw new TypeError(
        `tabmux: \`protocol\` must have the functions ${operations.join(', ')}; missing: ${missing.join(', ')}`,
      );
    }
    if (transport !== 'in-page') {
      throw new TypeError(
        "tabmux: `protocol` holds functions, which cannot be sent to a SharedWorker; use transport: 'in-page', or pass it to hostSharedWorker({ protocol }) in your worker entry",
      );
    }
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
    reconnect: {
      initialDelay,
      factor,
      maxDelay,
      maxAttempts,
      stableAfter,
      connectTimeout,
      suspendAfter,
      suspendedRetryDelay,
    },
    retryDelay: delay,
    outbox: { maxMessages, maxBytes },
    requestTimeoutMs,
    ...(protocol && { protocol }),
    heartbeat: { interval, timeout, ping, pong },
    ...(worker && { worker }),
    ...(WebSocket && { WebSocket }),
    ...(auth && { auth }),
  };
}

function checkObject<T extends object>(option: string, value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null)
    throw new TypeError(`tabmux: \`${option}\` must be an object`);
  return value;
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
