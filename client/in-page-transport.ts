import type { RetryDelay } from '../worker/backoff.js';
import type { WebSocketConstructor } from '../worker/environment.js';
import type { WireProtocol } from '../worker/wire-protocol.js';
import type { Transport } from './transport.js';

/** The hub runs inside this page: one socket for this tab alone. */
export function inPageTransport(
  WebSocketImpl: WebSocketConstructor | undefined,
  retryDelay: RetryDelay | undefined,
  protocol: WireProtocol | undefined,
): Transport {
  return {
    name: 'in-page',
    canBeUsed: () => WebSocketImpl !== undefined || typeof globalThis.WebSocket === 'function',
    async attach({ config, online }, handlers, auth) {
      // Loaded only when needed: browsers with SharedWorker (most) never download the hub into the page.
      const { createHub } = await import('../worker/hub.js');
      const hub = createHub(config, {
        environment: WebSocketImpl ? { WebSocket: WebSocketImpl } : {},
        ...(retryDelay && { retryDelay }),
        ...(protocol && { protocol }),
      });
      hub.setOnline(online);
      const { tabId, status } = hub.attach(handlers.events, auth);
      return {
        reply: { tabId, hubId: hub.id, hubLock: null, status },
        send: async (data) => hub.send(tabId, data),
        subscribe: async (request) => hub.subscribe(tabId, request),
        unsubscribe: async (channel) => hub.unsubscribe(tabId, channel),
        publish: async (channel, data) => hub.publish(tabId, channel, data),
        request: async (requestId, data) => hub.request(tabId, requestId, data),
        cancelRequest: (requestId) => hub.cancelRequest(tabId, requestId),
        stats: async () => hub.stats(),
        reconnect: () => hub.reconnect(),
        network: (value) => hub.setOnline(value),
        wake: () => hub.wake(),
        // No other tab can use this hub, so lingering would only keep a socket nobody reads.
        detach: () => hub.dispose(),
      };
    },
  };
}
