// What client-connection.ts needs of a client's connection: a `ws` WebSocket, or an HTTP session standing in for one.

export interface ClientSocket {
  readonly readyState: number;
  readonly OPEN: number;
  /** Bytes sent and not yet taken by the client. */
  readonly bufferedAmount: number;
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Ends the connection without a closing handshake (a client that does not read). */
  terminate(): void;
  on(event: 'message', listener: (data: { toString(): string }, isBinary: boolean) => void): this;
  on(event: 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}
