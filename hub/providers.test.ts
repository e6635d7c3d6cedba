import { expect, test } from 'vitest';
import { fakeClock } from '../test/fake-time.js';
import { createAsker, PATIENCE_MS } from './providers.js';

test('when every provider fails, the last failure is the answer', async () => {
  const ask = createAsker(fakeClock());
  const failing = (message: string) => () => Promise.reject(new Error(message));
  await expect(ask([failing('first'), failing('second')], 'a token')).rejects.toThrow('second');
  await expect(ask([], 'a token')).rejects.toThrow('no tab offers a token');
  await expect(ask([() => 42], 'a token')).rejects.toThrow('a token must be a string; got number');
});

test('a slow provider is joined by the next after PATIENCE_MS, and its own late answer still counts', async () => {
  const clock = fakeClock();
  const ask = createAsker(clock);
  let release!: (token: string) => void;
  const slow = () => new Promise<string>((resolve) => (release = resolve));
  const never = () => new Promise<string>(() => {});
  const answer = ask([slow, never], 'a token');
  await clock.advance(PATIENCE_MS);
  release('late but first');
  await expect(answer).resolves.toBe('late but first');
});

test('a provider that kept the hub waiting is asked last from then on', async () => {
  const clock = fakeClock();
  const ask = createAsker(clock);
  const asked: string[] = [];
  const hung = () => (asked.push('hung'), new Promise<string>(() => {}));
  const prompt = () => (asked.push('prompt'), 'token');
  const first = ask([hung, prompt], 'a token');
  await clock.advance(PATIENCE_MS);
  await expect(first).resolves.toBe('token');
  await expect(ask([hung, prompt], 'a token')).resolves.toBe('token');
  expect(asked).toEqual(['hung', 'prompt', 'prompt']);
});
