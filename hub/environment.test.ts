import { expect, test } from 'vitest';
import { resolveEnvironment } from './environment.js';

test('a missing WebSocket implementation fails with a message that says how to fix it', () => {
  const original = globalThis.WebSocket;
  // @ts-expect-error -- removed to stand for a runtime without WebSocket
  delete globalThis.WebSocket;
  try {
    expect(() => resolveEnvironment()).toThrow(/Pass one as the `WebSocket` option/);
  } finally {
    globalThis.WebSocket = original;
  }
});

test('injected parts win over the globals', () => {
  const env = resolveEnvironment({ WebSocket: class {} as never, now: () => 42, generateId: () => 'id' });
  expect([env.now(), env.generateId()]).toEqual([42, 'id']);
});
