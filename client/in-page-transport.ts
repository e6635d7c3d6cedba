import { createHub } from '../worker/hub.js';
import type { WebSocketConstructor } from '../worker/environment.js';
import type { Transport } from './transport.js';

/** The hub runs inside this page: one socket for this tab alone. */
export function inPageTransport(WebSocketImpl: WebSocketConstructor | undefined): Transport {
  return {
    name: 'in-page',
    canBeUsed: () => WebSocketImpl !== undefined || typeof globalThis.WebSocket === 'function',
    async attach(config, handlers) {
      const hub = createHub(config, { environment: WebSocketImpl ? { WebSocket: WebSocketImpl } : {} });
      const { tabId, status } = hub.attach(handlers.events);
      return {
        reply: { tabId, hubId: hub.id, hubLock: null, status },
        send: async (data) => hub.send(tabId, data),
        stats: async () => hub.stats(),
        // No other tab can use this hub, so lingering would only keep a socket nobody reads.
        detach: () => hub.dispose(),
      };
    },
  };
}
