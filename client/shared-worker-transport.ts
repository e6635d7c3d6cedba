import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import { globalLocks, holdLock } from '../worker/locks.js';
import type { GuardRefusal } from '../worker/port-guard.js';
import type { AttachReply, HubEvent, HubRemote, SendResult } from '../worker/protocol.js';
import { defaultWorker } from './default-worker.js';
import { HubLostError, type Transport } from './transport.js';
import { TimeoutError, withTimeout } from './with-timeout.js';

export interface SharedWorkerTransportOptions {
  readonly name: string;
  readonly worker?: (name: string) => SharedWorker;
  readonly probeTimeoutMs: number;
  readonly callTimeoutMs: number;
}

/**
 * The hub runs in a SharedWorker shared by every tab of this browser profile. Control calls go through Comlink;
 * the hub's events arrive in batches on a plain MessagePort, because a Comlink call per message costs 2–3×.
 */
export function sharedWorkerTransport(options: SharedWorkerTransportOptions): Transport {
  return {
    name: 'shared-worker',
    canBeUsed: () => typeof SharedWorker === 'function',
    async attach(request, handlers, auth) {
      const locks = globalLocks();
      // Held for as long as this tab is attached: the hub is granted it, and detaches the tab, when the tab dies.
      const tabLock = locks ? `tabmux:${options.name}:tab:${crypto.randomUUID()}` : null;
      const releaseTabLock = locks && tabLock ? await holdLock(locks, tabLock) : () => {};
      const worker = (options.worker ?? defaultWorker)(options.name);
      const remote: Remote<HubRemote> = wrap<HubRemote>(worker.port);
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
      worker.port.addEventListener('message', (event: MessageEvent<Partial<GuardRefusal>>) => {
        if (event.data?.type === 'tabmux:refused') handlers.refused(String(event.data.message));
      });
      const loadFailed = new Promise<never>((_, reject) =>
        worker.addEventListener('error', () => reject(new Error('the SharedWorker script failed to load'))),
      );
      let reply: AttachReply;
      try {
        reply = await withTimeout(
          Promise.race([
            remote.attach(
              { ...request, tabLock },
              transfer(channel.port2, [channel.port2]),
              auth && proxy(auth),
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

      const call = <T>(promise: Promise<T>, what: string): Promise<T> =>
        withTimeout(
          Promise.race([promise, gone]),
          options.callTimeoutMs,
          `the hub did not answer ${what} within ${options.callTimeoutMs} ms`,
        ).catch((error: unknown) => {
          if (error instanceof TimeoutError) lose(error.message);
          throw error;
        });

      /** A call whose result says what became of a message: it never rejects, it refuses with the reason. */
      const sending = async (promise: Promise<SendResult>, what: string): Promise<SendResult> => {
        try {
          return await call(promise, what);
        } catch (error) {
          if (error instanceof DOMException && error.name === 'DataCloneError') {
            return {
              outcome: 'refused',
              reason: 'not-encodable',
              message: `the data cannot be cloned: ${error.message}`,
            };
          }
          const reason =
            error instanceof TimeoutError || error instanceof HubLostError ? 'hub-unreachable' : 'closed';
          return {
            outcome: 'refused',
            reason,
            message: error instanceof Error ? error.message : String(error),
          };
        }
      };

      return {
        reply,
        send: (data) => sending(remote.send(reply.tabId, data), 'a send'),
        publish: (channel, data) => sending(remote.publish(reply.tabId, channel, data), 'a publish'),
        request: (requestId, data) => sending(remote.request(reply.tabId, requestId, data), 'a request'),
        subscribe: (request) => call(remote.subscribe(reply.tabId, request), 'a subscribe'),
        unsubscribe: (channel) => call(remote.unsubscribe(reply.tabId, channel), 'an unsubscribe'),
        cancelRequest: (requestId) =>
          void call(remote.cancelRequest(reply.tabId, requestId), 'a cancel').catch(() => {}),
        stats: () => call(remote.stats(), 'stats()'),
        reconnect: () => void call(remote.reconnect(), 'reconnect()').catch(() => {}),
        network: (online) => void call(remote.network(online), 'a network report').catch(() => {}),
        wake: () => void call(remote.wake(), 'wake()').catch(() => {}),
        detach() {
          if (!attached) return;
          // A goodbye the hub may never read if the page is going away; the released tab lock says it too.
          remote.detach(reply.tabId).catch(() => {});
          leave();
        },
      };
    },
  };
}
