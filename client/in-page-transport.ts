// The hub runs inside this page: one socket for this tab alone, the same session as through a SharedWorker.
import type { RetryDelay } from '../hub/backoff.js';
import type { WebSocketConstructor } from '../hub/environment.js';
import type { WireProtocol } from '../hub/wire-protocol.js';
import { remoteSession, type Transport } from './transport.js';

export function inPageTransport(
  WebSocketImpl: WebSocketConstructor | undefined,
  retryDelay: RetryDelay | undefined,
  protocol: WireProtocol | undefined,
): Transport {
  return {
    name: 'in-page',
    canBeUsed: () => WebSocketImpl !== undefined || typeof globalThis.WebSocket === 'function',
    async attach({ config, online, debug }, handlers, providers) {
      // Loaded only when needed: browsers with SharedWorker (most) never download the hub into the page.
      const { createHub } = await import('../hub/hub.js');
      const spec = config.protocol;
      const wire =
        protocol ?? (spec && (await (await import('../hub/protocols/load-protocol.js')).loadProtocol(spec)));
      const hub = createHub(config, {
        environment: WebSocketImpl ? { WebSocket: WebSocketImpl } : {},
        ...(retryDelay && { retryDelay }),
        ...(wire && { protocol: wire }),
      });
      const { session, status } = hub.attach(handlers.events, providers);
      session.network(online);
      // Before the connection says anything: its first attempt starts only after an await.
      if (debug) session.debug(true);
      return {
        reply: { hubId: hub.id, hubLock: null, status },
        session: remoteSession(async (method, args) =>
          (session[method] as (...a: typeof args) => unknown)(...args),
        ),
        // No other tab can use this hub, so lingering would only keep a socket nobody reads.
        detach: () => hub.dispose(),
      };
    },
  };
}
