import { describe, expect, test } from 'vitest';
import { normalizeUrl, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  test('applies the documented defaults', () => {
    expect(resolveOptions({ url: 'ws://example.com/' })).toEqual({
      url: 'ws://example.com/',
      protocols: [],
      transport: 'auto',
      name: 'tabmux',
      lingerMs: 1000,
      maxMessageBytes: 1048576,
      probeTimeoutMs: 3000,
      callTimeoutMs: 5000,
    });
  });

  test.each([
    [{}, /`url` is required/],
    [{ url: 42 }, /`url` is required/],
    [{ url: 'ftp://example.com' }, /must use ws: or wss:/],
    [{ url: 'ws://exa mple.com' }, /not a valid URL/],
    [{ url: 'ws://example.com/#x' }, /#fragment/],
    [{ url: 'ws://x', transport: 'pigeon' }, /`transport` must be one of 'auto', 'shared-worker', 'in-page'/],
    [{ url: 'ws://x', lingerMs: -1 }, /`lingerMs` must be a finite number ≥ 0/],
    [{ url: 'ws://x', probeTimeoutMs: Number.NaN }, /`probeTimeoutMs`/],
    [{ url: 'ws://x', protocols: [1] }, /`protocols`/],
    [{ url: 'ws://x', name: '' }, /`name`/],
    [{ url: 'ws://x', worker: 'worker.js' }, /`worker` must be a function/],
  ])('rejects %j with a TypeError that says what is expected', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(TypeError);
    expect(() => resolveOptions(options as never)).toThrow(message);
  });
});

test('http URLs become ws URLs, https become wss', () => {
  expect(normalizeUrl('http://example.com/ws')).toBe('ws://example.com/ws');
  expect(normalizeUrl('https://example.com/ws')).toBe('wss://example.com/ws');
});
