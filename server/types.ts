// What an app sees of tabmux/server: its options, its numbers, and what it knows of a client. Types only.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { WebSocketServer } from 'ws';
import type { Authorize } from './access.js';
import type { Broker } from './broker.js';
import type { ServerLogger } from './log.js';

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
   * throw refuses it (close 4401, with the error's message as the reason). A client may send a fresh token on an
   * open socket; it is checked the same way and the channels the new identity may not follow are ended. An identity
   * with a numeric `expiresAt` (ms since the epoch) is closed with 4401 then, unless a fresh token came first.
   * Without this option no token is asked for. @default none
   */
  readonly authenticate?: (token: string, request: IncomingMessage) => unknown;
  /** Answers a client's `request`: the value (or promise) is the reply, a throw an error reply. @default an error reply */
  readonly onRequest?: (data: unknown, client: ClientInfo) => unknown;
  /**
   * Who may do what: called before every subscribe, resume, publish and request with the client's identity (what
   * `authenticate` returned) and the channel (`null` for a request). `false` or a throw refuses: a subscribe or
   * resume is answered `ended` (`failed`, code `forbidden`) and nothing of that channel, its latest message
   * included, reaches the socket; a publish or request gets an error frame with code `forbidden`. The socket stays
   * open for what is allowed. Sync or async. See `jwtAccess` for rules carried in tokens.
   * @default everyone may do everything
   */
  readonly authorize?: Authorize;
  /** Whether a client may publish `data` on `channel`; `false` answers an error. @default every client may */
  readonly onPublish?: (channel: string, data: unknown, client: ClientInfo) => boolean | Promise<boolean>;
  /**
   * Origins allowed to open a socket, matched exactly (`https://app.example`). A socket from another origin is
   * accepted and closed at once with 4403 and a reason that names the origin and the fix, so the page can show it
   * (a refused upgrade would show only 1006). `'*'` allows any. A request without an Origin header (not a browser)
   * is let through. With `wss` this is not checked: your server does the upgrade.
   * @default pages served from loopback (`localhost`, `127.0.0.1`, `[::1]`, any port) or from one of `hostnames`
   */
  readonly origins?: '*' | readonly string[];
  /**
   * The names this server is reached by (`app.example`), whose pages may connect when `origins` is not set, on any
   * port and scheme. The Host header is not trusted for this: a DNS-rebinding page controls it. @default none
   */
  readonly hostnames?: readonly string[];
  /** Where the server says what it refuses and why: a pino logger, or anything of its shape. @default silent */
  readonly logger?: ServerLogger;
  /** The largest frame a client may send, in bytes; a larger one closes the socket with 1009. @default 1048576 */
  readonly maxPayload?: number;
  /**
   * Frames per second a client may send on average, and in a burst. Each frame past it is refused (a publish's or a
   * request's error, a subscription's end, coded `rate-limited`); a client that goes on past as many refusals again
   * is closed with 4429. A browser's hub sends every tab's messages on one socket, so leave room for all of them.
   * @default { perSecond: 1000, burst: 2000 }
   */
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number };
  /** Channels one socket may follow at once; a subscribe past it is answered with an error. @default 1000 */
  readonly maxChannelsPerConnection?: number;
  /**
   * The longest channel name, in characters: a subscribe of a longer one is ended, failed, and a publish refused
   * (the client allows 16,384; a server keeps less, since each name lives in its memory). @default 1024
   */
  readonly maxChannelLength?: number;
  /**
   * Bytes the server may have waiting for a socket that does not read (`bufferedAmount`); past it the socket is
   * closed with 4430 instead of growing memory. @default 16777216 (16 MiB)
   */
  readonly maxBufferedBytes?: number;
  /**
   * Bytes the server may have waiting for all its clients together; past it the clients holding the most are closed
   * with 4430 first, until the rest fit, so many clients that do not read cannot grow the process.
   * @default 134217728 (128 MiB)
   */
  readonly maxTotalBufferedBytes?: number;
  /** With `authenticate`: ms a new socket has to send its token; then it is closed with 4401. @default 10000 */
  readonly authTimeoutMs?: number;
  /** Ms a socket may stay silent (tabmux's hub pings every 30 s by default) before it is closed with 1001; 0 never. @default 300000 */
  readonly idleTimeoutMs?: number;
}

/** A server's numbers, this process only. */
export interface ServerStats {
  /** Clients connected now: sockets, and sessions of the HTTP fallback. */
  readonly connections: number;
  /** Of `connections`, those on the HTTP fallback (their WebSocket upgrades blocked on the way). */
  readonly httpSessions: number;
  /** Sockets ever accepted. */
  readonly totalConnections: number;
  /** Channels with at least one subscribed client here. */
  readonly channels: number;
  /** Channel subscriptions of the clients here, over all channels. */
  readonly subscriptions: number;
  /** The 100 channels with the most subscribed clients here, and how many: never every channel, which could be many. */
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
    /** Sockets from an Origin not allowed (closed with 4403). */
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
    /** Subscribes, resumes, publishes and requests `authorize` refused. */
    readonly forbidden: number;
  };
}
