// `tabmux-server` as a child process, as a user (or a fleet) runs it: for the CLI's tests and the fleet e2e test.
import { spawn, type ChildProcess } from 'node:child_process';

export interface CliProcess {
  /** Everything it printed so far. */
  readonly output: () => string;
  readonly url: string;
  readonly httpUrl: string;
  readonly child: ChildProcess;
  /** Kills it at once (SIGKILL), as a crash. */
  kill(): Promise<void>;
  /** SIGTERM: a graceful shutdown; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Runs the CLI with `args` until it exits; resolves with its exit code and output (for refusals). */
export function runCli(
  args: readonly string[],
  timeoutMs = 15_000,
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
      stdio: 'pipe',
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tabmux-server ${args.join(' ')} did not exit within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Starts the CLI with `args` (add `--port 0`) and resolves once it listens. */
export function startCli(
  args: readonly string[],
  timeoutMs = 15_000,
  env: Record<string, string> = {},
): Promise<CliProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
      stdio: 'pipe',
      env: { ...process.env, ...env },
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tabmux-server did not start within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (ws:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      const url = match[1]!;
      resolve({
        output: () => output,
        url,
        httpUrl: url.replace('ws://', 'http://').replace(/\/[^/]*$/, ''),
        child,
        async kill() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((done) => child.once('exit', done));
          child.kill('SIGKILL');
          await exited;
        },
        stop() {
          if (child.exitCode !== null) return Promise.resolve(child.exitCode);
          const exited = new Promise<number | null>((done) => child.once('exit', done));
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tabmux-server exited with ${code}: ${output}`));
    });
  });
}
