// Tokens as JWTs, for the CLI (or any app): the signature and `exp` checked by `jose`, the claims turned into an
// identity and the channel rules that `authorize` applies.
import type { IncomingMessage } from 'node:http';
import { channelAllowed, type Authorize } from './access.js';

/** Who a verified token says the client is, and what it may do. */
export interface JwtIdentity {
  /** The `sub` claim. */
  readonly sub: string | null;
  /** Patterns of the channels the holder may subscribe to (`channels` claim); none when absent. */
  readonly channels: readonly string[];
  /** Patterns of the channels the holder may publish to (`publish` claim); none when absent. */
  readonly publish: readonly string[];
  /** When the token expires, in ms since the epoch (`exp` claim); `null` when it never does. */
  readonly expiresAt: number | null;
}

export interface JwtOptions {
  /** A shared secret: tokens signed with HS256. */
  readonly secret?: string;
  /** A public key in PEM (SPKI): tokens signed with RS256 or ES256. */
  readonly publicKey?: string;
}

type Jose = typeof import('jose');

/**
 * `authenticate` and `authorize` for `createTabmuxServer`, from JWTs. A token with a bad signature, another
 * algorithm, a past `exp` or malformed claims is refused (the client is closed with 4401, saying why). Subscribes
 * and resumes need a `channels` pattern, publishes a `publish` pattern; requests name no channel and are left to
 * `onRequest`. The server closes a socket with 4401 when its token expires, unless the client sent a fresh one.
 */
export async function jwtAccess(options: JwtOptions): Promise<{
  authenticate: (token: string, request: IncomingMessage) => Promise<JwtIdentity>;
  authorize: Authorize;
}> {
  if (!options.secret === !options.publicKey)
    throw new TypeError(
      'tabmux/server: jwtAccess takes one of `secret` (HS256) or `publicKey` (RS256/ES256)',
    );
  let jose: Jose;
  try {
    jose = await import('jose');
  } catch {
    throw new Error('tabmux/server: JWT checks need the `jose` package: npm install jose');
  }
  const key = options.secret
    ? new TextEncoder().encode(options.secret)
    : await publicKey(jose, options.publicKey!);
  const algorithms = options.secret ? ['HS256'] : ['RS256', 'ES256'];

  return {
    async authenticate(token) {
      let payload: import('jose').JWTPayload;
      try {
        ({ payload } = await jose.jwtVerify(token, key, { algorithms }));
      } catch (error) {
        throw new Error(`invalid token: ${describe(error)}`);
      }
      return {
        sub: typeof payload.sub === 'string' ? payload.sub : null,
        channels: patterns(payload['channels'], 'channels'),
        publish: patterns(payload['publish'], 'publish'),
        expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
      };
    },
    authorize({ action, channel, identity }) {
      const claims = identity as JwtIdentity;
      if (channel === null) return true;
      return channelAllowed(action === 'publish' ? claims.publish : claims.channels, channel);
    },
  };
}

async function publicKey(jose: Jose, pem: string) {
  for (const algorithm of ['RS256', 'ES256']) {
    try {
      return await jose.importSPKI(pem, algorithm);
    } catch {
      // Try the next algorithm: the PEM does not say which it is for.
    }
  }
  throw new TypeError(
    'tabmux/server: the JWT public key is not an RSA or EC (P-256) public key in PEM (SPKI)',
  );
}

function patterns(value: unknown, claim: string): readonly string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new Error(`invalid token: the \`${claim}\` claim must be an array of channel patterns`);
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_JWT_EXPIRED') return 'it has expired';
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'the signature does not match';
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED')
    return 'it is signed with an algorithm this server does not accept';
  return error instanceof Error ? error.message : String(error);
}
