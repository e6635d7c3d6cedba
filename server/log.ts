// What tabmux/server says of itself: a logger of pino's shape, silent unless the app (or the CLI) gives one.

/** The part of a pino (or bunyan, or console-like) logger the server uses: a fields object, then the message. */
export interface ServerLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const silentLogger: ServerLogger = { info() {}, warn() {}, error() {} };
