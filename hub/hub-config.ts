// The hub's settings: their defaults and their rules, in one table that the client's options and the hub's own
// check of an attaching tab both use, so a hub never runs on settings the client would have refused.
import { checkProtocolSpec, toProtocolSpec, type ProtocolSpec } from '../protocol/protocol-spec.js';
import type {
  FallbackSettings,
  HeartbeatSettings,
  HubConfig,
  OutboxSettings,
  ReconnectSettings,
} from '../protocol/session-types.js';

export const HUB_DEFAULTS = {
  protocol: null,
  protocols: [] as readonly string[],
  lingerMs: 1000,
  /**
   * Longer than a reload on a loaded machine: at 1 s, 2 of 10 storms of 20 quick reloads cost an unsubscribe and a
   * subscribe at the server; at 3 s, none.
   */
  channelLingerMs: 3000,
  channelBuffer: 1000,
  maxMessageBytes: 1024 * 1024,
  outbox: { maxMessages: 1000, maxBytes: 1024 * 1024 },
  reconnect: {
    initialDelay: 1000,
    factor: 2,
    maxDelay: 30_000,
    maxAttempts: Infinity,
    stableAfter: 5000,
    connectTimeout: 10_000,
    suspendAfter: 120_000,
    suspendedRetryDelay: 30_000,
  },
  heartbeat: { interval: 30_000, timeout: 5000, ping: { type: 'ping' }, pong: { type: 'pong' } },
  fallback: { after: 3, retrySocketEvery: 45_000 },
} as const satisfies Omit<HubConfig, 'url'>;

interface NumberRule {
  readonly min: number;
  /** A whole number (or `Infinity` when `infinite`). */
  readonly whole?: boolean;
  readonly infinite?: boolean;
}

const RULES = {
  lingerMs: { min: 0 },
  channelLingerMs: { min: 0 },
  channelBuffer: { min: 0, whole: true },
  maxMessageBytes: { min: 1 },
  outbox: {
    maxMessages: { min: 0, whole: true },
    maxBytes: { min: 0 },
  },
  reconnect: {
    initialDelay: { min: 0 },
    factor: { min: 1 },
    maxDelay: { min: 0 },
    maxAttempts: { min: 0, whole: true, infinite: true },
    stableAfter: { min: 0 },
    connectTimeout: { min: 1 },
    suspendAfter: { min: 0 },
    suspendedRetryDelay: { min: 0 },
  },
  heartbeat: { interval: { min: 0 }, timeout: { min: 1 } },
  fallback: { after: { min: 1, whole: true }, retrySocketEvery: { min: 1000 } },
} as const satisfies {
  lingerMs: NumberRule;
  channelLingerMs: NumberRule;
  channelBuffer: NumberRule;
  maxMessageBytes: NumberRule;
  outbox: Record<keyof OutboxSettings, NumberRule>;
  reconnect: Record<keyof ReconnectSettings, NumberRule>;
  heartbeat: Record<'interval' | 'timeout', NumberRule>;
  fallback: Record<keyof FallbackSettings, NumberRule>;
};

/** Throws a TypeError naming `path` unless `value` follows `rule`. */
export function checkNumber(path: string, value: unknown, rule: NumberRule): number {
  const ok =
    typeof value === 'number' &&
    value >= rule.min &&
    (Number.isFinite(value) ? !rule.whole || Number.isInteger(value) : value === Infinity && !!rule.infinite);
  if (!ok) {
    const kind = rule.whole ? 'a whole number' : 'a finite number';
    throw new TypeError(
      `tabmux: \`${path}\` must be ${kind} ≥ ${rule.min}${rule.infinite ? ' or Infinity' : ''}; got ${String(value)}`,
    );
  }
  return value as number;
}

/** The hub's settings as a client passes them: any part may be left out for its default. */
export interface HubSettingsInput {
  /** A built-in protocol's name, or `{ name, ...options }` (a custom protocol object is not the hub config's). */
  readonly protocol?: unknown;
  readonly protocols?: string | readonly string[] | undefined;
  readonly lingerMs?: number | undefined;
  readonly channelLingerMs?: number | undefined;
  readonly channelBuffer?: number | undefined;
  readonly maxMessageBytes?: number | undefined;
  readonly outbox?: Partial<OutboxSettings> | undefined;
  readonly reconnect?: Partial<ReconnectSettings> | undefined;
  readonly heartbeat?: Partial<HeartbeatSettings> | undefined;
  readonly fallback?: false | 'http' | Partial<FallbackSettings> | undefined;
}

/** Applies the defaults and the rules; throws a TypeError that names the option and what is allowed. */
export function resolveHubSettings(input: HubSettingsInput): Omit<HubConfig, 'url'> {
  const outbox = group('outbox', input.outbox);
  const reconnect = group('reconnect', input.reconnect);
  const heartbeat = group('heartbeat', input.heartbeat);
  const protocols = input.protocols ?? HUB_DEFAULTS.protocols;
  const protocolList = typeof protocols === 'string' ? [protocols] : protocols;
  if (!Array.isArray(protocolList) || protocolList.some((p) => typeof p !== 'string'))
    throw new TypeError('tabmux: `protocols` must be a string or an array of strings');
  const numbers = <G extends 'outbox' | 'reconnect' | 'fallback'>(name: G, given: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(RULES[name]).map(([key, rule]) => [
        key,
        checkNumber(
          `${name}.${key}`,
          given[key] ?? (HUB_DEFAULTS[name] as Record<string, number>)[key],
          rule,
        ),
      ]),
    );
  const interval = checkNumber(
    'heartbeat.interval',
    heartbeat['interval'] ?? HUB_DEFAULTS.heartbeat.interval,
    RULES.heartbeat.interval,
  );
  const timeout = checkNumber(
    'heartbeat.timeout',
    heartbeat['timeout'] ?? HUB_DEFAULTS.heartbeat.timeout,
    RULES.heartbeat.timeout,
  );
  if (interval > 0 && timeout >= interval)
    throw new TypeError(
      `tabmux: \`heartbeat.timeout\` (${timeout}) must be less than \`heartbeat.interval\` (${interval})`,
    );
  const pong = heartbeat['pong'] ?? HUB_DEFAULTS.heartbeat.pong;
  if (typeof pong !== 'object' || pong === null || Object.keys(pong).length === 0)
    throw new TypeError(
      'tabmux: `heartbeat.pong` must be an object of the fields a pong has, e.g. { type: "pong" }',
    );
  const lingerMs = checkNumber('lingerMs', input.lingerMs ?? HUB_DEFAULTS.lingerMs, RULES.lingerMs);
  return {
    protocol: input.protocol === undefined ? null : toProtocolSpec(input.protocol),
    protocols: protocolList,
    lingerMs,
    channelLingerMs: checkNumber(
      'channelLingerMs',
      input.channelLingerMs ?? HUB_DEFAULTS.channelLingerMs,
      RULES.channelLingerMs,
    ),
    channelBuffer: checkNumber(
      'channelBuffer',
      input.channelBuffer ?? HUB_DEFAULTS.channelBuffer,
      RULES.channelBuffer,
    ),
    maxMessageBytes: checkNumber(
      'maxMessageBytes',
      input.maxMessageBytes ?? HUB_DEFAULTS.maxMessageBytes,
      RULES.maxMessageBytes,
    ),
    outbox: numbers('outbox', outbox) as unknown as OutboxSettings,
    reconnect: numbers('reconnect', reconnect) as unknown as ReconnectSettings,
    fallback: resolveFallback(input.fallback, (given) => numbers('fallback', given)),
    heartbeat: {
      interval,
      timeout,
      ping: heartbeat['ping'] ?? HUB_DEFAULTS.heartbeat.ping,
      pong: pong as Readonly<Record<string, unknown>>,
    },
  };
}

function resolveFallback(
  input: HubSettingsInput['fallback'],
  numbers: (given: Record<string, unknown>) => Record<string, number>,
): FallbackSettings | null {
  if (input === false || input === null) return null;
  if (input === undefined || input === 'http') return HUB_DEFAULTS.fallback;
  return numbers(group('fallback', input)) as unknown as FallbackSettings;
}

/**
 * The hub's own check of a configuration a tab sent: every setting must be there and follow the client's rules, so a
 * page posting to the hub by hand cannot make it run on `heartbeat: {}` or `maxMessageBytes: NaN`.
 */
export function checkHubConfig(value: unknown): HubConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError('tabmux: a hub configuration must be an object');
  const config = value as Record<string, unknown>;
  const url = config['url'];
  if (url !== null && !(typeof url === 'string' && /^wss?:\/\/[^/]/.test(url) && URL.canParse(url)))
    throw new TypeError(
      `tabmux: \`url\` must be an absolute ws: or wss: URL or null; got ${JSON.stringify(url)}`,
    );
  if (!Array.isArray(config['protocols']))
    throw new TypeError('tabmux: `protocols` must be an array of strings');
  for (const [name, rules] of [
    ['outbox', RULES.outbox],
    ['reconnect', RULES.reconnect],
    ['heartbeat', RULES.heartbeat],
  ] as const) {
    const settings = group(name, config[name] ?? null);
    // Present and valid: unlike a client's options, nothing here falls back to a default.
    for (const [key, rule] of Object.entries(rules)) checkNumber(`${name}.${key}`, settings[key], rule);
  }
  const fallback = config['fallback'];
  if (fallback !== null)
    for (const [key, rule] of Object.entries(RULES.fallback))
      checkNumber(`fallback.${key}`, group('fallback', fallback ?? null)[key], rule);
  for (const key of ['lingerMs', 'channelLingerMs', 'channelBuffer', 'maxMessageBytes'] as const)
    checkNumber(key, config[key], RULES[key]);
  if ((config['heartbeat'] as Record<string, unknown>)['ping'] === undefined)
    throw new TypeError('tabmux: `heartbeat.ping` is required');
  const protocol = config['protocol'];
  if (protocol === undefined) throw new TypeError("tabmux: `protocol` is required (null for tabmux's own)");
  const settings = resolveHubSettings({ ...(config as HubSettingsInput), protocol: undefined });
  return {
    url: url as string | null,
    ...settings,
    protocol: protocol === null ? null : checkProtocolSpec(protocol as ProtocolSpec),
  };
}

function group(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null)
    throw new TypeError(`tabmux: \`${name}\` must be an object`);
  return value as Record<string, unknown>;
}
