import { expect, test } from 'vitest';
import { createOutbox } from './outbox.js';

test('refuses past maxMessages with the reason, dropping nothing already queued', () => {
  const outbox = createOutbox({ maxMessages: 2, maxBytes: 1000 });
  expect(outbox.offer('a', 1)).toBeNull();
  expect(outbox.offer('b', 1)).toBeNull();
  expect(outbox.offer('c', 1)).toMatch(/holds 2 messages, its limit \(outbox.maxMessages\)/);
  const sent: unknown[] = [];
  outbox.drain((frame) => sent.push(frame) > 0);
  expect(sent).toEqual(['a', 'b']);
});

test('refuses past maxBytes, counting encoded bytes', () => {
  const outbox = createOutbox({ maxMessages: 100, maxBytes: 10 });
  expect(outbox.offer('x'.repeat(6), 6)).toBeNull();
  expect(outbox.offer('x'.repeat(5), 5)).toMatch(/holds 6 bytes and this message takes 5; the limit is 10/);
  expect(outbox.offer('x'.repeat(4), 4)).toBeNull();
  expect([outbox.size, outbox.bytes]).toEqual([2, 10]);
});

test('drains in order; what the socket refuses mid-way stays queued, in order, and says when it was sent', () => {
  const outbox = createOutbox({ maxMessages: 10, maxBytes: 100 });
  const sentCallbacks: string[] = [];
  for (const frame of ['1', '2', '3', '4']) outbox.offer(frame, 1, () => sentCallbacks.push(frame));
  let budget = 2;
  const first: unknown[] = [];
  outbox.drain((frame) => budget-- > 0 && first.push(frame) > 0);
  expect(first).toEqual(['1', '2']);
  expect([outbox.size, outbox.bytes]).toEqual([2, 2]);
  const rest: unknown[] = [];
  outbox.drain((frame) => rest.push(frame) > 0);
  expect(rest).toEqual(['3', '4']);
  expect(sentCallbacks).toEqual(['1', '2', '3', '4']);
  expect(outbox.size).toBe(0);
});
