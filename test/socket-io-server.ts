// A real Socket.IO v4 server (the `socket.io` package) on a free loopback port, with rooms joined by event, an
// acknowledged `echo`, counts of Engine.IO connections, and a restart on the same port.
import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';

export interface SocketIoTestServer {
  /** `ws://127.0.0.1:<port>/`: the socket.io protocol adds its path and query. */
  readonly url: string;
  readonly port: number;
  /** Engine.IO connections over the server's life (restarts included), and open now. */
  connections(): { total: number; open: number };
  /** Events the clients emitted, as `[name, ...args]`, oldest first. */
  readonly received: unknown[][];
  /** Emits `data` to `room` as an event named like the room; resolves with how many sockets are in it. */
  emitToRoom(room: string, data: unknown): Promise<number>;
  /** Emits an event to every socket. */
  emitAll(event: string, ...args: unknown[]): void;
  /** Disconnects every client from the server's side (`socket.disconnect()`: a disconnect packet). */
  disconnectAll(): void;
  /** Stops the server (every socket closes) and starts it again on the same port after `downMs`. */
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
  /** Pongs the server received, answering its pings, over every connection so far. */
  pongs(): number;
}

export interface SocketIoTestServerOptions {
  /** Engine.IO's ping cadence and the time it waits for the pong before closing, in ms. @default 25000, 20000 */
  readonly pingInterval?: number;
  readonly pingTimeout?: number;
  /** Tokens accepted as `auth.token`; others are refused by middleware (a connect error). `null`: no auth. */
  readonly tokens?: readonly string[] | null;
}

export async function startSocketIoServer(
  options: SocketIoTestServerOptions = {},
): Promise<SocketIoTestServer> {
  const received: unknown[][] = [];
  let total = 0;
  let pongs = 0;
  let http: HttpServer;
  let io: Server;
  let port = 0;

  async function start(): Promise<void> {
    http = createServer();
    io = new Server(http, {
      pingInterval: options.pingInterval ?? 25_000,
      pingTimeout: options.pingTimeout ?? 20_000,
    });
    io.engine.on('connection', (socket: { on(event: 'heartbeat', listener: () => void): void }) => {
      total++;
      // Engine.IO (v4) says `heartbeat` for each pong answering its ping.
      socket.on('heartbeat', () => pongs++);
    });
    const tokens = options.tokens ?? null;
    io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown }).token;
      next(tokens === null || tokens.includes(String(token)) ? undefined : new Error('unauthorized'));
    });
    io.on('connection', (socket) => {
      socket.onAny((...args: unknown[]) => received.push(args));
      socket.on('join', (room: string) => void socket.join(room));
      socket.on('leave', (room: string) => void socket.leave(room));
      socket.on('echo', (data: unknown, ack?: (reply: unknown) => void) => ack?.({ echo: data }));
      socket.on('shout', (data: unknown) => io.emit('shouted', data));
    });
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    const address = http.address();
    if (!address || typeof address !== 'object') throw new Error('no address');
    port = address.port;
  }

  /** As a server process going away: the sockets close, without Socket.IO's disconnect packet. */
  async function stop(): Promise<void> {
    await new Promise<void>((resolve) => io.close(() => resolve()));
  }

  await start();
  return {
    get url() {
      return `ws://127.0.0.1:${port}/`;
    },
    get port() {
      return port;
    },
    connections: () => ({ total, open: io.engine.clientsCount }),
    pongs: () => pongs,
    received,
    async emitToRoom(room, data) {
      const sockets = await io.in(room).fetchSockets();
      io.to(room).emit(room, data);
      return sockets.length;
    },
    emitAll: (event, ...args) => void io.emit(event, ...args),
    disconnectAll: () => void io.disconnectSockets(),
    async restart(downMs = 300) {
      await stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    close: stop,
  };
}
