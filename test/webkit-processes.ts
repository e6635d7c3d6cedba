// WebKitGTK for the tests: an Xvfb display, and per browser profile a WebKitWebDriver driving MiniBrowser. Each part
// fails within a bounded time with a message naming what is missing and how to install it; nothing is left running.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './redis-server.js';

/** $TABMUX_MINIBROWSER, else where Debian's webkit2gtk puts MiniBrowser. */
export function minibrowser(): string {
  return process.env['TABMUX_MINIBROWSER'] ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
}
const INSTALL = 'apt-get install -y --no-install-recommends webkit2gtk-driver xvfb';

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => existsSync(`${dir}/${command}`));
}

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

export interface Display {
  /** e.g. `:3` */
  readonly name: string;
  stop(): void;
}

/** Starts Xvfb on a free display (it picks one and tells it on a pipe). */
export async function startXvfb(timeoutMs = 10_000): Promise<Display> {
  if (!onPath('Xvfb')) throw new Error(`Xvfb is not installed: ${INSTALL}`);
  const xvfb = track(
    spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    }),
  );
  let errors = '';
  xvfb.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const number = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      xvfb.kill('SIGKILL');
      reject(new Error(`Xvfb did not start within ${timeoutMs} ms: ${errors.trim().slice(-300)}`));
    }, timeoutMs);
    (xvfb.stdio[3] as NodeJS.ReadableStream).once('data', (data: Buffer) => {
      clearTimeout(timer);
      resolve(data.toString().trim());
    });
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited with ${code} before it was ready: ${errors.trim().slice(-300)}`));
    });
  });
  return { name: `:${number}`, stop: () => xvfb.kill('SIGKILL') };
}

export interface Driver {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts a WebKitWebDriver (one session each) on a free port and waits until it listens. */
export async function startDriver(display: Display, timeoutMs = 10_000): Promise<Driver> {
  if (!onPath('WebKitWebDriver')) throw new Error(`WebKitWebDriver is not installed: ${INSTALL}`);
  if (!existsSync(minibrowser()))
    throw new Error(`MiniBrowser is not at ${minibrowser()}: ${INSTALL}, or set TABMUX_MINIBROWSER`);
  const port = await freePort();
  const driver = track(
    spawn('WebKitWebDriver', [`--port=${port}`], {
      // Without the plain network monitor MiniBrowser may believe it is offline.
      env: { ...process.env, DISPLAY: display.name, GIO_USE_NETWORK_MONITOR: 'base' },
      stdio: 'ignore',
      detached: true,
    }),
  );
  const deadline = Date.now() + timeoutMs;
  while (!(await listening(port))) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode} at start`);
    if (Date.now() > deadline) {
      driver.kill('SIGKILL');
      throw new Error(`WebKitWebDriver did not listen on ${port} within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    async stop() {
      if (driver.exitCode !== null || driver.signalCode !== null) return;
      const exited = new Promise((resolve) => driver.once('exit', resolve));
      // The driver's browsers are its children: the whole group goes.
      try {
        process.kill(-driver.pid!, 'SIGKILL');
      } catch {
        driver.kill('SIGKILL');
      }
      await exited;
    },
  };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
