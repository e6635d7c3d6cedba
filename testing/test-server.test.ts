// The test server's fault routes are a way to drop a developer's connections: only the pages and tools it names.
import { expect, test } from 'vitest';
import { connect } from '../test/raw-client.js';
import { closeAfterEach } from '../test/vitest-hooks.js';
import { startTestServer } from './test-server.js';

const track = closeAfterEach();

const closeAll = (httpUrl: string, headers: Record<string, string> = {}) =>
  fetch(`${httpUrl}/faults/close-all`, { method: 'POST', headers, body: '{"code":1012}' });

test('a page of another origin cannot use the fault routes: 403, nothing dropped, no CORS header', async () => {
  const server = track(await startTestServer({ faults: true }));
  const client = await connect(server.url);
  const refused = await closeAll(server.httpUrl, {
    origin: 'http://evil.example',
    'content-type': 'text/plain',
  });
  expect(refused.status).toBe(403);
  expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  expect(server.stats().connections).toBe(1);
  // A tool on this machine (no Origin) still may.
  expect((await closeAll(server.httpUrl)).status).toBe(200);
  expect(await client.closed).toMatchObject({ code: 1012 });
});

test('a page named in `faults.origins` may, and reads the answer', async () => {
  const page = 'http://localhost:5173';
  const server = track(await startTestServer({ faults: { origins: [page] } }));
  const answer = await closeAll(server.httpUrl, { origin: page });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('access-control-allow-origin')).toBe(page);
});

test('without `faults` there are no fault routes at all', async () => {
  const server = track(await startTestServer());
  expect((await closeAll(server.httpUrl)).status).toBe(404);
});
