import { expose } from 'comlink';
import type { RetryDelay } from './backoff.js';
import type { Codec } from './codec.js';
import type { HubEnvironment } from './environment.js';
import { createHub, type Hub } from './hub.js';
import { globalLocks, holdLock, type LockManagerLike } from './locks.js';
import type { AttachRequest, HubRemote, TokenProvider } from './protocol.js';

/** The part of a SharedWorker's global scope the host uses. */
export interface SharedWorkerScopeLike {
  readonly name: string;
  onconnect: ((event: { readonly ports: readonly MessagePort[] }) => void) | null;
}

export interface HostOptions {
  /** How tab data becomes socket frames and back. @default jsonCodec */
  readonly codec?: Codec;
  /** Replaces parts of the hub's environment (WebSocket, clock, timers, random, ids). */
  readonly environment?: Partial<HubEnvironment>;
  /** The scope whose `onconnect` receives tabs. @default globalThis */
  readonly scope?: SharedWorkerScopeLike;
  /** Replaces the backoff: ms before retry number `attempt` (from 0). @default full jitter from the tabs' `reconnect` */
  readonly retryDelay?: RetryDelay;
  /** Web Locks used to notice dead tabs and to tell tabs the hub died; `null` turns both off. @default navigator.locks */
  readonly locks?: LockManagerLike | null;
}

/**
 * Serves one hub to every tab that connects to this SharedWorker. Call it once at the top of the worker file;
 * pass options to use another codec or environment in your own worker entry.
 */
export function hostSharedWorker(options: HostOptions = {}): void {
  const scope = options.scope ?? (globalThis as unknown as SharedWorkerScopeLike);
  const locks = options.locks === undefined ? globalLocks() : options.locks;
  const hubOptions = {
    ...(options.codec && { codec: options.codec }),
    ...(options.environment && { environment: options.environment }),
    ...(options.retryDelay && { retryDelay: options.retryDelay }),
  };
  // Tabs queue for this lock; it is granted to them only when this worker dies, however it dies.
  const hubLock = locks ? `tabmux:${scope.name}:hub:${Math.random().toString(36).slice(2)}` : null;
  const hubLockHeld = locks && hubLock ? holdLock(locks, hubLock) : Promise.resolve();
  let hub: Hub | null = null;

  const remote: HubRemote = {
    async attach(request: AttachRequest, events: MessagePort, auth?: TokenProvider) {
      checkAttachRequest(request, events);
      await hubLockHeld;
      hub ??= createHub(request.config, hubOptions);
      if (hub.config.url !== request.config.url) {
        throw new Error(
          `tabmux: the hub named "${scope.name}" is connected to ${hub.config.url}, not ${request.config.url}; give this client another \`name\``,
        );
      }
      const attached = hub;
      attached.setOnline(request.online !== false);
      const { tabId, status } = attached.attach((batch) => events.postMessage(batch), auth);
      if (locks && request.tabLock) {
        // Granted when the tab releases its lock or dies without a word.
        void locks.request(request.tabLock, () => {
          attached.detach(tabId);
          events.close();
        });
      }
      return { tabId, hubId: attached.id, hubLock, status };
    },
    send(tabId, data) {
      if (!hub)
        return { outcome: 'refused', reason: 'closed', message: 'this tab is not attached to the hub' };
      return hub.send(tabId, data);
    },
    stats() {
      if (!hub) throw new Error('tabmux: no tab has attached to this hub yet');
      return hub.stats();
    },
    detach(tabId) {
      hub?.detach(String(tabId));
    },
    reconnect() {
      hub?.reconnect();
    },
    network(online) {
      hub?.setOnline(online === true);
    },
    wake() {
      hub?.wake();
    },
  };

  scope.onconnect = (event) => {
    const port = event.ports[0];
    if (port) expose(remote, port);
  };
}

function checkAttachRequest(request: AttachRequest, events: unknown): void {
  const config = request?.config;
  if (
    typeof config?.url !== 'string' ||
    !Array.isArray(config.protocols) ||
    typeof config.lingerMs !== 'number' ||
    typeof config.maxMessageBytes !== 'number' ||
    typeof config.reconnect !== 'object' ||
    typeof config.heartbeat !== 'object' ||
    !(events instanceof MessagePort)
  ) {
    throw new TypeError('tabmux: attach expects ({ config: HubConfig, tabLock }, MessagePort)');
  }
}
