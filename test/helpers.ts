import WebSocket from 'ws';
import type { WebSocketConstructor } from '../worker/environment.js';
import type { HubConfig, HubEvent } from '../worker/protocol.js';
import { resolveOptions } from '../client/options.js';

/** A hub config with the client's defaults, changed by `changes`. */
export function testConfig(changes: Partial<HubConfig> & { url: string }): HubConfig {
  const { reconnect, heartbeat, protocols, lingerMs, maxMessageBytes, outbox } = resolveOptions({
    url: 'ws://x',
  });
  return { protocols, lingerMs, maxMessageBytes, outbox, reconnect, heartbeat, ...changes };
}

/** The `ws` package's client as the hub's WebSocket. */
export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

/** A tab sink that records every event it is given, and how many batches carried them. */
export function recordingSink() {
  const events: HubEvent[] = [];
  let batches = 0;
  const sink = (batch: HubEvent[]) => {
    batches++;
    events.push(...batch);
  };
  return {
    sink,
    events,
    get batches() {
      return batches;
    },
    messages: () => events.flatMap((event) => (event.type === 'message' ? [event.data] : [])),
    states: () => events.flatMap((event) => (event.type === 'status' ? [event.status.state] : [])),
  };
}

/** Resolves once `check` returns true, polling every 5 ms; rejects after `timeout` ms. */
export async function until(check: () => boolean, timeout = 3000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeout} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
