// A loopback proxy in front of one or more servers (round robin, no sticky sessions), that can do to WebSockets and
// streams what corporate proxies do: refuse upgrades, accept them and pass nothing, hold responses until they end.
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ProxyMode {
  /** `refuse`: 403 to every upgrade; `silent`: 101, then nothing either way. @default 'pass' */
  readonly upgrades?: 'pass' | 'refuse' | 'silent';
  /** Holds each HTTP response until it ends, as buffering proxies do. @default false */
  readonly buffer?: boolean;
  /** `true` silences every response streaming now (a stream gone silent on the way); later requests pass. */
  readonly freeze?: boolean;
}

export interface BlockingProxy {
  /** `ws://127.0.0.1:port/path` */
  readonly url: string;
  readonly httpUrl: string;
  set(mode: ProxyMode): void;
  /** What it did so far. */
  readonly counts: { upgrades: Record<'passed' | 'refused' | 'silenced', number>; requests: number[] };
  close(): Promise<void>;
}

/** Proxies to `targets` (`http://host:port`), taking turns per request and per upgrade. */
export async function startProxy(
  targets: readonly string[],
  mode: ProxyMode = {},
  path = '/',
): Promise<BlockingProxy> {
  let current: Required<Omit<ProxyMode, 'freeze'>> = { upgrades: 'pass', buffer: false, ...mode };
  const streaming = new Set<ServerResponse>();
  const silenced = new WeakSet<ServerResponse>();
  let turn = 0;
  const counts = { upgrades: { passed: 0, refused: 0, silenced: 0 }, requests: targets.map(() => 0) };
  const held = new Set<Duplex>();
  const next = () => {
    const index = turn++ % targets.length;
    return { index, target: new URL(targets[index]!) };
  };

  const server = createServer((request, response) => {
    const { index, target } = next();
    counts.requests[index]!++;
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        if (!current.buffer) {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          response.flushHeaders();
          streaming.add(response);
          response.on('close', () => streaming.delete(response));
          answer.on('data', (chunk: Buffer) => silenced.has(response) || response.write(chunk));
          answer.on('end', () => response.end());
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          response.end(Buffer.concat(chunks));
        });
      },
    );
    upstream.on('error', () => response.destroy());
    response.on('close', () => upstream.destroy());
    request.pipe(upstream);
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    if (current.upgrades === 'refuse') {
      counts.upgrades.refused++;
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (current.upgrades === 'silent') {
      counts.upgrades.silenced++;
      const key = request.headers['sec-websocket-key'] ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      // Reads and drops whatever the browser sends; nothing reaches the server, nothing comes back.
      socket.resume();
      held.add(socket);
      socket.on('close', () => held.delete(socket));
      return;
    }
    counts.upgrades.passed++;
    const { target } = next();
    const upstream: Socket = connect(Number(target.port), target.hostname, () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2)
        lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    held.add(socket);
    socket.on('close', () => held.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}${path}`,
    httpUrl: `http://127.0.0.1:${port}`,
    counts,
    set({ freeze, ...mode }) {
      current = { ...current, ...mode };
      if (freeze) for (const response of streaming) silenced.add(response);
    },
    async close() {
      for (const socket of held) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
