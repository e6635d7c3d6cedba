import type { HubConfig, HubEvent, SendResult, Stats, Status } from '../worker/protocol.js';
import { createEmitter, type Listener } from './emitter.js';
import { TabmuxError } from './errors.js';
import { inPageTransport } from './in-page-transport.js';
import { normalizeUrl, resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import { createRequests } from './requests.js';
import { sharedWorkerTransport } from './shared-worker-transport.js';
import { createSubscriptions, type ChannelHandler, type SubscribeOptions } from './subscriptions.js';
import { HubLostError, type HubLink, type Transport, type TransportName } from './transport.js';

/** Messages `from`..`to` (inclusive) of `channel` were lost: the server could no longer replay them. */
export interface Gap {
  readonly channel: string;
  readonly from: number;
  readonly to: number;
}

export interface ClientEvents {
  /** The connection's status changed; the same in every tab of a hub. */
  status: Status;
  /** A server message that is not part of a channel (or of the wire protocol), decoded by the hub's codec. */
  message: unknown;
  /** A subscribed channel lost messages the server could no longer replay: refetch instead of trusting a count. */
  gap: Gap;
  /** Something went wrong that did not change the status: a frame that could not be decoded, a transport that failed. */
  error: TabmuxError;
}

export interface RequestOptions {
  /** Ms to wait for the reply. @default the client's `requestTimeoutMs` */
  readonly timeout?: number;
}

export interface Client {
  /** The connection's status now. */
  readonly status: Status;
  /** The transport in use; `null` until one has attached (or when none could). */
  readonly transport: TransportName | null;
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof ClientEvents>(event: E, listener: Listener<ClientEvents[E]>): () => void;
  /**
   * Calls `handler` with every message of `channel`, each once and in order, from now until the returned function is
   * called. The server sees one subscribe per browser, however many tabs and handlers want the channel, and the
   * latest message the hub already has arrives at once (unless `last: false`).
   * Throws a TypeError for a channel that is not a non-empty string.
   */
  subscribe(channel: string, handler: ChannelHandler, options?: SubscribeOptions): () => void;
  /**
   * Sends `data` to the server through the hub. Never rejects: the result says whether it went out now, waits in the
   * outbox for the socket, or was refused, and why.
   */
  send(data: unknown): Promise<SendResult>;
  /** Publishes `data` on `channel`; a result like `send`'s. Throws a TypeError for a bad channel name. */
  publish(channel: string, data: unknown): Promise<SendResult>;
  /**
   * Sends a request and resolves with the server's reply, which only this tab receives. Rejects with a TabmuxError
   * whose `code` says why: `request-timeout`, `connection-closed` (the socket or the hub went away after it was
   * sent), `server-error`, or `refused` (it could not be sent; the message says why).
   */
  request(data: unknown, options?: RequestOptions): Promise<unknown>;
  /** The hub's numbers: tabs attached, socket state, messages in and out, channels, outbox. */
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
  const emitter = createEmitter<ClientEvents>(['status', 'message', 'gap', 'error']);
  const subscriptions = createSubscriptions(rethrowApart);
  const requests = createRequests();
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
      switch (event.type) {
        case 'channel':
          for (let i = 0; i < event.messages.length && !closed; i++) {
            subscriptions.deliver(event.channel, event.seq + i, event.messages[i]);
          }
          break;
        case 'message':
          emitter.emit('message', event.data);
          break;
        case 'status':
          setStatus(event.status);
          break;
        case 'gap':
          if (subscriptions.has(event.channel)) {
            emitter.emit('gap', { channel: event.channel, from: event.from, to: event.to });
          }
          break;
        case 'reply':
          requests.resolve(event.requestId, event.data);
          break;
        case 'reply-error':
          requests.reject(event.requestId, event.error);
          break;
        case 'error':
          emitter.emit('error', new TabmuxError(event.error.code, event.error.message));
      }
    }
  }

  function fail(reason: string): null {
    setStatus({ ...status, state: 'failed', nextAttemptAt: null, reason });
    return null;
  }

  function reportError(error: unknown): void {
    if (!closed) emitter.emit('error', new TabmuxError('transport-failed', messageOf(error)));
  }

  async function attach(): Promise<HubLink | null> {
    let config: HubConfig;
    try {
      config = await hubConfig(resolved);
    } catch (error) {
      reportError(error);
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
          {
            events: onEvents,
            lost: onLost,
            refused: (message) => !closed && emitter.emit('error', new TabmuxError('bad-request', message)),
          },
          resolved.auth,
        );
        if (closed) {
          attached.detach();
          return null;
        }
        link = attached;
        transport = candidate.name;
        setStatus(attached.reply.status);
        // Channels subscribed before the hub answered, or under a hub that was lost, resume where this tab left off.
        for (const request of subscriptions.requests()) attached.subscribe(request).catch(reportError);
        return attached;
      } catch (error) {
        reasons.push(`${candidate.name}: ${messageOf(error)}`);
        reportError(`tabmux: ${candidate.name} transport failed: ${messageOf(error)}`);
      }
    }
    return closed ? null : fail(`no transport could attach (${reasons.join('; ')})`);
  }

  function onLost(reason: string): void {
    if (closed) return;
    link = null;
    requests.rejectAll('connection-closed', `tabmux: ${reason} before the reply arrived`);
    setStatus({
      ...status,
      state: 'reconnecting',
      nextAttemptAt: null,
      reason: `${reason}; attaching again`,
    });
    linking = attach();
  }

  /** Runs `use` with the link, waiting for an attach under way; `orElse` answers when there is none. */
  function withLink<T>(use: (link: HubLink) => Promise<T>, orElse: () => T): Promise<T> {
    if (closed) return Promise.resolve(orElse());
    if (link) return use(link);
    return linking.then((attached) => (attached && !closed ? use(attached) : orElse()));
  }

  /** Data waiting for an attach is taken as it is now, not as it may be once the hub answers. */
  function snapshot(data: unknown): { data: unknown } | SendResult {
    if (link) return { data };
    try {
      return { data: structuredClone(data) };
    } catch (error) {
      return refused('not-encodable', `the data cannot be cloned: ${messageOf(error)}`);
    }
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
    subscribe(channel, handler, subscribeOptions = {}) {
      checkChannel(channel);
      if (typeof handler !== 'function') throw new TypeError('tabmux: subscribe needs a handler function');
      if (closed) throw new TypeError('tabmux: this client is closed');
      if (subscriptions.add(channel, handler, subscribeOptions)) {
        // Without a link yet, `attach` subscribes every channel once the hub answers.
        link?.subscribe(subscriptions.request(channel)!).catch(reportError);
      }
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        if (subscriptions.remove(channel, handler) && !closed) link?.unsubscribe(channel).catch(reportError);
      };
    },
    send(data) {
      const taken = snapshot(data);
      if ('outcome' in taken) return Promise.resolve(taken);
      return withLink((attached) => attached.send(taken.data), notAttached);
    },
    publish(channel, data) {
      checkChannel(channel);
      const taken = snapshot(data);
      if ('outcome' in taken) return Promise.resolve(taken);
      return withLink((attached) => attached.publish(channel, taken.data), notAttached);
    },
    request(data, requestOptions = {}) {
      const timeout = requestOptions.timeout ?? resolved.requestTimeoutMs;
      if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0) {
        return Promise.reject(
          new TypeError(`tabmux: a request timeout must be a number of ms > 0; got ${String(timeout)}`),
        );
      }
      const taken = snapshot(data);
      if ('outcome' in taken)
        return Promise.reject(
          new TabmuxError('refused', `tabmux: ${taken.outcome === 'refused' ? taken.message : ''}`),
        );
      const { id, reply } = requests.start(timeout, (timedOut) => link?.cancelRequest(timedOut));
      void withLink((attached) => attached.request(id, taken.data), notAttached).then((result) => {
        if (result.outcome === 'refused')
          requests.reject(
            id,
            new TabmuxError(
              'refused',
              `tabmux: the request was refused (${result.reason}): ${result.message}`,
            ),
          );
      });
      return reply;
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
      requests.rejectAll('connection-closed', 'tabmux: the client was closed before the reply arrived');
      setStatus({ ...status, state: 'closed', nextAttemptAt: null, reason: 'the client was closed' });
      emitter.clear();
    },
  };

  function notAttached(): SendResult {
    return closed
      ? refused('closed', 'this client is closed')
      : refused('not-open', `no hub is attached (status: ${status.state})`);
  }
}

function candidates(options: ResolvedOptions): Transport[] {
  const shared = sharedWorkerTransport(options);
  const inPage = inPageTransport(options.WebSocket, options.retryDelay, options.protocol);
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
    outbox: options.outbox,
    reconnect: options.reconnect,
    heartbeat: options.heartbeat,
  };
}

function checkChannel(channel: unknown): asserts channel is string {
  if (typeof channel !== 'string' || channel === '') {
    throw new TypeError(
      `tabmux: a channel name must be a non-empty string; got ${JSON.stringify(channel) ?? String(channel)}`,
    );
  }
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

function refused(reason: Extract<SendResult, { outcome: 'refused' }>['reason'], message: string): SendResult {
  return { outcome: 'refused', reason, message };
}

/** A listener's error must not stop the others, nor vanish: it is thrown again on its own. */
function rethrowApart(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}

function isOnline(): boolean {
  return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
