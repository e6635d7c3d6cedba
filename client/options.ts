// The client's options: what each one does, its default, and the checks that refuse a bad one at createClient.
import type { RetryDelay } from '../hub/backoff.js';
import type { WebSocketConstructor } from '../hub/environment.js';
import { checkNumber, HUB_DEFAULTS, resolveHubSettings } from '../hub/hub-config.js';
import type { HubConfig, TokenProvider } from '../protocol/session-types.js';
import {
  PROTOCOL_NAMES,
  type GraphqlWsOptions,
  type ProtocolName,
  type SocketIoOptions,
} from '../protocol/protocol-spec.js';
import type { WireProtocol } from '../hub/wire-protocol.js';

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

/** The HTTP fallback's timing; see the `fallback` option. */
export interface FallbackOptions {
  /** Socket attempts in a row that must fail before the hub tries HTTP; a whole number ≥ 1. @default 3 */
  readonly after?: number;
  /** Ms between tries of the socket while on HTTP, each jittered between ⅔ and 4⁄3 of it; ≥ 1000. @default 45000 */
  readonly retrySocketEvery?: number;
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
   * A function (returning a URL or a promise of one) is called before every connection attempt, so it can move to
   * another server when one goes down; tabs passing a function share a hub by `name` alone.
   */
  readonly url: string | UrlFunction;
  /** Subprotocols offered to the server. @default [] */
  readonly protocols?: string | readonly string[];
  /**
   * Creates the SharedWorker that hosts the hub, written out so your bundler sees its URL and options:
   * `(name) => new SharedWorker(new URL('tabmux/worker', import.meta.url), { type: 'module', name, extendedLifetime: true })`.
   * Pass `name` through: tabs share a hub only when the worker's URL and its name match. `extendedLifetime` keeps the
   * hub and its socket through a reload of the last tab; a factory without it still works, without that. Tabs of one
   * worker must agree on it (a browser refuses a tab that differs), so give every tab of an app the same factory.
   * @default tabmux's own worker entry, resolved relative to this module (works with Vite and webpack)
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
  /**
   * Tabs share one hub when their `name`, their `url` (when it is a string), their built-in protocol with its options
   * and their worker script all match; a tab asking for another URL or protocol gets a hub of its own. Other options
   * (`reconnect`, `heartbeat`, …) are the first tab's. @default 'tabmux'
   */
  readonly name?: string;
  /**
   * Shows tabmux's decisions in this tab's devtools console: the hub's (prefixed `[tabmux hub]`: sockets opened and
   * closed with their codes, each backoff and its delay, tokens asked for, subscribes and resumes, gaps and resets,
   * tabs attaching and leaving, moves to and from the HTTP fallback) and this tab's own (`[tabmux tab]`). A
   * SharedWorker's own console is out of a page's sight; this brings its log to every tab that asks. Also on, without
   * a code change, when `localStorage.getItem('tabmux:debug')` is `'1'` (or `'true'`) as the client is created.
   * Off, no log line is built or posted. `client.on('log', …)` receives the same lines for apps that ship logs.
   * @default false, unless localStorage says otherwise
   */
  readonly debug?: boolean;
  /**
   * Milliseconds the hub keeps the socket open after the last tab leaves, so that closing and reopening
   * a client (a route change, a bfcache restore) does not cost a reconnect. 0 closes at once.
   * A browser stops a SharedWorker shortly after its last tab is gone, which ends the linger early.
   * @default 1000
   */
  readonly lingerMs?: number;
  /**
   * Milliseconds a channel stays subscribed at the server after the last tab of this browser leaves it, so that a
   * reload or a quick navigation costs no unsubscribe and subscribe (the returning tab gets the hub's latest message,
   * and what it missed, at once). 0 unsubscribes at once. Longer than `lingerMs` by default: a reload on a busy
   * machine can take over a second, and a channel's unsubscribe and subscribe cost the server more than a socket
   * kept open costs the browser. Set by the hub's first tab.
   * @default 3000
   */
  readonly channelLingerMs?: number;
  /**
   * Messages the hub keeps per channel, from which a tab catches up on what it missed: back from the back/forward
   * cache, or after the hub stopped posting to it because it stopped reading (a frozen page). What is older is a
   * `gap`. A whole number; 0 keeps only the latest message. Set by the hub's first tab.
   * @default 1000
   */
  readonly channelBuffer?: number;
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
   * The server's protocol. A built-in one by name, `'graphql-ws'` or `'socket.io'` (or `{ name, ...options }`, see
   * `GraphqlWsOptions` and `SocketIoOptions`), is loaded by the hub on demand, through a SharedWorker too
   * (docs/guides/backends.md). A `WireProtocol` object maps tabmux's operations to any other server's messages; it holds
   * functions, which cannot be sent to a SharedWorker, so it needs `transport: 'in-page'`; for a shared hub pass it
   * to `hostSharedWorker({ protocol })` in your worker entry. An unknown name is refused, listing the built-in ones.
   * @default 'tabmux': tabmux's JSON protocol
   */
  readonly protocol?: ProtocolOption;
  /** Backoff, connect timeout and circuit breaker; see each field. Applies to the whole hub, set by its first tab. */
  readonly reconnect?: ReconnectOptions;
  /** Pings during silence, so idle sockets are kept alive and dead ones noticed. Set by the hub's first tab. */
  readonly heartbeat?: HeartbeatOptions;
  /**
   * Where a proxy or firewall blocks WebSockets: after `after` socket attempts in a row fail before reaching the
   * server (a refused upgrade, a 1006 before open, the connect timeout), the hub moves to HTTP on the same URL: one
   * stream of server-sent events (or long polls, where something on the way holds streams back) and POSTs, still one
   * per browser. Every guarantee holds on it (order, once, resume, requests, the outbox, the heartbeat). While on
   * HTTP it tries the socket again every `retrySocketEvery` ms (jittered) and moves back once it answers, resuming
   * every channel from its sequence number. `status.transport` says which one is in use. With the fallback on, a
   * socket counts as open once the server answered a first ping, so a proxy that accepts the upgrade and passes
   * nothing is noticed. Only tabmux's own protocol has an HTTP form: graphql-ws and Socket.IO use the socket alone.
   * `false`: the socket only. Set by the hub's first tab.
   * @default 'http': `{ after: 3, retrySocketEvery: 45000 }`
   */
  readonly fallback?: false | 'http' | FallbackOptions;
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

/** A built-in protocol by name, with its options, or a protocol object of your own; see the `protocol` option. */
export type ProtocolOption =
  | ProtocolName
  | ({ readonly name: 'graphql-ws' } & GraphqlWsOptions)
  | ({ readonly name: 'socket.io' } & SocketIoOptions)
  | WireProtocol;

/** Returns the server's URL, or a promise of it; see the `url` option. */
export type UrlFunction = () => string | Promise<string>;

/** Every option after the checks, with its default applied. */
export interface ResolvedOptions {
  readonly url: string | UrlFunction;
  /** What the hub runs on (all but the URL). */
  readonly hub: Omit<HubConfig, 'url'>;
  readonly transport: TransportOption;
  readonly name: string;
  readonly probeTimeoutMs: number;
  readonly callTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly worker: ((name: string) => SharedWorker) | undefined;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly auth: TokenProvider | undefined;
  readonly protocol: WireProtocol | undefined;
  readonly retryDelay: RetryDelay | undefined;
  readonly debug: boolean;
}

const TRANSPORTS: readonly TransportOption[] = ['auto', 'shared-worker', 'in-page'];

/** The client's own defaults; the hub's are in worker/hub-config.ts. */
const DEFAULTS = {
  transport: 'auto',
  name: 'tabmux',
  probeTimeoutMs: 3000,
  callTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
} as const;

const TIMEOUTS = ['probeTimeoutMs', 'callTimeoutMs', 'requestTimeoutMs'] as const;

/** Options that must be functions, and what they should be. */
const FUNCTIONS = {
  worker: 'a function returning a SharedWorker',
  WebSocket: 'a WebSocket constructor',
  auth: 'a function returning a token or a promise of one',
} as const;

const PROTOCOL_OPERATIONS = ['subscribe', 'unsubscribe', 'publish', 'request', 'parse'] as const;

/** Checks every option and applies the defaults; throws a TypeError that names the option and what is allowed. */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      'tabmux: createClient expects an options object, e.g. createClient({ url: "wss://example.com/ws" })',
    );
  }
  const { url, transport = DEFAULTS.transport, name = DEFAULTS.name, protocol } = options;
  if (typeof url === 'string') normalizeUrl(url);
  else if (typeof url !== 'function') {
    throw new TypeError(
      'tabmux: `url` is required: a ws:// or wss:// URL, or a function returning one (or a promise of one)',
    );
  }
  if (!TRANSPORTS.includes(transport)) {
    throw new TypeError(
      `tabmux: \`transport\` must be one of ${TRANSPORTS.map((t) => `'${t}'`).join(', ')}; got ${String(transport)}`,
    );
  }
  if (typeof name !== 'string' || name === '')
    throw new TypeError('tabmux: `name` must be a non-empty string');
  for (const [option, what] of Object.entries(FUNCTIONS)) {
    const value = options[option as keyof typeof FUNCTIONS];
    if (value !== undefined && typeof value !== 'function')
      throw new TypeError(`tabmux: \`${option}\` must be ${what}`);
  }
  const timeouts = Object.fromEntries(
    TIMEOUTS.map((option) => [option, checkNumber(option, options[option] ?? DEFAULTS[option], { min: 1 })]),
  ) as Record<(typeof TIMEOUTS)[number], number>;
  // A name, or { name, ...options } without functions, is a built-in protocol the hub loads; an object is your own.
  const named =
    (protocol !== undefined && typeof protocol !== 'object') ||
    (typeof protocol === 'object' && protocol !== null && 'name' in protocol && !('parse' in protocol));
  const hub = resolveHubSettings({ ...options, protocol: named ? protocol : undefined });
  const custom = named ? undefined : (protocol as WireProtocol | undefined);
  const delay = options.reconnect?.delay;
  if (delay !== undefined && typeof delay !== 'function')
    throw new TypeError('tabmux: `reconnect.delay` must be a function (attempt) => ms');
  if (custom !== undefined) {
    const missing = PROTOCOL_OPERATIONS.filter(
      (operation) => typeof (custom as unknown as Record<string, unknown>)?.[operation] !== 'function',
    );
    if (typeof custom !== 'object' || custom === null || missing.length > 0) {
      throw new TypeError(
        `tabmux: \`protocol\` must be a built-in protocol's name (${PROTOCOL_NAMES.join(', ')}) or an object with the functions ${PROTOCOL_OPERATIONS.join(', ')}; missing: ${missing.join(', ')}`,
      );
    }
  }
  // Functions cannot be sent to a SharedWorker; each has a place in a worker entry of your own instead.
  for (const [option, value, instead] of [
    ['reconnect.delay', delay, 'retryDelay'],
    ['protocol', custom, 'protocol'],
  ] as const) {
    if (value !== undefined && transport !== 'in-page') {
      throw new TypeError(
        `tabmux: \`${option}\` is a function, which cannot be sent to a SharedWorker; use transport: 'in-page', or pass \`${instead}\` to hostSharedWorker() in your worker entry`,
      );
    }
  }
  return {
    url,
    hub,
    transport,
    name,
    ...timeouts,
    worker: options.worker,
    WebSocket: options.WebSocket,
    auth: options.auth,
    protocol: custom,
    retryDelay: delay,
    debug: debugOption(options.debug),
  };
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

// Documented defaults above must match the tables; a test reads both.
export { DEFAULTS as CLIENT_DEFAULTS, HUB_DEFAULTS };

/** The `debug` option, or the `tabmux:debug` switch in localStorage (which may be missing, or throw when blocked). */
function debugOption(given: unknown): boolean {
  if (given !== undefined) {
    if (typeof given !== 'boolean') throw new TypeError('tabmux: `debug` must be a boolean');
    return given;
  }
  try {
    const stored = (globalThis as { localStorage?: Storage }).localStorage?.getItem('tabmux:debug');
    return stored === '1' || stored === 'true';
  } catch {
    return false;
  }
}
