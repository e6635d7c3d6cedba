// createClient: the one thing an app imports. One API whatever carries the hub.
import { TimeoutError } from '../hub/deadline.js';
import { messageOf, refused } from '../hub/errors.js';
import { channelProblem } from '../protocol/channel-name.js';
import type { LogEntry, LogLevel, SendResult, Stats, Status } from '../protocol/public-types.js';
import type { HubEvent } from '../protocol/session-types.js';
import { createAttachment } from './attachment.js';
import type { AnyChannels, ChannelMap, Client, ClientEvents, RequestOptions } from './client-types.js';
import { createEmitter, rethrowApart } from './emitter.js';
import { TabmuxError, toTabmuxError } from './errors.js';
import { resolveOptions, type ClientOptions } from './options.js';
import { watchPage } from './page-lifecycle.js';
import { createRequests } from './requests.js';
import { createSubscriptions, type ChannelHandler, type SubscribeOptions } from './subscriptions.js';
import { HubLostError } from '../protocol/errors.js';
import type { HubLink } from './transport.js';

/** The status before any hub has answered. */
export const INITIAL_STATUS: Status = {
  state: 'connecting',
  attempt: 0,
  nextAttemptAt: null,
  lastClose: null,
  reason: null,
  rttMs: null,
  transport: 'websocket',
};

/** Creates a client that shares one WebSocket with every tab of this browser that uses the same `name` and `url`. */
export function createClient<Channels extends ChannelMap = AnyChannels>(
  options: ClientOptions,
): Client<Channels> {
  const resolved = resolveOptions(options);
  const emitter = createEmitter<ClientEvents>(['status', 'message', 'gap', 'reset', 'end', 'error', 'log']);
  const subscriptions = createSubscriptions(rethrowApart);
  const requests = createRequests();
  let status = INITIAL_STATUS;
  let closed = false;

  /** Whether this tab wants log lines: printed (`debug`) or listened to. */
  const logging = () => resolved.debug || emitter.has('log');

  /** A log line, the hub's or this tab's: to `log` listeners, and to the console with `debug`. */
  function logLine(entry: LogEntry): void {
    if (resolved.debug) console[entry.level](`[tabmux ${entry.source}]`, entry.message);
    emitter.emit('log', entry);
  }

  function tabLog(level: LogLevel, message: () => string): void {
    if (logging()) logLine({ source: 'tab', level, message: message(), at: Date.now() });
  }

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
            subscriptions.deliver(
              event.channel,
              event.seq === null ? null : event.seq + i,
              event.messages[i],
              event.last === true,
            );
          }
          break;
        case 'end': {
          const error = event.error && new TabmuxError(event.error.code, event.error.message);
          const end = { channel: event.channel, reason: event.reason, error };
          if (subscriptions.end(end)) emitter.emit('end', end);
          break;
        }
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
        case 'reset':
          if (subscriptions.reset(event.channel, event.seq))
            emitter.emit('reset', { channel: event.channel, seq: event.seq });
          break;
        case 'reply':
          requests.resolve(event.requestId, event.data);
          break;
        case 'reply-error':
          requests.reject(event.requestId, event.error);
          break;
        case 'log':
          logLine({ source: 'hub', level: event.level, message: event.message, at: event.at });
          break;
        case 'error':
          emitter.emit('error', new TabmuxError(event.error.code, event.error.message));
      }
    }
  }

  function reportError(error: unknown): void {
    if (!closed) emitter.emit('error', toTabmuxError(error, 'transport-failed'));
  }

  const attachment = createAttachment(resolved, {
    events: onEvents,
    logging,
    error: (code, message) => !closed && emitter.emit('error', new TabmuxError(code, message)),
    attached(link, hubStatus) {
      tabLog('info', () => `attached to a hub (${attachment.transport}), status ${hubStatus.state}`);
      setStatus(hubStatus);
      // Channels subscribed before the hub answered, or under a hub that was lost, resume where this tab left off.
      for (const request of subscriptions.requests()) link.session.subscribe(request).catch(reportError);
    },
    failed: (reason) => {
      tabLog('warn', () => `no hub could be attached: ${reason}`);
      setStatus({ ...status, state: 'failed', nextAttemptAt: null, reason });
    },
    lost(reason) {
      tabLog('warn', () => `the hub was lost (${reason}); attaching again`);
      requests.rejectAll('connection-closed', `tabmux: ${reason} before the reply arrived`);
      setStatus({
        ...status,
        state: 'reconnecting',
        nextAttemptAt: null,
        reason: `${reason}; attaching again`,
      });
    },
  });

  const stopWatching = watchPage({
    hide: () => attachment.suspend(),
    restore: () => attachment.resume(),
    network: (online) => quietly(attachment.link?.session.network(online)),
    visible: () => quietly(attachment.link?.session.wake()),
  });

  /** Runs `use` with the link, waiting for an attach under way; `orElse` answers when there is none. */
  function withLink<T>(use: (link: HubLink) => Promise<T>, orElse: () => T): Promise<T> {
    if (closed) return Promise.resolve(orElse());
    const link = attachment.link;
    if (link) return use(link);
    return attachment.linked().then((attached) => (attached && !closed ? use(attached) : orElse()));
  }

  /** Data waiting for an attach is taken as it is now, not as it may be once the hub answers. */
  function snapshot(data: unknown): { data: unknown } | Extract<SendResult, { outcome: 'refused' }> {
    if (attachment.link) return { data };
    try {
      return { data: structuredClone(data) };
    } catch (error) {
      return refused('not-encodable', `the data cannot be cloned: ${messageOf(error)}`) as Extract<
        SendResult,
        { outcome: 'refused' }
      >;
    }
  }

  function sendVia(
    data: unknown,
    call: (link: HubLink, data: unknown) => Promise<SendResult>,
  ): Promise<SendResult> {
    const taken = snapshot(data);
    if ('outcome' in taken) return Promise.resolve(taken);
    return withLink((link) => call(link, taken.data).catch(asRefusal), notAttached);
  }

  function notAttached(): SendResult {
    return closed
      ? refused('closed', 'this client is closed')
      : refused('not-open', `no hub is attached (status: ${status.state})`);
  }

  const client: Client = {
    get status() {
      return status;
    },
    get transport() {
      return attachment.transport;
    },
    on(event, listener) {
      const first = event === 'log' && !logging();
      const off = emitter.on(event, listener);
      // The first log listener turns the hub's log on for this tab, as `debug` does.
      if (first) quietly(attachment.link?.session.debug(true));
      return off;
    },
    subscribe(channel: string, handler: ChannelHandler<unknown>, subscribeOptions: SubscribeOptions = {}) {
      checkChannel(channel);
      if (typeof handler !== 'function') throw new TypeError('tabmux: subscribe needs a handler function');
      if (closed) throw new TabmuxError('closed', 'tabmux: this client is closed');
      if (subscribeOptions.onEnd !== undefined && typeof subscribeOptions.onEnd !== 'function')
        throw new TypeError('tabmux: `onEnd` must be a function');
      const subscription = subscriptions.add(channel, handler, subscribeOptions);
      if (subscription.first) {
        // Without a link yet, the attach subscribes every channel once the hub answers.
        attachment.link?.session.subscribe(subscriptions.request(channel)!).catch(reportError);
      }
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        if (subscriptions.remove(channel, handler, subscription) && !closed)
          attachment.link?.session.unsubscribe(channel).catch(reportError);
      };
    },
    send: (data) => sendVia(data, (link, taken) => link.session.send(taken)),
    publish(channel, data) {
      checkChannel(channel);
      return sendVia(data, (link, taken) => link.session.publish(channel, taken));
    },
    request<T>(data: unknown, requestOptions: RequestOptions = {}): Promise<T> {
      const timeout = requestOptions.timeout ?? resolved.requestTimeoutMs;
      if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0)
        throw new TypeError(`tabmux: a request timeout must be a number of ms > 0; got ${String(timeout)}`);
      if (closed) return Promise.reject(new TabmuxError('closed', 'tabmux: this client is closed'));
      const taken = snapshot(data);
      if ('outcome' in taken) return Promise.reject(new TabmuxError('refused', `tabmux: ${taken.message}`));
      const { id, reply } = requests.start(timeout, (timedOut) =>
        quietly(attachment.link?.session.cancelRequest(timedOut)),
      );
      void withLink((link) => link.session.request(id, taken.data).catch(asRefusal), notAttached).then(
        (result) => {
          if (result.outcome === 'refused')
            requests.reject(
              id,
              new TabmuxError(
                'refused',
                `tabmux: the request was refused (${result.reason}): ${result.message}`,
              ),
            );
        },
      );
      return reply as Promise<T>;
    },
    async stats() {
      // One retry: a hub replaced while the call was under way is asked again once the tab has re-attached.
      for (let tries = 0; ; tries++) {
        if (closed) throw new TabmuxError('closed', 'tabmux: this client is closed');
        const link = attachment.link ?? (await attachment.linked());
        if (closed) throw new TabmuxError('closed', 'tabmux: this client is closed');
        if (!link)
          throw new TabmuxError('transport-failed', `tabmux: no hub is attached (status: ${status.state})`);
        try {
          return (await link.session.stats()) as Stats;
        } catch (error) {
          if (tries > 0 || !(error instanceof HubLostError)) throw toTabmuxError(error, 'transport-failed');
        }
      }
    },
    reconnect() {
      if (closed) return;
      const link = attachment.link;
      if (link) quietly(link.session.reconnect());
      else if (status.state === 'failed') attachment.retry();
    },
    close() {
      if (closed) return;
      closed = true;
      stopWatching();
      attachment.close();
      requests.rejectAll('closed', 'tabmux: the client was closed before the reply arrived');
      setStatus({ ...status, state: 'closed', nextAttemptAt: null, reason: 'the client was closed' });
      emitter.clear();
      liveClients().delete(client);
    },
  };
  liveClients().add(client);
  return client as unknown as Client<Channels>;
}

/**
 * The page's open clients, under a global symbol, so that tests (tabmux/testing's `waitForStatus`) and devtools can
 * find an app's client without the app exposing it.
 */
function liveClients(): Set<Client> {
  const key = Symbol.for('tabmux.clients');
  const scope = globalThis as unknown as Record<symbol, Set<Client> | undefined>;
  return (scope[key] ??= new Set());
}

/** What a send that failed on its way to the hub amounts to. */
function asRefusal(error: unknown): SendResult {
  // Cloning into the worker fails with a DataCloneError, or a RangeError when the value is nested too deep.
  if ((error instanceof DOMException && error.name === 'DataCloneError') || error instanceof RangeError)
    return refused('not-encodable', `the data cannot be cloned to the hub: ${messageOf(error)}`);
  const unreachable = error instanceof TimeoutError || error instanceof HubLostError;
  return refused(unreachable ? 'hub-unreachable' : 'closed', messageOf(error));
}

function checkChannel(channel: unknown): asserts channel is string {
  const problem = channelProblem(channel);
  if (problem) throw new TypeError(`tabmux: ${problem}`);
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

/** A call whose outcome nobody waits for: its failure is the hub's business, reported another way. */
function quietly(promise: Promise<unknown> | undefined): void {
  promise?.catch(() => {});
}
