// Binary data that only one tab reads is moved to it; everything else is copied, and the hub keeps what it needs.
import { expect, test } from 'vitest';
import { hubHarness } from '../test/hub-harness.js';
import { copyOfBinary, movableBuffer } from './binary-transfer.js';
import type { HubEvent } from '../protocol/session-types.js';
import { defaultProtocol, type WireProtocol } from './wire-protocol.js';

/** Binary frames are messages of channel "bin"; anything else is tabmux's own protocol. */
const binaryChannel: WireProtocol = {
  ...defaultProtocol,
  parse: (message) =>
    message instanceof ArrayBuffer
      ? { kind: 'message', channel: 'bin', seq: null, data: message }
      : defaultProtocol.parse(message),
};

/** A tab whose sink records the transfer list of every batch, and moves the buffers as a port would. */
function portTab(harness: ReturnType<typeof hubHarness>) {
  const events: HubEvent[] = [];
  const transfers: ArrayBuffer[][] = [];
  const { session } = harness.hub.attach(
    (batch, transfer = []) => {
      transfers.push(transfer);
      // What postMessage does to a moved buffer: it is detached in the sender.
      events.push(...structuredClone(batch, { transfer }));
    },
    {},
    { acknowledges: false, transfers: true },
  );
  const data = () =>
    events.flatMap((event) =>
      event.type === 'channel' ? event.messages : event.type === 'message' ? [event.data] : [],
    );
  return { session, events, transfers, data };
}

const bytes = (...values: number[]) => new Uint8Array(values).buffer;
const frame = (harness: ReturnType<typeof hubHarness>, buffer: ArrayBuffer) =>
  harness.socket().onmessage?.({ data: buffer });

test('a binary channel message for one tab across a port is moved, and the channel keeps an intact copy', async () => {
  const harness = hubHarness({}, { protocol: binaryChannel });
  const only = portTab(harness);
  await harness.open();
  only.session.subscribe({ channel: 'bin', last: true, after: null });
  const sent = bytes(1, 2, 3);
  frame(harness, sent);
  await harness.settle();
  expect(only.transfers.flat()).toEqual([sent]);
  expect(sent.byteLength).toBe(0); // moved out of the hub
  expect(only.data().map((b) => [...new Uint8Array(b as ArrayBuffer)])).toEqual([[1, 2, 3]]);
  expect(harness.hub.stats().transferred).toBe(1);
  // A tab that joins later gets the channel's latest message from the hub's copy.
  const late = harness.tab();
  late.session.subscribe({ channel: 'bin', last: true, after: null });
  await harness.settle();
  const latest = late.ofType('channel').flatMap((e) => e.messages);
  expect(latest.map((b) => [...new Uint8Array(b as ArrayBuffer)])).toEqual([[1, 2, 3]]);
});

test('with two tabs, or a tab in the page, binary data is not moved', async () => {
  const harness = hubHarness({}, { protocol: binaryChannel });
  const [first, second] = [portTab(harness), portTab(harness)];
  const inPage = harness.tab();
  await harness.open();
  for (const tab of [first, second]) tab.session.subscribe({ channel: 'bin', last: true, after: null });
  inPage.session.subscribe({ channel: 'other', last: true, after: null });
  const sent = bytes(7, 8);
  frame(harness, sent);
  await harness.settle();
  expect([...first.transfers.flat(), ...second.transfers.flat()]).toEqual([]);
  expect(sent.byteLength).toBe(2);
  expect(first.data()).toHaveLength(1);
  expect(second.data()).toHaveLength(1);
  expect(harness.hub.stats().transferred).toBe(0);
});

test('a binary server message outside channels is moved to a lone tab across a port', async () => {
  const harness = hubHarness();
  const only = portTab(harness);
  await harness.open();
  const sent = bytes(9, 9, 9, 9);
  frame(harness, sent);
  await harness.settle();
  expect(only.transfers.flat()).toEqual([sent]);
  expect(only.data().map((b) => (b as ArrayBuffer).byteLength)).toEqual([4]);
});

test('a lone tab in the page shares the hub objects: nothing is moved or counted', async () => {
  const harness = hubHarness();
  const inPage = harness.tab();
  await harness.open();
  const sent = bytes(1);
  frame(harness, sent);
  await harness.settle();
  expect(inPage.messages()).toEqual([sent]);
  expect(harness.hub.stats().transferred).toBe(0);
});

test('what may be moved: a whole buffer or a view of all of one, never a view that shares its buffer', () => {
  const buffer = new ArrayBuffer(8);
  expect(movableBuffer(buffer)).toBe(buffer);
  expect(movableBuffer(new Uint8Array(buffer))).toBe(buffer);
  expect(movableBuffer(new DataView(buffer))).toBe(buffer);
  expect(movableBuffer(new Uint8Array(buffer, 4))).toBeNull();
  expect(movableBuffer(new Uint8Array(buffer, 0, 4))).toBeNull();
  expect(movableBuffer({ bytes: buffer })).toBeNull();
  expect(movableBuffer('text')).toBeNull();
  const view = new Uint16Array([1, 2, 3]);
  const copy = copyOfBinary(view);
  expect(copy).toBeInstanceOf(Uint16Array);
  expect([...copy]).toEqual([1, 2, 3]);
  expect(copy.buffer).not.toBe(view.buffer);
});
