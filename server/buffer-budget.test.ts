// One budget for what the server holds for all its clients: past it the slowest readers are cut first, so clients
// that never read cannot grow the process, and the ones that read are served.
import { expect, test, vi } from 'vitest';
import type { Socket } from 'node:net';
import { connect, serve } from '../test/raw-client.js';
import { closeAfterEach } from '../test/vitest-hooks.js';

const track = closeAfterEach();

test('clients that never read are cut (4430) once all of them hold past maxTotalBufferedBytes; a reader gets everything', async () => {
  const { server, url } = track(
    await serve({ maxBufferedBytes: 64 * 1024 * 1024, maxTotalBufferedBytes: 4 * 1024 * 1024 }),
  );
  const stalled = [];
  for (let i = 0; i < 10; i++) {
    const client = await connect(url);
    client.send({ type: 'subscribe', channel: 'big' });
    await client.waitFor({ type: 'subscribed', channel: 'big' });
    (client.ws as unknown as { _socket: Socket })._socket.pause();
    stalled.push(client);
  }
  const reader = await connect(url);
  reader.send({ type: 'subscribe', channel: 'big' });
  await reader.waitFor({ type: 'subscribed', channel: 'big' });
  const data = 'x'.repeat(256 * 1024);
  let cutAt = -1;
  for (let n = 1; n <= 200; n++) {
    await server.publish('big', data);
    if (cutAt < 0 && server.stats().refused.slowConsumers === 10) cutAt = n;
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Each of them alone is far below its own 64 MiB: only the budget over all of them cut them.
  expect(server.stats().refused.slowConsumers).toBe(10);
  expect(cutAt).toBeGreaterThan(0);
  expect(cutAt).toBeLessThan(100);
  await vi.waitFor(() => expect(reader.messages.filter((m) => m['type'] === 'message')).toHaveLength(200), {
    timeout: 10_000,
  });
  // They never answer the close either: cut a second later.
  await vi.waitFor(() => expect(server.stats().connections).toBe(1), { timeout: 5000 });
});
