import type { HubConfig, HubEvent, SendResult, Stats, Status } from '../worker/protocol.js';
import { createEmitter, type Listener } from './emitter.js';
import { TabmuxError } from './errors.js';
import { inPageTransport } from './in-page-transport.js';
import { normalizeUrl, resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import { sharedWorkerTransport } from './shared-worker-transport.js';
import { HubLostError, type HubLink, type Transport, type TransportName } from './transport.js';

export interface ClientEvents {
  /** The connection's status changed; the same in every tab of a hub. */
  status: Status;
  /** A message from the server, decoded by the hub's codec. */
  message: unknown;
  /** Something went wrong that did not change the status: a frame that could not be decoded, a transport that failed. */
  error: TabmuxError;
}

export interface Client {
  /** The connection's status now. */
  readonly status: Status;
  /** The transport in use; `null` until one has attached (or when none could). */
  readonly transport: TransportName | null;
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof ClientEvents>(event: E, listener: Listener<ClientEvents[E]>): () => void;
  /** Sends `data` to the server through the hub. Never rejects: the result says whether it went out, and if not, why. */
  send(data: unknown): Promise<SendResult>;
  /** The hub's numbers: tabs attached, socket state, messages in and out. */
  stats(): Promise<Stats>;
  /**
   * Tries to connect now and resets the backoff, whatever the state: after `unauthorized`, `failed` or `suspended`
   * too. No effect while open. The hub is shared, so this reconnects every tab.
   */
  reconnect(): void;
  /** This tab leaves the hub; the hub and its socket live on for the other tabs. Idempotent. */
  close(): void;
}

const INITIAL_STATUS: Status = {
  state: 'connecting',
  attempt: 0,
  nextAttemptAt: null,
  lastClose: null,
  reason: null,
  rttMs: null,
};

/** Creates a client that shares one WebSocket with every tab of this browser that uses the same `name`. */
export function createClient(options: ClientOptions): Client {
  const resolved = resolveOptions(options);
  const emitter = createEmitter<ClientEvents>(['status', 'message', 'error']);
  const transports = candidates(resolved);
  let status = INITIAL_STATUS;
  let transport: TransportName | null = null;
  let link: HubLink | null = null;
  let closed = false;
  let linking = attach();

  function setStatus(next: Status): void {
    if (sameStatus(status, next)) return;
    status = next;
    emitter.emit('status', next);
  }

  function onEvents(batch: readonly HubEvent[]): void {
    for (const event of batch) {
      if (closed) return;
      if (event.type === 'message') emitter.emit('message', event.data);
      else if (event.type === 'status') setStatus(event.status);
      else emitter.emit('error', new TabmuxError(event.error.code, event.error.message));
    }
  }

  function fail(reason: string): null {
    setStatus({ ...status, state: 'failed', nextAttemptAt: null, reason });
    return null;
  }

  async function attach(): Promise<HubLink | null> {
    let config: HubConfig;
    try {
      config = await hubConfig(resolved);
    } catch (error) {
      emitter.emit('error', new TabmuxError('transport-failed', messageOf(error)));
      return fail(messageOf(error));
    }
    const reasons: string[] = [];
    for (const candidate of transports) {
      if (closed) return null;
      if (!candidate.canBeUsed()) {
        reasons.push(`${candidate.name}: not available here`);
        continue;
      }
      try {
        const attached = await candidate.attach(
          { config, online: isOnline() },
          { events: onEvents, lost: onLost },
          resolved.auth,
        );
        if (closed) {
          attached.detach();
          return null;
        }
        link = attached;
        transport = candidate.name;
        setStatus(attached.reply.status);
        return attached;
      } catch (error) {
        reasons.push(`${candidate.name}: ${messageOf(error)}`);
        emitter.emit(
          'error',
          new TabmuxError(
            'transport-failed',
            `tabmux: ${candidate.name} transport failed: ${messageOf(error)}`,
          ),
        );
      }
    }
    return closed ? null : fail(`no transport could attach (${reasons.join('; ')})`);
  }

  function onLost(reason: string): void {
    if (closed) return;
    link = null;
    setStatus({
      ...status,
      state: 'reconnecting',
      nextAttemptAt: null,
      reason: `${reason}; attaching again`,
    });
    linking = attach();
  }

  // A SharedWorker never learns that a tab went away, so the tab says goodbye itself, and comes back
  // if the page is restored from the back/forward cache.
  const onPageHide = () => {
    link?.detach();
    link = null;
  };
  const onPageShow = (event: { persisted?: boolean }) => {
    if (event.persisted && !closed && link === null) linking = attach();
  };
  // Workers do not reliably get online/offline events, and hidden tabs' timers run late: tabs tell the hub.
  const onOnline = () => link?.network(true);
  const onOffline = () => link?.network(false);
  const onVisible = () => {
    if ((globalThis as { document?: Document }).document?.visibilityState === 'visible') link?.wake();
  };
  const pageEvents: [string, (event: never) => void][] = [
    ['pagehide', onPageHide],
    ['pageshow', onPageShow],
    ['online', onOnline],
    ['offline', onOffline],
    ['visibilitychange', onVisible],
  ];
  const events = globalThis as unknown as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
  for (const [name, listener] of pageEvents) events.addEventListener?.(name, listener as EventListener);

  return {
    get status() {
      return status;
    },
    get transport() {
      return transport;
    },
    on: (event, listener) => emitter.on(event, listener),
    send(data) {
      if (closed) return Promise.resolve(refusedClosed());
      if (link) return link.send(data);
      let snapshot: unknown;
      try {
        // The data is taken as it is now, not as it may be once the hub is attached.
        snapshot = structuredClone(data);
      } catch (error) {
        return Promise.resolve({
          outcome: 'refused',
          reason: 'not-encodable',
          message: `the data cannot be cloned: ${messageOf(error)}`,
        });
      }
      return linking.then((attached) => {
        if (closed) return refusedClosed();
        if (!attached)
          return {
            outcome: 'refused',
            reason: 'not-open',
            message: `no hub is attached (status: ${status.state})`,
          };
        return attached.send(snapshot);
      });
    },
    async stats() {
      // One retry: a hub replaced while the call was under way is asked again once the tab has re-attached.
      for (let tries = 0; ; tries++) {
        const attached = link ?? (await linking);
        if (closed) throw new TabmuxError('transport-failed', 'tabmux: this client is closed');
        if (!attached) {
          throw new TabmuxError('transport-failed', `tabmux: no hub is attached (status: ${status.state})`);
        }
        try {
          return await attached.stats();
        } catch (error) {
          if (tries > 0 || !(error instanceof HubLostError)) throw error;
        }
      }
    },
    reconnect() {
      if (closed) return;
      if (link) link.reconnect();
      else if (status.state === 'failed') linking = attach();
    },
    close() {
      if (closed) return;
      closed = true;
      for (const [name, listener] of pageEvents)
        events.removeEventListener?.(name, listener as EventListener);
      link?.detach();
      link = null;
      setStatus({ ...status, state: 'closed', nextAttemptAt: null, reason: 'the client was closed' });
      emitter.clear();
    },
  };
}

function candidates(options: ResolvedOptions): Transport[] {
  const shared = sharedWorkerTransport(options);
  const inPage = inPageTransport(options.WebSocket, options.retryDelay);
  if (options.transport === 'shared-worker') return [shared];
  if (options.transport === 'in-page') return [inPage];
  return [shared, inPage];
}

async function hubConfig(options: ResolvedOptions): Promise<HubConfig> {
  const raw = typeof options.url === 'function' ? await options.url() : options.url;
  if (typeof raw !== 'string')
    throw new TypeError(`tabmux: the \`url\` function must return a string; got ${typeof raw}`);
  return {
    url: normalizeUrl(raw),
    protocols: options.protocols,
    lingerMs: options.lingerMs,
    maxMessageBytes: options.maxMessageBytes,
    reconnect: options.reconnect,
    heartbeat: options.heartbeat,
  };
}

function sameStatus(a: Status, b: Status): boolean {
  return (
    a.state === b.state &&
    a.attempt === b.attempt &&
    a.nextAttemptAt === b.nextAttemptAt &&
    a.reason === b.reason &&
    a.rttMs === b.rttMs &&
    a.lastClose?.code === b.lastClose?.code &&
    a.lastClose?.reason === b.lastClose?.reason
  );
}

function isOnline(): boolean {
  return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false;
}

function refusedClosed(): SendResult {
  return { outcome: 'refused', reason: 'closed', message: 'this client is closed' };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
