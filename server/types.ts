// What an app sees of tabmux/server: its options, its numbers, and what it knows of a client. Types only.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { WebSocketServer } from 'ws';
import type { Broker } from './broker.js';

/** One connected client (a browser's hub, usually), as the app's hooks see it. */
export interface ClientInfo {
  /** Unique within this server process. */
  readonly id: string;
  /** What `authenticate` returned for this client; `null` without `authenticate`. */
  readonly identity: unknown;
  /** The HTTP request that opened the socket (headers, address). */
  readonly request: IncomingMessage;
}

export interface ServerOptions {
  /**
   * An HTTP or HTTPS server whose upgrade requests (to `path`) become tabmux sockets. Give this or `wss`.
   * Other upgrade paths are left to other listeners.
   */
  readonly server?: HttpServer | HttpsServer;
  /** A `WebSocketServer` of yours whose `connection` events tabmux serves (the Origin check is then yours). */
  readonly wss?: WebSocketServer;
  /** With `server`: the path upgrades must ask for. @default '/' */
  readonly path?: string;
  /** Where channels live: this process (the default) or a fleet sharing Redis (`redisBroker`). @default memoryBroker() */
  readonly broker?: Broker;
  /**
   * Checks the token a client sends as its first frame and returns who it is; `false`, `null`, `undefined` or a
   * throw refuses it (close 4401). Without this option no token is asked for. @default none
   */
  readonly authenticate?: (token: string, request: IncomingMessage) => unknown;
  /** Answers a client's `request`: the value (or promise) is the reply, a throw an error reply. @default an error reply */
  readonly onRequest?: (data: unknown, client: ClientInfo) => unknown;
  /** Whether a client may publish `data` on `channel`; `false` answers an error. @default every client may */
  readonly onPublish?: (channel: string, data: unknown, client: ClientInfo) => boolean | Promise<boolean>;
  /**
   * Origins allowed to open a socket, matched exactly (`https://app.example`); another is refused at the upgrade
   * with 403. `'*'` allows any. A request without an Origin header (not a browser) is let through. With `wss`
   * this is not checked: your server does the upgrade. @default the request's own origin only (same host)
   */
  readonly origins?: '*' | readonly string[];
  /** The largest frame a client may send, in bytes; a larger one closes the socket with 1009. @default 1048576 */
  readonly maxPayload?: number;
  /**
   * Frames per second a client may send on average, and in a burst; past it the socket is closed with 4429.
   * A browser's hub sends every tab's messages on one socket, so leave room for all of them.
   * @default { perSecond: 1000, burst: 2000 }
   */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number };
  /** Channels one socket may follow at once; a subscribe past it is answered with an error. @default 1000 */
  readonly maxChannelsPerConnection?: number;
  /**
   * Bytes the server may have waiting for a socket that does not read (`bufferedAmount`); past it the socket is
   * closed with 4430 instead of growing memory. @default 16777216 (16 MiB)
   */
  readonly maxBufferedBytes?: number;
  /** With `authenticate`: ms a new socket has to send its token; then it is closed with 4401. @default 10000 */
  readonly authTimeoutMs?: number;
  /** Ms a socket may stay silent (tabmux's hub pings every 30 s by default) before it is closed with 1001; 0 never. @default 300000 */
  readonly idleTimeoutMs?: number;
}

/** A server's numbers, this process only. */
export interface ServerStats {
  /** Sockets open now. */
  readonly connections: number;
  /** Sockets ever accepted. */
  readonly totalConnections: number;
  /** Channels with at least one subscribed socket here, and how many. */
  readonly subscribers: Readonly<Record<string, number>>;
  /** Frames received from clients. */
  readonly messagesIn: number;
  /** Messages sent to clients (a batch frame carries several), and the frames and bytes they took. */
  readonly messagesOut: number;
  readonly framesOut: number;
  readonly bytesOut: number;
  /** Messages published through this process (by clients, the JS API or HTTP). */
  readonly published: number;
  /** What the hardening refused, by cause. */
  readonly refused: {
    /** Upgrades from an Origin not in `origins` (403). */
    readonly origin: number;
    /** Sockets closed for sending faster than `rateLimit` (4429). */
    readonly rateLimited: number;
    /** Sockets closed for not reading (4430). */
    readonly slowConsumers: number;
    /** Frames that were not JSON, or not a message of the protocol, answered with an error. */
    readonly badFrames: number;
    /** Subscribes past `maxChannelsPerConnection`, answered with an error. */
    readonly tooManyChannels: number;
    /** Frames over `maxPayload` (1009). */
    readonly tooLarge: number;
    /** Tokens `authenticate` refused, and sockets that sent none in time (4401). */
    readonly authFailures: number;
    readonly authTimeouts: number;
    /** Sockets closed after `idleTimeoutMs` of silence (1001). */
    readonly idle: number;
    /** Publishes the broker could not take (its store unreachable), answered with an error. */
    readonly publishFailures: number;
  };
}
