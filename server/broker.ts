// Where a server's channels live: their sequence numbers, what they keep for replay, and the fan-out of publishes.

/** One message of a channel as a broker stores it: its number, and its data as JSON text. */
export interface StoredMessage {
  readonly seq: number;
  /** The message's data, JSON-encoded once when it was published. */
  readonly data: string;
}

/** A channel's head and the messages a subscriber should get first. */
export interface History {
  /** The channel's latest sequence number, 0 if it has none. */
  readonly head: number;
  /** Oldest first. After a given number: all the broker still keeps (up to its replay limit); else the latest alone. */
  readonly messages: readonly StoredMessage[];
}

/**
 * A broker keeps, for every channel, sequence numbers that grow by one per message (on every instance that shares
 * it), a bounded log for replay, and delivers each publish to every instance that listens.
 */
export interface Broker {
  /** Appends to `channel` and resolves with the message's number; rejects when the store cannot take it. */
  publish(channel: string, data: string): Promise<number>;
  /** With `after`: the head and every kept message after it. With `null`: the head and the latest message. */
  history(channel: string, after: number | null): Promise<History>;
  /**
   * Calls `deliver` with every message published on `channel` from now on, by any instance, in order and each once.
   * Should the store lose its history (a Redis restarted without persistence), `reset` is called and numbering
   * starts again: the next message delivered is number 1. Resolves, once listening, with the function that stops.
   */
  listen(
    channel: string,
    deliver: (message: StoredMessage) => void,
    reset: () => void,
  ): Promise<() => Promise<void>>;
  /** Whether the store answers now. */
  healthy(): Promise<boolean>;
  /** How instances reach each other's HTTP fallback sessions; absent for a broker of one process. */
  readonly relay?: SessionRelay;
  close(): Promise<void>;
}

/**
 * Carries the HTTP fallback's requests to the instance that holds a session, so a fleet behind a proxy without
 * sticky sessions serves a POST or a poll that lands on another instance than the session's stream.
 */
export interface SessionRelay {
  /** Receives what is sent to `address` until the returned function is called; resolves once listening. */
  listen(address: string, receive: (message: string) => void): Promise<() => Promise<void>>;
  /** Sends `message` to whoever listens on `address`; resolves whether an instance did. */
  send(address: string, message: string): Promise<boolean>;
}
