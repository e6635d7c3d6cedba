// tabmux/server's options after their checks, with every default applied in one place.
import type { IncomingMessage } from 'node:http';
import type { Broker } from './broker.js';
import { memoryBroker } from './memory-broker.js';
import { silentLogger, type ServerLogger } from './log.js';
import type { ClientInfo, ServerOptions } from './types.js';

export interface ResolvedServerOptions {
  readonly path: string;
  readonly broker: Broker;
  /** Whether the server made the broker (and so closes it). */
  readonly ownsBroker: boolean;
  readonly authenticate: ((token: string, request: IncomingMessage) => unknown) | undefined;
  readonly onRequest: (data: unknown, client: ClientInfo) => unknown;
  readonly onPublish: ServerOptions['onPublish'];
  readonly authorize: ServerOptions['authorize'];
  /** `local`: loopback pages, and pages of `hostnames`. */
  readonly origins: '*' | readonly string[] | 'local';
  readonly hostnames: readonly string[];
  readonly logger: ServerLogger;
  readonly maxPayload: number;
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  readonly maxChannelsPerConnection: number;
  readonly maxChannelLength: number;
  readonly maxBufferedBytes: number;
  readonly maxTotalBufferedBytes: number;
  readonly authTimeoutMs: number;
  readonly idleTimeoutMs: number;
}

const NUMBERS = {
  maxPayload: { default: 1024 * 1024, min: 1 },
  maxChannelsPerConnection: { default: 1000, min: 1 },
  maxChannelLength: { default: 1024, min: 1 },
  maxBufferedBytes: { default: 16 * 1024 * 1024, min: 1 },
  maxTotalBufferedBytes: { default: 128 * 1024 * 1024, min: 1 },
  authTimeoutMs: { default: 10_000, min: 1 },
  idleTimeoutMs: { default: 300_000, min: 0 },
} as const;

const RATE_LIMIT = { perSecond: 1000, burst: 2000 } as const;

/** Checks the options and applies the defaults; throws a TypeError naming the option and what is allowed. */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('tabmux/server: expects an options object, e.g. { server: httpServer }');
  if (!options.server === !options.wss)
    throw new TypeError('tabmux/server: give one of `server` (an HTTP server) or `wss` (a WebSocketServer)');
  const numbers = Object.fromEntries(
    Object.entries(NUMBERS).map(([name, rule]) => {
      const value = options[name as keyof typeof NUMBERS] ?? rule.default;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < rule.min)
        throw new TypeError(
          `tabmux/server: \`${name}\` must be a finite number ≥ ${rule.min}; got ${String(value)}`,
        );
      return [name, value];
    }),
  ) as Record<keyof typeof NUMBERS, number>;
  const rateLimit = options.rateLimit ?? RATE_LIMIT;
  if (!(rateLimit.perSecond > 0 && rateLimit.burst >= 1))
    throw new TypeError('tabmux/server: `rateLimit` must be { perSecond > 0, burst ≥ 1 }');
  const origins = options.origins ?? 'local';
  if (
    origins !== '*' &&
    origins !== 'local' &&
    !(Array.isArray(origins) && origins.every((o) => typeof o === 'string'))
  )
    throw new TypeError(
      "tabmux/server: `origins` must be '*' or an array of origins like 'https://app.example'",
    );
  const hostnames = options.hostnames ?? [];
  if (!Array.isArray(hostnames) || !hostnames.every((name) => typeof name === 'string' && name !== ''))
    throw new TypeError("tabmux/server: `hostnames` must be an array of host names like 'app.example'");
  for (const hook of ['authenticate', 'authorize', 'onRequest', 'onPublish'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function')
      throw new TypeError(`tabmux/server: \`${hook}\` must be a function`);
  }
  return {
    path: options.path ?? '/',
    broker: options.broker ?? memoryBroker(),
    ownsBroker: options.broker === undefined,
    authenticate: options.authenticate,
    onRequest:
      options.onRequest ??
      (() => {
        throw new Error('this server answers no requests (no onRequest handler)');
      }),
    onPublish: options.onPublish,
    authorize: options.authorize,
    origins,
    hostnames: hostnames.map((name) => name.toLowerCase()),
    logger: options.logger ?? silentLogger,
    rateLimit,
    ...numbers,
  };
}
