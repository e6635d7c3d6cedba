// The hub runs in a SharedWorker shared by every tab of this browser profile. Control calls go through Comlink; the
// hub's events arrive in batches on a plain MessagePort, because a Comlink call per message costs 2–3×.
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import { TimeoutError, withDeadline } from '../worker/deadline.js';
import { globalLocks, holdLock } from '../worker/locks.js';
import type {
  AttachReply,
  AttachRequest,
  HubEvent,
  PortRefusal,
  TabSession,
  TokenProvider,
  UrlProvider,
} from '../worker/session-types.js';
import { defaultWorker } from './default-worker.js';
import { HubLostError, remoteSession, type Transport } from './transport.js';

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

/** The SharedWorker's name: tabs share a hub only when it matches, so it carries the server's URL too. */
export function workerName(name: string, url: string | null): string {
  return url === null ? name : `${name}@${url}`;
}

export function sharedWorkerTransport(options: SharedWorkerTransportOptions): Transport {
  return {
    name: 'shared-worker',
    canBeUsed: () => typeof SharedWorker === 'function',
    async attach(request, handlers, providers) {
      const locks = globalLocks();
      // Held for as long as this tab is attached: the hub is granted it, and detaches the tab, when the tab dies.
      const tabLock = locks ? `tabmux:${options.name}:tab:${crypto.randomUUID()}` : null;
      const releaseTabLock = locks && tabLock ? await holdLock(locks, tabLock) : () => {};
      const worker = (options.worker ?? defaultWorker)(workerName(options.name, request.config.url));
      const remote: Remote<Door> = wrap<Door>(worker.port);
      const channel = new MessageChannel();
      const watch = new AbortController();
      let attached = true;
      // Calls still in flight when the hub is gone would never settle: they fail with this instead.
      let cutOff!: (error: Error) => void;
      const gone = new Promise<never>((_, reject) => (cutOff = reject));
      gone.catch(() => {});
      const leave = () => {
        if (!attached) return;
        attached = false;
        cutOff(new HubLostError('the tab left the hub, or the hub was lost, while the call was under way'));
        watch.abort();
        remote[releaseProxy]();
        channel.port1.close();
        worker.port.close();
        releaseTabLock();
      };
      const lose = (reason: string) => {
        if (!attached) return;
        leave();
        handlers.lost(reason);
      };

      channel.port1.onmessage = (event: MessageEvent<HubEvent[]>) => handlers.events(event.data);
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
              { ...request, tabLock },
              transfer(channel.port2, [channel.port2]),
              providers.auth && proxy(providers.auth),
              providers.url && proxy(providers.url),
            ),
            loadFailed,
          ]),
          options.probeTimeoutMs,
          `the SharedWorker did not answer within ${options.probeTimeoutMs} ms`,
        );
      } catch (error) {
        leave();
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
        ).catch((error: unknown) => {
          // A hub that does not answer, or no longer knows this tab (replaced under it), is attached to again.
          if (error instanceof TimeoutError || (error as Error | null)?.name === 'HubLostError')
            lose((error as Error).message);
          throw error;
        }),
      );
      return {
        reply,
        session,
        detach() {
          if (!attached) return;
          // A goodbye the hub may never read if the page is going away; the released tab lock says it too.
          remote.detach().catch(() => {});
          leave();
        },
      };
    },
  };
}
