import { expect, test } from 'vitest';
import { hubHarness } from '../test/hub-harness.js';

const live = (sockets: readonly { live: boolean }[]) => sockets.filter((socket) => socket.live).length;

test('going offline and online five times leaves one socket open, not six', async () => {
  const { tab, open, sockets, settle } = hubHarness();
  const { session } = tab();
  await open();
  for (let cycle = 0; cycle < 5; cycle++) {
    session.network(false);
    await settle();
    session.network(true);
    await open();
  }
  expect(sockets()).toHaveLength(6);
  expect(live(sockets())).toBe(1);
  for (const socket of sockets().slice(0, 5))
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'browser offline' });
});

test('a hub disposed (an in-page client closed) closes its socket with a code the browser accepts', async () => {
  const { hub, tab, open, socket } = hubHarness();
  tab();
  await open();
  hub.dispose();
  expect(socket().closedWith).toEqual({ code: 1000, reason: 'hub disposed' });
  expect(socket().live).toBe(false);
});

test('a socket whose close() throws is closed again without arguments, never just forgotten', async () => {
  const { tab, open, socket } = hubHarness();
  const { session } = tab();
  await open();
  const ws = socket();
  const close = ws.close.bind(ws);
  let refusals = 0;
  ws.close = (code?: number, reason?: string) => {
    if (code !== undefined && refusals++ === 0) throw new DOMException('refused', 'SyntaxError');
    close(code, reason);
  };
  session.network(false);
  expect(ws.live).toBe(false);
  expect(ws.closedWith).toEqual({ code: undefined, reason: undefined });
});

test('one tab saying offline does not take the socket from the others; all of them saying so does', async () => {
  const { hub, tab, open, sockets, settle } = hubHarness();
  const [a, b] = [tab(), tab()];
  await open();
  a.session.network(false);
  await settle();
  expect(hub.stats().state).toBe('open');
  expect(live(sockets())).toBe(1);
  b.session.network(false);
  await settle();
  expect(hub.stats().state).toBe('offline');
  expect(live(sockets())).toBe(0);
  a.session.network(true);
  await open();
  expect(hub.stats().state).toBe('open');
  expect(sockets()).toHaveLength(2);
});

test('a tab that leaves no longer counts: if every tab left says offline, the hub is offline', async () => {
  const { hub, tab, open, settle } = hubHarness();
  const [a, b] = [tab(), tab()];
  await open();
  a.session.network(false);
  b.session.detach();
  await settle();
  expect(hub.stats().state).toBe('offline');
});

test('500 offline/online flaps from one tab, the other online: the one socket stays, nothing reconnects', async () => {
  const { hub, tab, open, sockets, settle } = hubHarness();
  const [flapping] = [tab(), tab()];
  await open();
  for (let i = 0; i < 500; i++) {
    flapping!.session.network(false);
    flapping!.session.network(true);
  }
  await settle();
  expect(sockets()).toHaveLength(1);
  expect(hub.stats()).toMatchObject({ state: 'open', connections: 1 });
});

test('500 flaps of a lone tab, with no pause between: never more than one socket alive, and open at the end', async () => {
  const { hub, tab, open, sockets, settle } = hubHarness();
  const { session } = tab();
  await open();
  let most = 0;
  for (let i = 0; i < 500; i++) {
    session.network(false);
    most = Math.max(most, live(sockets()));
    session.network(true);
    if (i % 7 === 0) await settle(); // attempts in flight when the next flap comes, and some that got through
    most = Math.max(most, live(sockets()));
  }
  await open();
  expect(most).toBeLessThanOrEqual(1);
  expect(live(sockets())).toBe(1);
  expect(hub.stats().state).toBe('open');
});
