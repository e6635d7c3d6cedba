// The HTTP side: who may publish (a key, or loopback only), in JSON only, with no CORS; and /metrics.
import { expect, test } from 'vitest';
import { serve, type ServerUnderTest } from '../test/raw-client.js';
import { closeAfterEach } from '../test/vitest-hooks.js';
import { isLoopback } from './http-routes.js';

const track = closeAfterEach();

const json = { 'content-type': 'application/json' };
const post = (running: ServerUnderTest, headers: Record<string, string>, body = '{"n":1}') =>
  fetch(`${running.httpUrl}/publish?channel=news`, { method: 'POST', headers, body });

test('with a publish key, POST /publish needs it as a Bearer token: missing or wrong is 401, right is 200', async () => {
  const running = track(await serve({}, { publishKey: 'k3y' }));
  expect((await post(running, json)).status).toBe(401);
  expect((await post(running, { ...json, authorization: 'Bearer nope' })).status).toBe(401);
  expect(await (await post(running, { ...json, authorization: 'Bearer k3y2' })).json()).toEqual({
    error: 'a publish needs `Authorization: Bearer <publish key>`',
  });
  const ok = await post(running, { ...json, authorization: 'Bearer k3y' });
  expect(await ok.json()).toEqual({ seq: 1 });
  expect(running.server.stats().published).toBe(1);
});

test('a publish that is not application/json is refused with 415 (a foreign page’s text/plain post, which needs no preflight), and no CORS header is sent', async () => {
  const running = track(await serve());
  const plain = await post(running, { 'content-type': 'text/plain', origin: 'https://evil.example' });
  expect(plain.status).toBe(415);
  expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  const form = await post(running, { 'content-type': 'application/x-www-form-urlencoded' });
  expect(form.status).toBe(415);
  // Without a key, loopback may publish.
  expect((await post(running, json)).status).toBe(200);
  expect(running.server.stats().published).toBe(1);
});

test('without a key only loopback addresses may publish', () => {
  for (const address of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1'])
    expect(isLoopback(address)).toBe(true);
  for (const address of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', undefined])
    expect(isLoopback(address)).toBe(false);
});

test('GET /metrics answers Prometheus text: every line a comment or `name{labels} value`, with the counts of the stats', async () => {
  const running = track(await serve());
  await running.server.publish('news', 1);
  const response = await fetch(`${running.httpUrl}/metrics`);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await response.text();
  for (const line of text.trimEnd().split('\n'))
    expect(line).toMatch(
      /^(# (HELP|TYPE) tabmux_\w+ .+|tabmux_\w+(\{cause="\w+"\})? -?\d+(\.\d+)?(e-?\d+)?)$/,
    );
  expect(text).toContain('tabmux_published_total 1\n');
  expect(text).toContain('tabmux_connections 0\n');
  expect(text).toContain('tabmux_refused_total{cause="forbidden"} 0\n');
  expect(text).toContain('tabmux_broker_up 1\n');
  expect(text).toMatch(/tabmux_broker_latency_seconds \d/);
});
