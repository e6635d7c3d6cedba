// `npm run bench:server`: how many messages per second one tabmux/server process fans out to 1,000 sockets on
// loopback, with the memory broker and with the Redis broker, side by side in one run. The server runs in a process
// of its own; the 1,000 clients share this one. Writes bench/results/server-load.{json,md}. Bounded: 3 bursts of 500
// messages per broker, each within 60 s; loopback only.
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import WebSocket from 'ws';
import { startRedis } from '../test/redis-server.js';

const CONNECTIONS = 1000;
const MESSAGES = 500;
const BURSTS = 3;
const LIMIT_MS = 60_000;

interface Result {
  readonly broker: string;
  /** Deliveries per second: messages × sockets over the time from the burst's start to the last socket's last. */
  readonly deliveriesPerSecond: number[];
  readonly medianDeliveriesPerSecond: number;
  /** Ms until the server had published the whole burst. */
  readonly publishMs: number[];
}

async function startServer(args: string[]): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load-server.ts', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /load server: (ws:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`the load server exited with ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

async function measure(broker: string, args: string[]): Promise<Result> {
  const server = await startServer(args);
  const sockets: WebSocket[] = [];
  try {
    const counts = new Array<number>(CONNECTIONS).fill(0);
    let doneAt = 0;
    let target = 0;
    let remaining = CONNECTIONS;
    for (let i = 0; i < CONNECTIONS; i++) {
      const ws = new WebSocket(server.url);
      sockets.push(ws);
      ws.on('message', (raw) => {
        const text = raw.toString();
        // A batch frame carries several messages; counting "seq" keys is enough and costs no parse.
        const messages = text.startsWith('{"type":"batch"')
          ? text.split('"seq":').length - 1
          : text.includes('"seq":') && text.startsWith('{"type":"message"')
            ? 1
            : 0;
        if (messages === 0) return;
        counts[i]! += messages;
        if (counts[i]! >= target && counts[i]! - messages < target && --remaining === 0)
          doneAt = performance.now();
      });
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      ws.send(JSON.stringify({ type: 'subscribe', channel: 'load' }));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const result: Result = { broker, deliveriesPerSecond: [], medianDeliveriesPerSecond: 0, publishMs: [] };
    for (let burst = 0; burst < BURSTS; burst++) {
      remaining = CONNECTIONS;
      target = counts[0]! + MESSAGES;
      doneAt = 0;
      const started = performance.now();
      const response = await fetch(`${server.url.replace('ws://', 'http://')}bench/burst`, {
        method: 'POST',
        body: JSON.stringify({ channel: 'load', count: MESSAGES }),
      });
      result.publishMs.push(((await response.json()) as { publishMs: number }).publishMs);
      while (doneAt === 0 && performance.now() - started < LIMIT_MS)
        await new Promise((resolve) => setTimeout(resolve, 5));
      if (doneAt === 0) throw new Error(`${broker}: not every socket got the burst within ${LIMIT_MS} ms`);
      result.deliveriesPerSecond.push(Math.round((MESSAGES * CONNECTIONS) / ((doneAt - started) / 1000)));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const sorted = [...result.deliveriesPerSecond].sort((x, y) => x - y);
    return { ...result, medianDeliveriesPerSecond: sorted[Math.floor(sorted.length / 2)]! };
  } finally {
    for (const ws of sockets) ws.terminate();
    server.stop();
  }
}

const redis = await startRedis();
try {
  const memory = await measure('memory', []);
  const shared = await measure('Redis', ['--redis', redis.url]);
  const results = [memory, shared];
  const ratio = shared.medianDeliveriesPerSecond / memory.medianDeliveriesPerSecond;
  const machine = `${cpus().length} cores, Node ${process.version}`;
  const rows = results.map(
    (r) =>
      `| ${r.broker} | ${r.medianDeliveriesPerSecond.toLocaleString('en-US')} | ${r.deliveriesPerSecond.map((d) => d.toLocaleString('en-US')).join(', ')} | ${r.publishMs.map((ms) => ms.toFixed(0)).join(', ')} |`,
  );
  const markdown = [
    `# tabmux/server: fan-out to ${CONNECTIONS} sockets`,
    '',
    `One server process, ${CONNECTIONS} sockets on loopback subscribed to one channel (the clients in one other process), ${BURSTS} bursts of ${MESSAGES} messages each, published as fast as the broker takes them. ${machine}.`,
    '',
    '| broker | deliveries/s (median) | each burst | ms to publish each burst |',
    '| ------ | --------------------- | ---------- | ------------------------ |',
    ...rows,
    '',
    `The Redis broker delivered ${(ratio * 100).toFixed(0)}% of the memory broker's rate in this run.`,
    '',
  ].join('\n');
  await mkdir('bench/results', { recursive: true });
  await writeFile(
    'bench/results/server-load.json',
    JSON.stringify({ machine, connections: CONNECTIONS, messages: MESSAGES, results }, null, 2) + '\n',
  );
  await writeFile('bench/results/server-load.md', markdown);
  console.log(markdown);
} finally {
  await redis.kill();
}
