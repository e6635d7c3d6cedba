// The SharedWorker host in Node: its ports are Node's MessagePorts, which Comlink drives as a browser's.
import { transfer, wrap, type Remote } from 'comlink';
import { afterEach, expect, test, vi } from 'vitest';
import { fakeClock, fakeEnvironment } from '../test/fake-time.js';
import { testConfig } from '../test/helpers.js';
import type { AttachReply, AttachRequest, TabSession } from './session-types.js';
import { hostSharedWorker, type SharedWorkerScopeLike } from './shared-worker-host.js';

type Door = TabSession & { attach(request: AttachRequest, events: MessagePort): AttachReply };
const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

function host() {
  const scope: SharedWorkerScopeLike = { name: 'test', onconnect: null };
  hostSharedWorker({ scope, locks: null, environment: fakeEnvironment(fakeClock()) });
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
      return { door: wrap<Door>(port1) as Remote<Door>, refusals };
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
  await expect(door.send(1)).rejects.toMatchObject({ name: 'HubLostError' });
});
