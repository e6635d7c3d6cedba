// The SharedWorker host in Node: its ports are Node's MessagePorts, which Comlink drives as a browser's.
import { HubLostError, rebuildHubLost } from '../protocol/errors.js';
import { transfer, wrap, type Remote } from 'comlink';
import { afterEach, expect, test, vi } from 'vitest';
import { fakeClock, fakeEnvironment, FakeWebSocket } from '../test/fake-time.js';
import { testConfig } from '../test/helpers.js';
import type { AttachReply, AttachRequest, TabSession } from '../protocol/session-types.js';
import { hostSharedWorker, type HostOptions, type SharedWorkerScopeLike } from './shared-worker-host.js';
import { defaultProtocol } from '../hub/wire-protocol.js';

type Door = TabSession & { attach(request: AttachRequest, events: MessagePort): AttachReply };
const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

function host(options: Pick<HostOptions, 'protocol'> = {}) {
  const scope: SharedWorkerScopeLike = { name: 'test', onconnect: null };
  hostSharedWorker({ scope, locks: null, environment: fakeEnvironment(fakeClock()), ...options });
  return {
    /** A tab's connection: Comlink's proxy of its door, and the port's refusal messages. */
    connect() {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1, port2);
      scope.onconnect!({ ports: [port2] });
      const refusals: string[] = [];
      port1.addEventListener('message', (event) => {
        if (event.data?.type === 'tabmux:refused') refusals.push(event.data.message);
      });
      return { door: wrap<Door>(port1) as Remote<Door>, refusals, port: port1 };
    },
  };
}

function attachRequest(changes: Partial<AttachRequest> = {}): [AttachRequest, MessagePort] {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  const request = {
    config: testConfig({ url: 'ws://server.test/' }),
    tabLock: null,
    online: true,
    ...changes,
  };
  return [request, transfer(port2, [port2])];
}

test('refusals before any tab made a hub are counted once one does', async () => {
  const { connect } = host();
  const early = connect();
  const [bad, badEvents] = attachRequest({ online: 'yes' as never });
  await expect(early.door.attach(bad, badEvents)).rejects.toMatchObject({ code: 'bad-request' });
  await vi.waitFor(() => expect(early.refusals).toHaveLength(1));
  const good = connect();
  await good.door.attach(...attachRequest());
  expect((await good.door.stats()).badRequests).toBe(1);
});

test('a session call on a port that never attached says so, for the tab to attach (again)', async () => {
  const { connect } = host();
  const { door } = connect();
  await expect(
    door.send(1).catch((error: unknown) => Promise.reject(rebuildHubLost(error))),
  ).rejects.toBeInstanceOf(HubLostError);
});

test('the first tab names the protocol the hub loads; a tab asking for another one is refused, saying why', async () => {
  const { connect } = host();
  const graphql = testConfig({ url: 'ws://server.test/', protocol: { name: 'graphql-ws', options: {} } });
  const first = connect();
  await first.door.attach(...attachRequest({ config: graphql }));
  expect(FakeWebSocket.last.protocols).toEqual(['graphql-transport-ws']);
  const other = connect();
  await expect(other.door.attach(...attachRequest())).rejects.toThrow(
    /is connected to ws:\/\/server.test\/ \{"name":"graphql-ws","options":\{\}\}, not ws:\/\/server.test\/ null; give this client another `name`/,
  );
});

test('a worker entry with a protocol of its own refuses a tab that names a built-in one', async () => {
  const { connect } = host({ protocol: defaultProtocol });
  const tab = connect();
  const config = testConfig({ url: 'ws://server.test/', protocol: { name: 'socket.io', options: {} } });
  await expect(tab.door.attach(...attachRequest({ config }))).rejects.toThrow(
    /hosts a protocol of its own, not the 'socket.io' protocol the tab asks for/,
  );
});

test('a message of a type the door does not take, ENDPOINT included, is refused to that call and counted, not left unanswered', async () => {
  const { connect } = host();
  const tab = connect();
  await tab.door.attach(...attachRequest());
  // The tab's own port, posted to by hand: an unknown type, and Comlink's ENDPOINT, which would hand out a second
  // port to the same session, bypassing this guard.
  const raw = tab.port;
  const answers: { type?: unknown; id?: unknown; ports: number }[] = [];
  raw.addEventListener('message', (event) =>
    answers.push({ type: event.data?.type, id: event.data?.id, ports: event.ports.length }),
  );
  raw.postMessage({ id: 'odd-1', type: 'FROB', path: [] });
  raw.postMessage({ id: 'end-1', type: 'ENDPOINT', path: [null] });
  await vi.waitFor(() =>
    expect(answers).toEqual(
      expect.arrayContaining([
        { type: 'tabmux:refused', id: 'odd-1', ports: 0 },
        { type: 'tabmux:refused', id: 'end-1', ports: 0 },
      ]),
    ),
  );
  // No answer carried a port: no second door was opened.
  expect(answers.every((answer) => answer.ports === 0)).toBe(true);
  expect((await tab.door.stats()).badRequests).toBe(2);
});
