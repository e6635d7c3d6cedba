// Who may do what: the `authorize` hook's shape, and the channel patterns of the CLI's tokens.
import type { ClientInfo } from './types.js';

/** What a client asks to do, as `authorize` sees it. */
export interface AccessRequest {
  /** `subscribe` also stands for `resume`: both start delivering a channel. */
  readonly action: 'subscribe' | 'resume' | 'publish' | 'request';
  /** The channel; `null` for a request, which names none. */
  readonly channel: string | null;
  /** What `authenticate` returned for this client (`null` without `authenticate`). */
  readonly identity: unknown;
  readonly client: ClientInfo;
}

/** Allows (`true`) or refuses (`false`, or a throw) one request; sync or async. */
export type Authorize = (request: AccessRequest) => boolean | Promise<boolean>;

/**
 * Whether one of `patterns` names `channel`: a pattern is a channel name, or a prefix followed by `*` (`user:u1:*`
 * names `user:u1:orders`; `*` alone names every channel).
 */
export function channelAllowed(patterns: readonly string[], channel: string): boolean {
  return patterns.some((pattern) =>
    pattern.endsWith('*') ? channel.startsWith(pattern.slice(0, -1)) : channel === pattern,
  );
}

/** Asks `authorize`; a throw refuses like `false`, and says why. */
export async function ask(authorize: Authorize, request: AccessRequest): Promise<string | null> {
  try {
    return (await authorize(request)) === true ? null : 'not allowed';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
