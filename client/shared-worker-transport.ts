// The hub runs in a SharedWorker shared by every tab of this browser profile. Control calls go through Comlink; the
// hub's events arrive in batches on a plain MessagePort, because a Comlink call per message costs 2–3×.
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import { TimeoutError, withDeadline } from '../hub/deadline.js';
import { globalLocks, holdLock } from '../hub/locks.js';
import { HubLostError, rebuildHubLost } from '../protocol/errors.js';
import type { Status } from '../protocol/public-types.js';
import type {
  AttachReply,
  AttachRequest,
  HubConfig,
  HubEvent,
  PortRefusal,
  TabProviders,
  TabSession,
  TokenProvider,
  UrlProvider,
} from '../protocol/session-types.js';
import { defaultWorker } from './default-worker.js';
import { remoteSession, type HubLink, type LinkHandlers, type Transport } from './transport.js';

export interface SharedWorkerTransportOptions {
  readonly name: string;
  readonly worker: ((name: string) => SharedWorker) | undefined;
  readonly probeTimeoutMs: number;
  readonly callTimeoutMs: number;
}

/** What the SharedWorker host exposes on each tab's port. */
type Door = TabSession & {
  attach(request: AttachRequest, events: MessagePort, auth?: TokenProvider, url?: UrlProvider): AttachReply;
};

/**
 * The SharedWorker's name: tabs share a hub only when it matches, so it carries the server's URL and a built-in
 * protocol's name and options too (two Socket.IO namespaces at one URL are two hubs).
 */
export function workerName(name: string, config: Pick<HubConfig, 'url' | 'protocol'>): string {
  const at = config.url === null ? name : `${name}@${config.url}`;
  return config.protocol === null ? at : `${at} ${JSON.stringify(config.protocol)}`;
}

export function sharedWorkerTransport(options: SharedWorkerTransportOptions): Transport {
  return {
    name: 'shared-worker',
    canBeUsed: () => typeof SharedWorker === 'function',
    async attach(request, handlers, providers, again) {
      const locks = globalLocks();
      // Held for as long as this tab is attached: the hub is granted it, and detaches the tab, when the tab dies.
      const tabLock = locks ? `tabmux:${options.name}:tab:${crypto.randomUUID()}` : null;
      const releaseTabLock = locks && tabLock ? await holdLock(locks, tabLock) : () => {};
      const name = workerName(options.name, request.config);
      // Tabs start and attach to a hub one at a time. After a hub ends, Firefox gives tabs that ask at the same
      // moment separate new workers; taking turns, each finds the worker the first one started.
      const inTurn = <T>(attaching: () => Promise<T>): Promise<T> =>
        locks ? locks.request(`tabmux:${name}:attach`, attaching) : attaching();
      // Attaching again after a hub ended, Firefox may hand out the dying worker, which never answers: a short
      // wait for each of a few new workers finds the one that lives.
      const tries = again ? 3 : 1;
      const wait = again ? Math.min(options.probeTimeoutMs, 1000) : options.probeTimeoutMs;
      try {
        return await inTurn(async () => {
          for (let attempt = 1; ; attempt++) {
            try {
              return await connectWorker(options, name, { ...request, tabLock }, handlers, providers, {
                wait: attempt < tries ? wait : options.probeTimeoutMs,
                releaseTabLock,
              });
            } catch (error) {
              if (attempt >= tries || !(error instanceof TimeoutError)) throw error;
            }
          }
        });
      } catch (error) {
        releaseTabLock();
        throw error;
      }
    },
  };
}

/** Starts (or joins) the hub's SharedWorker and attaches to it; rejects if it does not answer within `wait` ms. */
async function connectWorker(
  options: SharedWorkerTransportOptions,
  name: string,
  request: AttachRequest,
  handlers: LinkHandlers,
  providers: TabProviders,
  { wait, releaseTabLock }: { readonly wait: number; readonly releaseTabLock: () => void },
): Promise<HubLink> {
  const locks = globalLocks();
  const worker = (options.worker ?? defaultWorker)(name);
  const remote: Remote<Door> = wrap<Door>(worker.port);
  const channel = new MessageChannel();
  const watch = new AbortController();
  let attached = true;
  // Calls still in flight when the hub is gone would never settle: they fail with this instead.
  let cutOff!: (error: Error) => void;
  const gone = new Promise<never>((_, reject) => (cutOff = reject));
  gone.catch(() => {});
  /** `forGood: false` when an attach failed: the tab may try another worker, under the same tab lock. */
  const leave = (forGood = true) => {
    if (!attached) return;
    attached = false;
    cutOff(new HubLostError('the tab left the hub, or the hub was lost, while the call was under way'));
    watch.abort();
    remote[releaseProxy]();
    channel.port1.close();
    worker.port.close();
    if (forGood) releaseTabLock();
  };
  const lose = (reason: string) => {
    if (!attached) return;
    leave();
    handlers.lost(reason);
  };

  /** Until the client takes the link: the newest status the port carried, newer than the attach reply's. */
  let portStatus: Status | null = null;
  let handedOver = false;
  channel.port1.onmessage = (event: MessageEvent<HubEvent[]>) => {
    if (!handedOver)
      for (const hubEvent of event.data) if (hubEvent.type === 'status') portStatus = hubEvent.status;
    try {
      handlers.events(event.data);
    } finally {
      // Read, handlers and all: the hub asked to hear it, and waits for a tab that stops reading (a frozen page).
      const last = event.data.at(-1);
      if (last?.type === 'ack') channel.port1.postMessage(last.upTo);
    }
  };
  worker.port.addEventListener('message', (event: MessageEvent<Partial<PortRefusal>>) => {
    if (event.data?.type === 'tabmux:refused') handlers.refused(String(event.data.message));
  });
  const loadFailed = new Promise<never>((_, reject) =>
    worker.addEventListener('error', () =>
      reject(
        new Error(
          'the SharedWorker failed to start: its script did not load, or another tab started it with other options (extendedLifetime)',
        ),
      ),
    ),
  );
  let reply: AttachReply;
  try {
    reply = await withDeadline(
      Promise.race([
        remote.attach(
          request,
          transfer(channel.port2, [channel.port2]),
          providers.auth && proxy(providers.auth),
          providers.url && proxy(providers.url),
        ),
        loadFailed,
      ]),
      wait,
      `the SharedWorker did not answer within ${wait} ms`,
    );
  } catch (error) {
    leave(false);
    throw error;
  }
  if (locks && reply.hubLock) {
    // Granted only when the hub's worker is gone, for whatever reason (its creating tab crashed, say).
    locks
      .request(reply.hubLock, { signal: watch.signal }, () => lose('the SharedWorker hub stopped'))
      .catch(() => {});
  }

  const session = remoteSession((method, args) =>
    withDeadline(
      Promise.race([(remote[method] as (...a: typeof args) => Promise<unknown>)(...args), gone]),
      options.callTimeoutMs,
      `the hub did not answer ${method}() within ${options.callTimeoutMs} ms`,
    ).catch((thrown: unknown) => {
      const error = rebuildHubLost(thrown);
      // A hub that does not answer, or no longer knows this tab (replaced under it), is attached to again.
      if (error instanceof TimeoutError || error instanceof HubLostError) lose(error.message);
      throw error;
    }),
  );
  return {
    // Read when the client takes the link: any status that came on the port by then is newer than the reply's.
    get reply() {
      handedOver = true;
      return portStatus ? { ...reply, status: portStatus } : reply;
    },
    session,
    detach() {
      if (!attached) return;
      // A goodbye the hub may never read if the page is going away; the released tab lock says it too.
      remote.detach().catch(() => {});
      leave();
    },
  };
}
