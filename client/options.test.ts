import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { normalizeUrl, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  test('applies the documented defaults', () => {
    expect(resolveOptions({ url: 'ws://example.com/' })).toEqual({
      url: 'ws://example.com/',
      hub: {
        protocol: null,
        protocols: [],
        lingerMs: 1000,
        channelLingerMs: 3000,
        channelBuffer: 1000,
        maxMessageBytes: 1048576,
        outbox: { maxMessages: 1000, maxBytes: 1048576 },
        reconnect: {
          initialDelay: 1000,
          factor: 2,
          maxDelay: 30000,
          maxAttempts: Infinity,
          stableAfter: 5000,
          connectTimeout: 10000,
          suspendAfter: 120000,
          suspendedRetryDelay: 30000,
        },
        heartbeat: { interval: 30000, timeout: 5000, ping: { type: 'ping' }, pong: { type: 'pong' } },
        fallback: { after: 3, retrySocketEvery: 45000 },
      },
      transport: 'auto',
      name: 'tabmux',
      probeTimeoutMs: 3000,
      callTimeoutMs: 5000,
      requestTimeoutMs: 10000,
      worker: undefined,
      WebSocket: undefined,
      auth: undefined,
      protocol: undefined,
      retryDelay: undefined,
      debug: false,
    });
  });

  test("every @default written in the options' documentation is the default applied", () => {
    const source = readFileSync(new URL('./options.ts', import.meta.url), 'utf8');
    const documented = [
      ...source.matchAll(/@default (\S+)(?:(?!@default|readonly)[\s\S])*readonly (\w+)\?/g),
    ].map(([, value, name]) => [name!, value!] as const);
    const applied = resolveOptions({ url: 'ws://x' });
    const flat: Record<string, unknown> = {
      ...applied,
      ...applied.hub,
      ...applied.hub.outbox,
      ...applied.hub.reconnect,
      ...applied.hub.heartbeat,
      ...applied.hub.fallback,
    };
    const numeric = documented.filter(([, value]) => /^(\d+|Infinity)$/.test(value));
    expect(numeric.length).toBeGreaterThan(15);
    for (const [name, value] of numeric) expect([name, flat[name]]).toEqual([name, Number(value)]);
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
    [
      { url: 'ws://x', reconnect: { initialDelay: -5 } },
      /`reconnect.initialDelay` must be a finite number ≥ 0/,
    ],
    [{ url: 'ws://x', reconnect: { maxDelay: '30s' } }, /`reconnect.maxDelay` must be a finite number/],
    [{ url: 'ws://x', reconnect: { factor: 0.5 } }, /`reconnect.factor` must be a finite number ≥ 1/],
    [{ url: 'ws://x', reconnect: { maxAttempts: 2.5 } }, /`reconnect.maxAttempts` must be a whole number/],
    [{ url: 'ws://x', reconnect: { delay: () => 1 } }, /cannot be sent to a SharedWorker/],
    [
      { url: 'ws://x', heartbeat: { interval: 1000, timeout: 2000 } },
      /`heartbeat.timeout` \(2000\) must be less than/,
    ],
    [{ url: 'ws://x', heartbeat: { pong: {} } }, /`heartbeat.pong` must be an object/],
    [{ url: 'ws://x', heartbeat: 5 }, /`heartbeat` must be an object/],
    [{ url: 'ws://x', auth: 'token' }, /`auth` must be a function/],
    [{ url: 'ws://x', outbox: { maxMessages: -1 } }, /`outbox.maxMessages` must be a whole number ≥ 0/],
    [{ url: 'ws://x', requestTimeoutMs: 0 }, /`requestTimeoutMs`/],
    [
      { url: 'ws://x', protocol: { parse: () => 1 } },
      /`protocol` must be a built-in protocol's name \(tabmux, graphql-ws, socket.io\) or an object with the functions .* missing: subscribe, unsubscribe/,
    ],
    [
      { url: 'ws://x', protocol: 'graphql' },
      /unknown protocol "graphql"; the built-in protocols are 'tabmux', 'graphql-ws', 'socket.io'/,
    ],
    [{ url: 'ws://x', protocol: 7 }, /unknown protocol 7; the built-in protocols are/],
    [
      { url: 'ws://x', protocol: { name: 'socket.io', room: 'x' } },
      /no option `room`; its options are namespace/,
    ],
    [
      { url: 'ws://x', protocol: { name: 'socket.io', namespace: 'chat' } },
      /`namespace` must be a string starting with '\/'/,
    ],
    [
      { url: 'ws://x', protocol: { name: 'graphql-ws', connectionParams: 'x' } },
      /`connectionParams` must be an object/,
    ],
    [{ url: 'ws://x', protocol: { name: 'tabmux', x: 1 } }, /takes no options/],
  ])('rejects %j with a TypeError that says what is expected', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrow(TypeError);
    expect(() => resolveOptions(options as never)).toThrow(message);
  });
});

test('a heartbeat interval of 0 turns it off whatever the timeout', () => {
  expect(resolveOptions({ url: 'ws://x', heartbeat: { interval: 0 } }).hub.heartbeat.interval).toBe(0);
});

test('a delay function is accepted with the in-page transport', () => {
  const delay = (attempt: number) => attempt * 10;
  expect(resolveOptions({ url: 'ws://x', transport: 'in-page', reconnect: { delay } }).retryDelay).toBe(
    delay,
  );
});

test('http URLs become ws URLs, https become wss', () => {
  expect(normalizeUrl('http://example.com/ws')).toBe('ws://example.com/ws');
  expect(normalizeUrl('https://example.com/ws')).toBe('wss://example.com/ws');
});
