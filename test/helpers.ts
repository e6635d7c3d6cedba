// What the unit tests share: a hub config with the defaults, a recording tab sink, Node's WebSocket.
import WebSocket from 'ws';
import type { WebSocketConstructor } from '../hub/environment.js';
import { resolveHubSettings } from '../hub/hub-config.js';
import type { HubConfig, HubEvent } from '../protocol/session-types.js';

/** A hub config with the client's defaults, changed by `changes`. */
export function testConfig(changes: Partial<HubConfig> & { url: string | null }): HubConfig {
  return { ...resolveHubSettings({}), ...changes };
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
    /** Each channel message as `channel:seq`, runs unrolled. */
    channelMessages: () =>
      events.flatMap((event) =>
        event.type === 'channel'
          ? event.messages.map((_, i) => `${event.channel}:${event.seq === null ? '-' : event.seq + i}`)
          : [],
      ),
    ofType: <T extends HubEvent['type']>(type: T) =>
      events.filter((event): event is Extract<HubEvent, { type: T }> => event.type === type),
  };
}
