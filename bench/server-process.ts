// The bench server (bench/bench-server.ts) in a process of its own, so its CPU time is its own; driven over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestServerStats as ServerStats } from '../testing/test-server.js';

export interface ServerProcess {
  readonly pid: number;
  readonly url: string;
  readonly httpUrl: string;
  stats(): Promise<ServerStats>;
  publish(channel: string, data: unknown): Promise<void>;
  stream(channel: string, count: number, rate: number): Promise<{ sent: number; ms: number }>;
  stop(): Promise<void>;
}

export async function startServerProcess(): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/bench-server.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not start within 15 s')), 15_000);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /bench server: (ws:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`the bench server exited with ${code}`)));
  });
  const httpUrl = url.replace('ws://', 'http://').replace(/\/$/, '');
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${httpUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<unknown>;
  };
  return {
    pid: child.pid!,
    url,
    httpUrl,
    stats: async () => (await (await fetch(`${httpUrl}/stats`)).json()) as ServerStats,
    publish: async (channel, data) =>
      void (await post(`/publish?channel=${encodeURIComponent(channel)}`, data)),
    stream: (channel, count, rate) =>
      post('/bench/stream', { channel, count, rate }) as Promise<{ sent: number; ms: number }>,
    stop: async () => {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
