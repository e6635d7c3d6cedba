// Which transport the next attempt uses, from a table: one row per rule.
import { expect, test } from 'vitest';
import { afterFailure, afterOpen, FIRST_CHOICE, type TransportChoice } from './transport-choice.js';

const fallback = { after: 3, retrySocketEvery: 45_000 };
const at = (changes: Partial<TransportChoice>): TransportChoice => ({ ...FIRST_CHOICE, ...changes });

test.each<[string, TransportChoice, boolean, TransportChoice]>([
  ['a first failed socket tries the socket again', FIRST_CHOICE, false, at({ socketFailures: 1 })],
  [
    'the third failed socket in a row moves to the HTTP stream',
    at({ socketFailures: 2 }),
    false,
    at({ transport: 'stream', socketFailures: 3 }),
  ],
  [
    'a socket that timed out counts like a refused one',
    at({ socketFailures: 2 }),
    true,
    at({ transport: 'stream', socketFailures: 3 }),
  ],
  [
    'a stream that timed out (a proxy holding it back) moves to long polling, and that is remembered',
    at({ transport: 'stream', socketFailures: 3 }),
    true,
    at({ transport: 'polling', socketFailures: 3, streamHeldBack: true }),
  ],
  [
    'a stream refused outright (HTTP fails too) sends the next attempt back to the socket',
    at({ transport: 'stream', socketFailures: 3 }),
    false,
    at({ transport: 'websocket', socketFailures: 3 }),
  ],
  [
    'failed polling goes back to the socket',
    at({ transport: 'polling', socketFailures: 3, streamHeldBack: true }),
    false,
    at({ transport: 'websocket', socketFailures: 3, streamHeldBack: true }),
  ],
  [
    'then a failed socket goes to polling, not to the stream known to be held back',
    at({ socketFailures: 3, streamHeldBack: true }),
    false,
    at({ transport: 'polling', socketFailures: 4, streamHeldBack: true }),
  ],
])('%s', (_, choice, timedOut, expected) => {
  expect(afterFailure(choice, timedOut, fallback)).toEqual(expected);
});

test('without the fallback the socket is tried forever', () => {
  let choice = FIRST_CHOICE;
  for (let i = 0; i < 10; i++) choice = afterFailure(choice, i % 2 === 0, null);
  expect(choice).toEqual(at({ socketFailures: 10 }));
});

test('an open socket is trusted again from scratch; an open HTTP session keeps what was learnt', () => {
  expect(afterOpen(at({ socketFailures: 5, streamHeldBack: true }))).toEqual(FIRST_CHOICE);
  const polling = at({ transport: 'polling', socketFailures: 3, streamHeldBack: true });
  expect(afterOpen(polling)).toBe(polling);
});
