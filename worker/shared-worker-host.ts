import { expose } from 'comlink';
import type { RetryDelay } from './backoff.js';
import type { Codec } from './codec.js';
import type { HubEnvironment } from './environment.js';
import { createHub, type Hub, type HubOptions } from './hub.js';
import { globalLocks, holdLock, type LockManagerLike } from './locks.js';
import { guardPort } from './port-guard.js';
import type { AttachRequest, HubRemote, TokenProvider } from './protocol.js';
import type { WireProtocol } from './wire-protocol.js';

/** The part of a SharedWorker's global scope the host uses. */
export interface SharedWorkerScopeLike {
  readonly name: string;
  onconnect: ((event: { readonly ports: readonly MessagePort[] }) => void) | null;
}

export interface HostOptions {
  /** How messages become socket frames and back. @default jsonCodec */
  readonly codec?: Codec;
  /** Maps the hub's operations to your server's messages. @default defaultProtocol (tabmux's JSON protocol) */
  readonly protocol?: WireProtocol;
  /** Replaces the backoff: ms before retry number `attempt` (from 0). @default full jitter from the tabs' `reconnect` */
  readonly retryDelay?: RetryDelay;
  /** Replaces parts of the hub's environment (WebSocket, clock, timers, random, ids). */
  readonly environment?: Partial<HubEnvironment>;
  /** The scope whose `onconnect` receives tabs. @default globalThis */
  readonly scope?: SharedWorkerScopeLike;
  /** Web Locks used to notice dead tabs and to tell tabs the hub died; `null` turns both off. @default navigator.locks */
  readonly locks?: LockManagerLike | null;
}

/**
 * Serves one hub to every tab that connects to this SharedWorker. Call it once at the top of the worker file;
 * pass options to use another codec, protocol or environment in your own worker entry.
 */
export function hostSharedWorker(options: HostOptions = {}): void {
  const scope = options.scope ?? (globalThis as unknown as SharedWorkerScopeLike);
  const locks = options.locks === undefined ? globalLocks() : options.locks;
  const hubOptions: HubOptions = {
    ...(options.codec && { codec: options.codec }),
    ...(options.protocol && { protocol: options.protocol }),
    ...(options.environment && { environment: options.environment }),
    ...(options.retryDelay && { retryDelay: options.retryDelay }),
  };
  // Tabs queue for this lock; it is granted to them only when this worker dies, however it dies.
  const hubLock = locks ? `tabmux:${scope.name}:hub:${Math.random().toString(36).slice(2)}` : null;
  const hubLockHeld = locks && hubLock ? holdLock(locks, hubLock) : Promise.resolve();
  let hub: Hub | null = null;

  function attached(): Hub {
    if (!hub) throw new TypeError('tabmux: attach before anything else');
    return hub;
  }

  const remote: HubRemote = {
    async attach(request: AttachRequest, events: MessagePort, auth?: TokenProvider) {
      checkAttachRequest(request, events, auth);
      await hubLockHeld;
      hub ??= createHub(request.config, hubOptions);
      const current = hub;
      if (current.config.url !== request.config.url) {
        throw new Error(
          `tabmux: the hub named "${scope.name}" is connected to ${current.config.url}, not ${request.config.url}; give this client another \`name\``,
        );
      }
      current.setOnline(request.online !== false);
      const { tabId, status } = current.attach((batch) => events.postMessage(batch), auth);
      if (locks && request.tabLock) {
        // Granted when the tab releases its lock or dies without a word.
        void locks.request(request.tabLock, () => {
          current.detach(tabId);
          events.close();
        });
      }
      return { tabId, hubId: current.id, hubLock, status };
    },
    send: (tabId, data) => attached().send(tabId, data),
    subscribe: (tabId, request) => attached().subscribe(tabId, request),
    unsubscribe: (tabId, channel) => attached().unsubscribe(tabId, channel),
    publish: (tabId, channel, data) => attached().publish(tabId, channel, data),
    request: (tabId, requestId, data) => attached().request(tabId, requestId, data),
    cancelRequest: (tabId, requestId) => attached().cancelRequest(tabId, requestId),
    stats: () => attached().stats(),
    detach: (tabId) => hub?.detach(tabId),
    reconnect: () => hub?.reconnect(),
    network: (online) => hub?.setOnline(online === true),
    wake: () => hub?.wake(),
  };

  const methods = Object.keys(remote);
  scope.onconnect = (event) => {
    const port = event.ports[0];
    if (port)
      expose(
        remote,
        guardPort(port, methods, () => hub?.countBadRequest()),
      );
  };
}

function checkAttachRequest(request: AttachRequest, events: unknown, auth: unknown): void {
  const config = request?.config;
  if (
    typeof config?.url !== 'string' ||
    !Array.isArray(config.protocols) ||
    typeof config.lingerMs !== 'number' ||
    typeof config.maxMessageBytes !== 'number' ||
    typeof config.outbox !== 'object' ||
    typeof config.reconnect !== 'object' ||
    typeof config.heartbeat !== 'object' ||
    !(events instanceof MessagePort) ||
    (auth !== undefined && typeof auth !== 'function')
  ) {
    throw new TypeError(
      'tabmux: attach expects ({ config: HubConfig, tabLock, online }, MessagePort, auth?)',
    );
  }
}
