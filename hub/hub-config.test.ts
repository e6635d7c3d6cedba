import { expect, test } from 'vitest';
import { testConfig } from '../test/helpers.js';
import { checkHubConfig } from './hub-config.js';
import { createHub } from './hub.js';

const good = testConfig({ url: 'ws://server.test/' });

test('a complete, valid configuration passes unchanged', () => {
  expect(checkHubConfig(good)).toEqual(good);
  const named = { ...good, protocol: { name: 'socket.io', options: { join: 'join' } } } as const;
  expect(checkHubConfig(named)).toEqual(named);
  expect(checkHubConfig({ ...good, url: null })).toEqual({ ...good, url: null });
});

test.each([
  [{ heartbeat: {} }, /`heartbeat.interval` must be a finite number ≥ 0; got undefined/],
  [{ reconnect: {} }, /`reconnect.initialDelay` must be a finite number ≥ 0; got undefined/],
  [{ outbox: {} }, /`outbox.maxMessages` must be a whole number ≥ 0; got undefined/],
  [{ maxMessageBytes: Number.NaN }, /`maxMessageBytes` must be a finite number ≥ 1; got NaN/],
  [{ lingerMs: Infinity }, /`lingerMs` must be a finite number ≥ 0; got Infinity/],
  [{ heartbeat: { ...good.heartbeat, ping: undefined } }, /`heartbeat.ping` is required/],
  [{ heartbeat: { ...good.heartbeat, timeout: 40_000 } }, /`heartbeat.timeout` \(40000\) must be less than/],
  [{ url: 'http://server.test/' }, /`url` must be an absolute ws: or wss: URL or null/],
  [{ url: 42 }, /`url` must be an absolute ws: or wss: URL or null/],
  [{ protocols: 'chat' }, /`protocols` must be an array of strings/],
  [{ protocol: undefined }, /`protocol` is required/],
  [{ protocol: { name: 'mqtt', options: {} } }, /unknown protocol "mqtt"/],
  [{ protocol: { name: 'socket.io', options: { join: 5 } } }, /`join` must be a non-empty string/],
  [{ protocol: { name: 'graphql-ws' } }, /a protocol spec must be \{ name, options \}/],
  [
    { reconnect: { ...good.reconnect, maxAttempts: -1 } },
    /`reconnect.maxAttempts` must be a whole number ≥ 0 or Infinity/,
  ],
])('the hub refuses %j with a TypeError naming the setting', (change, message) => {
  expect(() => checkHubConfig({ ...good, ...change })).toThrow(message);
  expect(() => createHub({ ...good, ...change } as never)).toThrow(TypeError);
});

test('something that is not a configuration at all is refused too', () => {
  for (const value of [null, 'ws://x', [], undefined])
    expect(() => checkHubConfig(value)).toThrow(/a hub configuration must be an object/);
});
