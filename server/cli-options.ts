// The CLI's flags, read and checked without side effects, so every rule is tested in process.
import { parseArgs } from 'node:util';

export const USAGE =
  'usage: tabmux-server [--port 8787] [--host 127.0.0.1] [--redis redis://host:6379] [--origin URL|*]… [--replay 1000] [--path /]';

export interface CliOptions {
  readonly port: number;
  readonly host: string;
  readonly redis: string | undefined;
  /** `undefined`: same-origin only (the server's default). */
  readonly origins: '*' | readonly string[] | undefined;
  readonly replayLimit: number;
  readonly path: string;
}

/** What the command line asks for: options to run with, the usage to print, or a refusal (exit 2). */
export type CliRequest =
  | { readonly kind: 'run'; readonly options: CliOptions }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'refused'; readonly message: string };

export function parseCli(args: readonly string[]): CliRequest {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        port: { type: 'string', default: '8787' },
        host: { type: 'string', default: '127.0.0.1' },
        redis: { type: 'string' },
        origin: { type: 'string', multiple: true },
        replay: { type: 'string', default: '1000' },
        path: { type: 'string', default: '/' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return refused((error as Error).message);
  }
  if (values.help) return { kind: 'help', text: USAGE };
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return refused(`--port must be a whole number from 0 to 65535; got ${values.port}`);
  const replayLimit = Number(values.replay);
  if (!Number.isInteger(replayLimit) || replayLimit < 1)
    return refused(`--replay must be a whole number ≥ 1; got ${values.replay}`);
  const origins = values.origin?.includes('*') ? '*' : values.origin;
  for (const origin of Array.isArray(origins) ? origins : []) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin)
      return refused(`--origin must be an origin like https://app.example (or *); got ${origin}`);
  }
  if (!values.path.startsWith('/')) return refused(`--path must start with /; got ${values.path}`);
  if (values.redis !== undefined && !/^rediss?:\/\/[^/]/.test(values.redis))
    return refused(`--redis must be a URL like redis://127.0.0.1:6379; got ${values.redis}`);
  return {
    kind: 'run',
    options: { port, host: values.host, redis: values.redis, origins, replayLimit, path: values.path },
  };
}

function refused(message: string): CliRequest {
  return { kind: 'refused', message: `${message}\n${USAGE}` };
}
