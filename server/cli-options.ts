// The CLI's flags: each with its environment variable, default and example, read and checked without side effects,
// so every rule is tested in process. A flag wins over its variable.
import { parseArgs } from 'node:util';

interface Flag {
  readonly env: string;
  readonly value: string;
  readonly help: string;
  readonly default?: string;
  readonly example: string;
  /** Takes several values: the flag repeated, or the variable comma-separated. */
  readonly multiple?: true;
}

const FLAGS = {
  port: {
    env: 'TABMUX_PORT',
    value: 'N',
    default: '8787',
    example: '8787',
    help: 'port to listen on (0: any free one)',
  },
  host: {
    env: 'TABMUX_HOST',
    value: 'ADDRESS',
    default: '127.0.0.1',
    example: '0.0.0.0',
    help: 'address to listen on',
  },
  path: {
    env: 'TABMUX_PATH',
    value: 'PATH',
    default: '/',
    example: '/live',
    help: 'path of the WebSocket endpoint',
  },
  origin: {
    env: 'TABMUX_ORIGIN',
    value: 'URL|*',
    example: 'https://app.example',
    multiple: true,
    help: 'origins whose pages may connect (default: loopback pages and those of --hostname)',
  },
  hostname: {
    env: 'TABMUX_HOSTNAME',
    value: 'NAME',
    example: 'app.example',
    multiple: true,
    help: 'names this server is reached by, whose pages may connect without --origin',
  },
  redis: {
    env: 'TABMUX_REDIS',
    value: 'URL',
    example: 'redis://127.0.0.1:6379',
    help: 'share channels with a fleet through Redis (needs ioredis)',
  },
  replay: {
    env: 'TABMUX_REPLAY',
    value: 'N',
    default: '1000',
    example: '5000',
    help: 'messages kept per channel for clients that resume',
  },
  'replay-bytes': {
    env: 'TABMUX_REPLAY_BYTES',
    value: 'BYTES',
    default: '8388608',
    example: '1048576',
    help: 'bytes of messages kept per channel for clients that resume (the latest always)',
  },
  'jwt-secret': {
    env: 'TABMUX_JWT_SECRET',
    value: 'SECRET',
    example: 's3cret',
    help: 'tokens are JWTs signed with this HS256 secret (needs jose)',
  },
  'jwt-public-key': {
    env: 'TABMUX_JWT_PUBLIC_KEY',
    value: 'FILE',
    example: 'jwt.pub.pem',
    help: 'tokens are JWTs signed with RS256/ES256, checked with this PEM public key (needs jose)',
  },
  'publish-key': {
    env: 'TABMUX_PUBLISH_KEY',
    value: 'KEY',
    example: 'k3y',
    help: 'POST /publish needs `Authorization: Bearer KEY` (default: loopback only)',
  },
  'log-level': {
    env: 'TABMUX_LOG_LEVEL',
    value: 'LEVEL',
    default: 'info',
    example: 'warn',
    help: 'fatal, error, warn, info, debug, trace or silent',
  },
} as const satisfies Record<string, Flag>;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface CliOptions {
  readonly port: number;
  readonly host: string;
  readonly path: string;
  /** `undefined`: loopback pages and those of `hostnames` (the server's default). */
  readonly origins: '*' | readonly string[] | undefined;
  readonly hostnames: readonly string[];
  readonly redis: string | undefined;
  readonly replayLimit: number;
  readonly replayBytes: number;
  readonly jwtSecret: string | undefined;
  /** The path of the PEM file. */
  readonly jwtPublicKey: string | undefined;
  readonly publishKey: string | undefined;
  readonly logLevel: (typeof LEVELS)[number];
}

/** What the command line asks for: options to run with, the help to print, or a refusal (exit 2). */
export type CliRequest =
  | { readonly kind: 'run'; readonly options: CliOptions }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'refused'; readonly message: string };

export const USAGE = 'usage: tabmux-server [flags]; tabmux-server --help lists them';

export function helpText(): string {
  const rows = Object.entries(FLAGS).map(([name, flag]: [string, Flag]) => {
    const left = `  --${name} ${flag.value}`;
    const extra = [flag.default !== undefined && `default ${flag.default}`, `$${flag.env}`].filter(Boolean);
    return `${left.padEnd(32)}${flag.help} (${extra.join('; ')}; e.g. --${name} ${flag.example})`;
  });
  return [
    "tabmux-server: tabmux's protocol over WebSocket, with POST /publish, GET /stats, /metrics and /healthz",
    '',
    'usage: tabmux-server [flags]',
    '',
    ...rows,
    '  --help                          this text',
    '',
    'Every flag may also be set by its environment variable; several values are comma-separated there.',
    'example: tabmux-server --port 8787 --origin https://app.example --jwt-secret "$SECRET" --publish-key "$KEY"',
  ].join('\n');
}

export function parseCli(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): CliRequest {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        ...Object.fromEntries(
          Object.entries(FLAGS).map(([name, flag]: [string, Flag]) => [
            name,
            { type: 'string' as const, ...(flag.multiple && { multiple: true }) },
          ]),
        ),
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return refused((error as Error).message);
  }
  if (values['help']) return { kind: 'help', text: helpText() };
  const read = (name: keyof typeof FLAGS): string | undefined => {
    const flag: Flag = FLAGS[name];
    const given = values[name];
    if (typeof given === 'string') return given;
    return env[flag.env] ?? flag.default;
  };
  const list = (name: 'origin' | 'hostname'): string[] | undefined => {
    const given = values[name];
    if (Array.isArray(given)) return given;
    const fromEnv = env[FLAGS[name].env];
    return fromEnv === undefined
      ? undefined
      : fromEnv
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
  };

  const port = Number(read('port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return refused(`--port must be a whole number from 0 to 65535; got ${read('port')}`);
  const replayLimit = Number(read('replay'));
  if (!Number.isInteger(replayLimit) || replayLimit < 1)
    return refused(`--replay must be a whole number ≥ 1; got ${read('replay')}`);
  const replayBytes = Number(read('replay-bytes'));
  if (!Number.isInteger(replayBytes) || replayBytes < 1)
    return refused(`--replay-bytes must be a whole number ≥ 1; got ${read('replay-bytes')}`);
  const originList = list('origin');
  const origins = originList?.includes('*') ? '*' : originList;
  for (const origin of Array.isArray(origins) ? origins : []) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin)
      return refused(`--origin must be an origin like https://app.example (or *); got ${origin}`);
  }
  const hostnames = list('hostname') ?? [];
  for (const name of hostnames)
    if (!/^[a-z0-9.-]+$/i.test(name))
      return refused(`--hostname must be a host name like app.example; got ${name}`);
  const path = read('path')!;
  if (!path.startsWith('/')) return refused(`--path must start with /; got ${path}`);
  const redis = read('redis');
  if (redis !== undefined && !/^rediss?:\/\/[^/]/.test(redis))
    return refused(`--redis must be a URL like redis://127.0.0.1:6379; got ${redis}`);
  const jwtSecret = read('jwt-secret');
  const jwtPublicKey = read('jwt-public-key');
  if (jwtSecret !== undefined && jwtPublicKey !== undefined)
    return refused('give one of --jwt-secret (HS256) and --jwt-public-key (RS256/ES256), not both');
  if (jwtSecret === '') return refused('--jwt-secret must not be empty');
  const publishKey = read('publish-key');
  if (publishKey === '') return refused('--publish-key must not be empty');
  const logLevel = read('log-level')!;
  if (!(LEVELS as readonly string[]).includes(logLevel))
    return refused(`--log-level must be one of ${LEVELS.join(', ')}; got ${logLevel}`);
  return {
    kind: 'run',
    options: {
      port,
      host: read('host')!,
      path,
      origins,
      hostnames,
      redis,
      replayLimit,
      replayBytes,
      jwtSecret,
      jwtPublicKey,
      publishKey,
      logLevel: logLevel as CliOptions['logLevel'],
    },
  };
}

function refused(message: string): CliRequest {
  return { kind: 'refused', message: `${message}\n${USAGE}` };
}
