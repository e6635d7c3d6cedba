// A reading client's latency while 50 clients on the same channel never read, against none, in one run: the
// server-wide buffer budget (maxTotalBufferedBytes) cuts the stalled ones before they grow the process.
// `node --import tsx bench/slow-readers.ts`; writes bench/results/slow-readers.md.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { startCli } from '../test/server-cli.js';

interface Frame {
  readonly type: string;
  readonly messages?: Frame[];
  readonly data?: { t?: number };
}

const RATE = 200;
const SECONDS = 8;
const SIZE = 64 * 1024;

/** A client subscribed to `p`, once the server said so. */
async function subscriber(url: string, onFrame: (text: string) => void = () => {}): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const subscribed = new Promise<void>((resolve) =>
    ws.on('message', (raw) => {
      const text = raw.toString();
      if (text.includes('"subscribed"')) resolve();
      onFrame(text);
    }),
  );
  ws.send(JSON.stringify({ type: 'subscribe', channel: 'p', last: false }));
  await subscribed;
  return ws;
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function run(stalled: number) {
  const cli = await startCli(['--port', '0']);
  try {
    const idle: WebSocket[] = [];
    for (let i = 0; i < stalled; i++) {
      const ws = await subscriber(cli.url);
      (ws as unknown as { _socket: Socket })._socket.pause();
      idle.push(ws);
    }
    const latencies: number[] = [];
    const reader = await subscriber(cli.url, (text) => {
      const now = performance.timeOrigin + performance.now();
      const frame = JSON.parse(text) as Frame;
      for (const item of frame.type === 'batch' ? frame.messages! : [frame])
        if (item.data?.t) latencies.push(now - item.data.t);
    });
    let peak = 0;
    const pad = 'x'.repeat(SIZE);
    const started = performance.now();
    for (let n = 0; n < RATE * SECONDS; n++) {
      const due = started + (n * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await fetch(`${cli.httpUrl}/publish?channel=p`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ t: performance.timeOrigin + performance.now(), pad }),
      });
      if (n % 50 === 0) peak = Math.max(peak, rssMb(cli.child.pid!));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stats = (await (await fetch(`${cli.httpUrl}/stats`)).json()) as {
      refused: { slowConsumers: number };
    };
    const sorted = latencies.sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
    for (const ws of [...idle, reader]) ws.terminate();
    return {
      stalled,
      received: sorted.length,
      p50: q(0.5),
      p99: q(0.99),
      peak,
      cut: stats.refused.slowConsumers,
    };
  } finally {
    await cli.kill();
  }
}

const rows = [];
for (const stalled of [0, 50, 0, 50]) rows.push(await run(stalled));
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, tabmux-server defaults (maxTotalBufferedBytes 128 MiB, maxBufferedBytes 16 MiB); ${RATE} messages/s of ${SIZE / 1024} KiB for ${SECONDS} s to one reading client, interleaved runs.`,
  '',
  '| clients that never read | reader got | reader p50 (ms) | reader p99 (ms) | server peak RSS (MB) | cut as slow |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.stalled} | ${r.received} of ${RATE * SECONDS} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.peak.toFixed(0)} | ${r.cut} |`,
  ),
].join('\n');
writeFileSync('bench/results/slow-readers.md', `${table}\n`);
console.log(table);
