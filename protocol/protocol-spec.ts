// The built-in protocols by name and their options: plain data, so a tab can send them to a SharedWorker's hub.

/** The protocols tabmux carries itself; `'tabmux'` is its own (PROTOCOL.md). */
export const PROTOCOL_NAMES = ['tabmux', 'graphql-ws', 'socket.io'] as const;

export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/** Options of the `graphql-ws` protocol (the `graphql-transport-ws` subprotocol of the graphql-ws package). */
export interface GraphqlWsOptions {
  /** Sent as the payload of `connection_init`; the `auth` option's token is added under `tokenField`. @default {} */
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  /** The field of the `connection_init` payload that carries the `auth` token. @default 'token' */
  readonly tokenField?: string;
}

/** Options of the `socket.io` protocol (Socket.IO v4 over its WebSocket transport, Engine.IO 4). */
export interface SocketIoOptions {
  /** The namespace to connect to. @default '/' */
  readonly namespace?: string;
  /** The server's path, used when the `url` has none. @default '/socket.io/' */
  readonly path?: string;
  /**
   * Socket.IO rooms live on the server: when set, the first tab subscribing to a channel emits this event with the
   * channel's name (`socket.emit(join, channel)`), for the server to `socket.join(channel)`. @default none
   */
  readonly join?: string;
  /** Emitted with the channel's name when its last tab leaves. @default none */
  readonly leave?: string;
  /** Sent with the namespace connect (the server reads it as `socket.handshake.auth`); the token is added under `tokenField`. @default {} */
  readonly auth?: Readonly<Record<string, unknown>>;
  /** The field of `auth` that carries the `auth` option's token. @default 'token' */
  readonly tokenField?: string;
}

/** A built-in protocol as the hub's config carries it. */
export type ProtocolSpec =
  | { readonly name: 'graphql-ws'; readonly options: GraphqlWsOptions }
  | { readonly name: 'socket.io'; readonly options: SocketIoOptions };

/** The options each protocol takes, and what each must be. */
const OPTIONS: Record<ProtocolSpec['name'], Record<string, (value: unknown) => string | null>> = {
  'graphql-ws': { connectionParams: plainObject, tokenField: nonEmptyString },
  'socket.io': {
    namespace: path,
    path,
    join: nonEmptyString,
    leave: nonEmptyString,
    auth: plainObject,
    tokenField: nonEmptyString,
  },
};

/**
 * Turns the `protocol` option's name (or `{ name, ...options }`) into the spec a hub loads; `null` for tabmux's own.
 * Throws a TypeError naming the built-in protocols, or the option that is wrong.
 */
export function toProtocolSpec(option: unknown): ProtocolSpec | null {
  const named =
    typeof option === 'object' && option !== null ? (option as { name?: unknown }) : { name: option };
  const { name, ...options } = named;
  if (!PROTOCOL_NAMES.includes(name as ProtocolName)) {
    throw new TypeError(
      `tabmux: unknown protocol ${JSON.stringify(name)}; the built-in protocols are ${PROTOCOL_NAMES.map((n) => `'${n}'`).join(', ')} (or pass a WireProtocol object)`,
    );
  }
  if (name === 'tabmux') {
    if (Object.keys(options).length > 0)
      throw new TypeError("tabmux: the 'tabmux' protocol takes no options");
    return null;
  }
  return checkProtocolSpec({ name, options } as ProtocolSpec);
}

/** Checks a spec as a hub receives it; throws a TypeError naming what is wrong. */
export function checkProtocolSpec(spec: ProtocolSpec): ProtocolSpec {
  if (typeof spec !== 'object' || spec === null || typeof spec.options !== 'object' || spec.options === null)
    throw new TypeError('tabmux: a protocol spec must be { name, options }');
  const known = OPTIONS[spec.name];
  if (!known) throw new TypeError(`tabmux: unknown protocol ${JSON.stringify(spec.name)}`);
  for (const [option, value] of Object.entries(spec.options)) {
    const check = known[option];
    if (!check) {
      throw new TypeError(
        `tabmux: the '${spec.name}' protocol has no option \`${option}\`; its options are ${Object.keys(known).join(', ')}`,
      );
    }
    const problem = value === undefined ? null : check(value);
    if (problem)
      throw new TypeError(`tabmux: the '${spec.name}' protocol's \`${option}\` must be ${problem}`);
  }
  return spec;
}

function plainObject(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an object';
  try {
    structuredClone(value);
    return null;
  } catch {
    return 'plain data (it is sent to the SharedWorker)';
  }
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? null : 'a non-empty string';
}

function path(value: unknown): string | null {
  return typeof value === 'string' && value.startsWith('/') ? null : "a string starting with '/'";
}
