// Binds one hub to a SharedWorker: each tab's port gets a door whose methods close over that tab's session.
import { expose, transferHandlers, type TransferHandler } from 'comlink';
import type { RetryDelay } from '../hub/backoff.js';
import type { Codec } from '../hub/codec.js';
import type { HubEnvironment } from '../hub/environment.js';
import { BadRequest, messageOf } from '../hub/errors.js';
import { checkHubConfig } from '../hub/hub-config.js';
import { createHub, type Hub, type HubOptions } from '../hub/hub.js';
import { globalLocks, holdLock, type LockManagerLike } from '../hub/locks.js';
import { HubLostError } from '../protocol/errors.js';
import { createDoor, guardPort, type OnRefused } from './port-door.js';
import { loadProtocol } from '../hub/protocols/load-protocol.js';
import { SESSION_METHODS } from '../protocol/session-methods.js';
import type {
  AttachReply,
  AttachRequest,
  HubConfig,
  PortRefusal,
  TabSession,
  TokenProvider,
  UrlProvider,
} from '../protocol/session-types.js';
import type { WireProtocol } from '../hub/wire-protocol.js';

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
  keepErrorCodes();
  const scope = options.scope ?? (globalThis as unknown as SharedWorkerScopeLike);
  const locks = options.locks === undefined ? globalLocks() : options.locks;
  const hubOptions: HubOptions = {
    ...(options.codec && { codec: options.codec }),
    ...(options.environment && { environment: options.environment }),
    ...(options.retryDelay && { retryDelay: options.retryDelay }),
  };
  // Tabs queue for this lock; it is granted to them only when this worker dies, however it dies.
  const hubLock = locks ? `tabmux:${scope.name}:hub:${Math.random().toString(36).slice(2)}` : null;
  const hubLockHeld = locks && hubLock ? holdLock(locks, hubLock) : Promise.resolve();
  let hub: Hub | null = null;
  /** The first attach makes the hub (loading a built-in protocol first); the others wait for it. */
  let hubMade: Promise<Hub> | null = null;
  /** Refusals before the first tab made a hub; the hub counts them from its start. */
  let refusedBeforeHub = 0;
  const countRefusal = () => (hub ? hub.countBadRequest() : refusedBeforeHub++);

  function serve(port: MessagePort): void {
    let session: TabSession | null = null;
    const refuse: OnRefused = (problem, id) => {
      countRefusal();
      const refusal: PortRefusal = {
        type: 'tabmux:refused',
        message: `tabmux: the hub refused a message: ${problem}`,
        ...(id !== undefined && { id }),
      };
      port.postMessage(refusal);
    };

    /** Refuses an attach: counted, told to the tab, and thrown so that Comlink answers the call. */
    function refuseAttach(message: string): never {
      countRefusal();
      const error = new BadRequest(message);
      port.postMessage({ type: 'tabmux:refused', message: error.message } satisfies PortRefusal);
      throw error;
    }

    async function attach(
      request: AttachRequest,
      events: MessagePort,
      auth?: TokenProvider,
      url?: UrlProvider,
    ): Promise<AttachReply> {
      try {
        checkAttachRequest(request, events, auth, url);
      } catch (error) {
        refuseAttach(`a bad attach: ${messageOf(error).replace(/^tabmux: /, '')}`);
      }
      if (session) refuseAttach('this port is attached already');
      await hubLockHeld;
      const spec = request.config.protocol;
      if (spec && options.protocol) {
        refuseAttach(
          `this worker's entry hosts a protocol of its own, not the '${spec.name}' protocol the tab asks for; remove one of them`,
        );
      }
      hubMade ??= (async () => {
        const wire = options.protocol ?? (spec ? await loadProtocol(spec) : undefined);
        hub = createHub(request.config, { ...hubOptions, ...(wire && { protocol: wire }) });
        hub.countBadRequest(refusedBeforeHub);
        return hub;
      })();
      let current: Hub;
      try {
        current = await hubMade;
      } catch (error) {
        hubMade = null;
        refuseAttach(`the hub could not start: ${messageOf(error).replace(/^tabmux: /, '')}`);
      }
      const differs = (config: HubConfig) =>
        `${config.url ?? 'a url function'} ${JSON.stringify(config.protocol)}`;
      if (differs(current.config) !== differs(request.config)) {
        refuseAttach(
          `the hub named "${scope.name}" is connected to ${differs(current.config)}, not ${differs(request.config)}; give this client another \`name\``,
        );
      }
      const attached = current.attach(
        (batch, transfer) => events.postMessage(batch, transfer ?? []),
        { auth, url },
        { acknowledges: true, transfers: true },
      );
      // The tab answers the hub's `ack` events on the events port, with how far it has read.
      events.onmessage = (event: MessageEvent<unknown>) => attached.read(event.data as number);
      session = attached.session;
      session.network(request.online !== false);
      // Before the connection says anything: its first attempt starts only after an await.
      if (request.debug === true) session.debug(true);
      if (locks && request.tabLock) {
        const leaving = session;
        // Granted when the tab releases its lock or dies without a word.
        void locks.request(request.tabLock, () => {
          leaving.detach();
          events.close();
        });
      }
      return { hubId: current.id, hubLock, status: attached.status };
    }

    const methods: Record<string, (...args: never[]) => unknown> = { attach };
    for (const name of SESSION_METHODS) {
      methods[name] = (...args: unknown[]) => {
        if (!session)
          throw new HubLostError('tabmux: this tab is not attached to this hub; attach (again) first');
        try {
          return (session[name] as (...a: unknown[]) => unknown)(...args);
        } catch (error) {
          if (error instanceof BadRequest)
            port.postMessage({ type: 'tabmux:refused', message: error.message });
          throw error;
        }
      };
    }
    expose(
      createDoor(methods, refuse, () => session?.detach()),
      guardPort(port, refuse),
    );
  }

  scope.onconnect = (event) => {
    const port = event.ports[0];
    if (port) serve(port);
  };
}

function checkAttachRequest(request: AttachRequest, events: unknown, auth: unknown, url: unknown): void {
  if (
    typeof request !== 'object' ||
    request === null ||
    !(events instanceof MessagePort) ||
    (auth !== undefined && typeof auth !== 'function') ||
    (url !== undefined && typeof url !== 'function') ||
    (request.tabLock !== null && typeof request.tabLock !== 'string') ||
    typeof request.online !== 'boolean' ||
    (request.debug !== undefined && typeof request.debug !== 'boolean')
  ) {
    throw new TypeError(
      'attach expects ({ config, tabLock: string | null, online: boolean, debug?: boolean }, MessagePort, auth?, url?)',
    );
  }
  checkHubConfig(request.config);
  if (request.config.url === null && url === undefined)
    throw new TypeError('a hub without a `url` needs a url function from the tab');
}

let codesKept = false;

/**
 * Errors keep their `code` across the port: Comlink's own handler sends only name, message and stack.
 * package.json pins Comlink to one version because the host leans on two of its behaviours that its docs leave
 * open: the `throw` handler's serialized shape (wrapped here) and `finalizer` running when a tab releases its proxy.
 */
function keepErrorCodes(): void {
  if (codesKept) return;
  codesKept = true;
  const original = transferHandlers.get('throw') as TransferHandler<unknown, unknown>;
  transferHandlers.set('throw', {
    canHandle: original.canHandle,
    deserialize: original.deserialize,
    serialize(thrown) {
      const [serialized, transfer] = original.serialize(thrown);
      const code = (thrown as { value?: { code?: unknown } | null }).value?.code;
      const error = serialized as { isError?: boolean; value?: Record<string, unknown> };
      if (typeof code === 'string' && error.isError && error.value) error.value['code'] = code;
      return [serialized, transfer];
    },
  });
}
