// The close codes of tabmux, hub and server alike, and the one function that decides which are retried.

/**
 * WebSocket close codes tabmux acts on (RFC 6455 §7.4 and the 4xxx range servers use for auth and limits). A browser
 * sends only 1000 and 3000–4999, so the hub closes with `Normal` or its own 44xx codes; the others are what servers
 * send. tabmux/server sends `GoingAway` (idle), `MessageTooBig`, `ServiceRestart` (shutdown), `Unauthorized`,
 * `TooManyMessages` and `SlowConsumer`.
 */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  NoStatus: 1005,
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  MandatoryExtension: 1010,
  InternalError: 1011,
  ServiceRestart: 1012,
  TryAgainLater: 1013,
  BadGateway: 1014,
  TlsHandshake: 1015,
  Unauthorized: 4401,
  Forbidden: 4403,
  /** tabmux/server: more frames than its `rateLimit` allows. Retried, with backoff. */
  TooManyMessages: 4429,
  /** tabmux/server: the client did not read, and more than `maxBufferedBytes` waited for it. Retried. */
  SlowConsumer: 4430,
  /** Sent by the hub itself when the server stopped answering heartbeats. */
  HeartbeatTimeout: 4408,
} as const;

/** What to do after a close: try again, fetch fresh credentials first, or stop. */
export type CloseClass = 'retry' | 'auth' | 'fatal';

/**
 * The one place that decides which closes are retried.
 * A close that says the client itself is broken (protocol, payload, extension, TLS) would fail the same
 * way again, so it is fatal; auth and policy closes need new credentials; anything else may pass.
 */
export function classifyClose(code: number): CloseClass {
  switch (code) {
    case CloseCode.Unauthorized:
    case CloseCode.Forbidden:
    case CloseCode.PolicyViolation:
      return 'auth';
    case CloseCode.ProtocolError:
    case CloseCode.UnsupportedData:
    case CloseCode.InvalidPayload:
    case CloseCode.MandatoryExtension:
    case CloseCode.TlsHandshake:
      return 'fatal';
    default:
      return 'retry';
  }
}
