// The close codes tabmux/server sends, named. tabmux's client retries all of them but 4401 (which asks `auth` again).

export const ServerCloseCode = {
  /** Idle past `idleTimeoutMs`. */
  GoingAway: 1001,
  /** A frame over `maxPayload` (sent by `ws` itself). */
  MessageTooBig: 1009,
  /** The server is shutting down or restarting: come back later, with jitter. */
  ServiceRestart: 1012,
  /** A missing or refused token, or none sent within `authTimeoutMs`. */
  Unauthorized: 4401,
  /** More frames than `rateLimit` allows. */
  TooManyMessages: 4429,
  /** The client did not read: more than `maxBufferedBytes` waited for it. */
  SlowConsumer: 4430,
} as const;
