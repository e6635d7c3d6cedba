// A real redis-server for tests: on a free loopback port, nothing persisted, stopped (or killed) by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';

export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  /** Stops it (SIGKILL: as an outage, not a clean shutdown). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
}

/** $TABMUX_REDIS_SERVER, else `redis-server` from the PATH (Debian: apt-get install redis-server). */
function binary(): string {
  const configured = process.env['TABMUX_REDIS_SERVER'];
  if (configured) return configured;
  const found = (process.env['PATH'] ?? '')
    .split(':')
    .map((dir) => `${dir}/redis-server`)
    .find(existsSync);
  if (!found)
    throw new Error(
      'redis-server is not installed: `apt-get install -y redis-server`, or set TABMUX_REDIS_SERVER',
    );
  return found;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const path = binary();
  let child: ChildProcess;
  const start = async () => {
    child = spawn(path, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForPort(port, 5000);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    restart: start,
  };
}
