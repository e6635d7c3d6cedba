// A hub on a fake clock and a fake socket, with tabs that record what they are sent: how the hub's unit tests run.
import { createHub, type Hub, type HubOptions } from '../hub/hub.js';
import type { HubConfig, TabProviders } from '../protocol/session-types.js';
import { fakeClock, fakeEnvironment, FakeWebSocket } from './fake-time.js';
import { recordingSink, testConfig } from './helpers.js';

export function hubHarness(changes: Partial<HubConfig> = {}, options: HubOptions = {}) {
  const clock = fakeClock();
  const hub: Hub = createHub(testConfig({ url: 'ws://server.test/', ...changes }), {
    ...options,
    environment: { ...fakeEnvironment(clock), ...options.environment },
  });
  return {
    clock,
    hub,
    /** Attaches a tab that records its events. */
    tab(providers?: TabProviders) {
      const recorder = recordingSink();
      const { session, status } = hub.attach(recorder.sink, providers);
      return Object.assign(recorder, { session, status });
    },
    /** The newest socket the hub created. */
    socket: (): FakeWebSocket => FakeWebSocket.last,
    sockets: (): readonly FakeWebSocket[] => FakeWebSocket.instances,
    /** Lets pending promises, microtasks and timers due now run (batches reach the tabs). */
    settle: () => clock.advance(0),
    /** The server accepts the newest socket; the hub is open once this resolves. */
    async open() {
      await clock.advance(0);
      FakeWebSocket.last.open();
      await clock.advance(0);
    },
    /** The server sends `message` (as JSON) on the newest socket. */
    async receive(message: unknown) {
      FakeWebSocket.last.receive(message);
      await clock.advance(0);
    },
  };
}

export type HubHarness = ReturnType<typeof hubHarness>;
