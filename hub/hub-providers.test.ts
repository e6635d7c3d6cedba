import { expect, test } from 'vitest';
import { hubHarness } from '../test/hub-harness.js';

test('a tab whose auth never answers costs an attempt a short wait, once; the next tab answers and the hub opens', async () => {
  const { hub, tab, clock, sockets, socket, open } = hubHarness(); // connectTimeout: 10 s
  let asked = 0;
  tab({ auth: () => `token ${++asked}` });
  tab({ auth: () => new Promise<string>(() => {}) }); // the newest tab: frozen, its auth never settles
  const began = clock.now();
  await clock.advance(999);
  expect(sockets()).toHaveLength(0);
  await clock.advance(1);
  expect(sockets()).toHaveLength(1);
  expect(clock.now() - began).toBe(1000);
  await open();
  expect(socket().sent).toEqual([{ type: 'auth', token: 'token 1' }]);
  await socket().receive({ type: 'auth-ok' });
  expect(hub.stats().state).toBe('open');
  // The next attempt asks the tab that answers first: no wait at all.
  socket().drop(1012);
  await clock.advance(hub.stats().state === 'reconnecting' ? 1000 : 0);
  expect(sockets()).toHaveLength(2);
  expect(asked).toBe(2);
});

test('a tab whose auth fails is passed over at once for the next', async () => {
  const { tab, clock, sockets } = hubHarness();
  tab({ auth: () => 'good' });
  tab({
    auth: () => {
      throw new Error('this tab has no session');
    },
  });
  await clock.advance(0);
  expect(sockets()).toHaveLength(1);
});

test('a url function of a frozen tab is passed over the same way', async () => {
  const { tab, clock, sockets } = hubHarness({ url: null });
  tab({ url: () => 'ws://server.test/one' });
  tab({ url: () => new Promise<string>(() => {}) });
  await clock.advance(1000);
  expect(sockets().map((socket) => socket.url)).toEqual(['ws://server.test/one']);
});
