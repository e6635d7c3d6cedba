// Each bound of tabmux-server under load, against the real CLI process: loopback, bounded in count and time.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { connect } from '../test/raw-client.js';
import { startCli } from '../test/server-cli.js';

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

test('600 publishes of 1 MB on 20 channels: the replay bound in bytes keeps the server within a 256 MB heap', async () => {
  // With its heap capped, a server that kept what it was sent (600 MB here) would run out of memory and die.
  const cli = await startCli(['--port', '0', '--replay-bytes', String(4 * 1024 * 1024)], 15_000, {
    NODE_OPTIONS: '--max-old-space-size=256',
  });
  try {
    const body = JSON.stringify('x'.repeat(1_000_000));
    let peak = 0;
    for (let n = 0; n < 600; n++) {
      const answer = await fetch(`${cli.httpUrl}/publish?channel=big-${n % 20}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(answer.status).toBe(200);
      if (n % 20 === 19) peak = Math.max(peak, rssMb(cli.child.pid!));
    }
    console.info(`load: 600 × 1 MB publishes on 20 channels, peak RSS ${peak.toFixed(0)} MB`);
    expect((await fetch(`${cli.httpUrl}/healthz`)).status).toBe(200);
  } finally {
    await cli.kill();
  }
}, 90_000);

test('100 clients × 1,000 channels come and go: the server ends with no channel and no subscription', async () => {
  const cli = await startCli(['--port', '0']);
  try {
    const before = rssMb(cli.child.pid!);
    for (let c = 0; c < 100; c++) {
      const client = await connect(cli.url);
      for (let i = 0; i < 1000; i++) client.send({ type: 'subscribe', channel: `c${c}-${i}` });
      await client.waitFor({ type: 'subscribed', channel: `c${c}-999` }, 10_000);
      client.ws.close();
      await client.closed;
    }
    const stats = (await (await fetch(`${cli.httpUrl}/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ connections: 0, channels: 0, subscriptions: 0, subscribers: {} });
    console.info(
      `load: 100 × 1,000 channels came and went, RSS ${before.toFixed(0)} → ${rssMb(cli.child.pid!).toFixed(0)} MB`,
    );
  } finally {
    await cli.kill();
  }
}, 120_000);
