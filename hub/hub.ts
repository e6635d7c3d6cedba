// The hub: the tabs attached to one connection, their channels, requests and outbox. Pure: no DOM.
import type { RetryDelay } from './backoff.js';
import { catchUp } from './catch-up.js';
import { createChannelLinger } from './channel-linger.js';
import { createChannels } from './channels.js';
import { jsonCodec, type Codec } from './codec.js';
import { createConnection } from './connection.js';
import { resolveEnvironment, type HubEnvironment, type TimerHandle } from './environment.js';
import { errorEvent, messageOf, refused } from './errors.js';
import { checkHubConfig } from './hub-config.js';
import {
  broadcast as broadcastTo,
  createCounters,
  log,
  replyError,
  type HubCore,
  type Tab,
} from './hub-core.js';
import { createInbound } from './inbound.js';
import { createOutbound } from './outbound.js';
import { createPendingRequests } from './pending-requests.js';
import { createAsker, type Provider } from './providers.js';
import type { ReadLimits } from './read-credit.js';
import { createBatcher, type TabSink } from './tab-queue.js';
import { openSession, type SessionOps } from './tab-session.js';
import { defaultProtocol, type WireProtocol } from './wire-protocol.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { LogLevel, SendResult, Stats, Status } from '../protocol/public-types.js';
import type { HubConfig, HubEvent, TabProviders, TabSession } from '../protocol/session-types.js';

export interface HubOptions {
  /** How messages become socket frames and back. @default jsonCodec */
  readonly codec?: Codec;
  /** How the hub's operations map to the server's messages. @default defaultProtocol */
  readonly protocol?: WireProtocol;
  /** Replaces parts of the environment (WebSocket, clock, timers, random, ids). */
  readonly environment?: Partial<HubEnvironment>;
  /** Replaces the backoff: milliseconds before retry number `attempt` (from 0). @default full jitter from `config.reconnect` */
  readonly retryDelay?: RetryDelay;
  /** How far behind an acknowledging tab may fall before the hub waits for it. @default READ_LIMITS (read-credit.ts) */
  readonly readLimits?: ReadLimits;
}

export interface Hub {
  readonly id: string;
  readonly config: HubConfig;
  /**
   * Adds a tab whose events go to `sink`; the socket opens with the first tab. `providers` are the functions the tab
   * lends (`auth`, `url`), asked before connection attempts. With `acknowledges`, the tab is sent `ack` events and
   * answers each through `read(upTo)`; past a limit of unread messages the hub waits for it (tab-queue.ts). With
   * `transfers`, the sink posts across a port, so binary data the tab alone reads is moved to it (see `TabSink`).
   * Returns the tab's session, the status now, and `read`.
   */
  attach(
    sink: TabSink,
    providers?: TabProviders,
    flow?: { readonly acknowledges: boolean; readonly transfers?: boolean },
  ): { session: TabSession; status: Status; read(upTo: number): void };
  stats(): Stats;
  /** Counts malformed calls that a host refused before they reached a session. */
  countBadRequest(count?: number): void;
  /** Closes the socket now and forgets every tab. */
  dispose(): void;
}

/** Throws a TypeError naming the setting when `config` breaks the rules of the client's options. */
export function createHub(input: HubConfig, options: HubOptions = {}): Hub {
  const config = checkHubConfig(input);
  const env = resolveEnvironment(options.environment);
  const protocol = options.protocol ?? defaultProtocol;
  const codec = protocol.codec ?? options.codec ?? jsonCodec;
  const id = env.generateId();
  const core: HubCore = {
    config,
    protocol,
    tabs: new Set(),
    channels: createChannels<Tab>(config.channelBuffer),
    requests: createPendingRequests<Tab>(id),
    counters: createCounters(),
    now: env.now,
  };
  const { tabs, channels, requests, counters } = core;
  const batcher = createBatcher(env, () => tabs.size);
  const linger = createChannelLinger(env, config.channelLingerMs, (channel) => {
    if (channels.drop(channel)) transmit(() => protocol.unsubscribe(channel), 'an unsubscribe');
  });
  const broadcast = (event: HubEvent) => broadcastTo(core, event);
  const hubLog = (level: LogLevel, message: () => string) => log(core, level, message);
  let lingerTimer: TimerHandle | null = null;
  let disposed = false;

  const ask = createAsker(env);
  const providers = (name: keyof TabProviders): Provider[] =>
    [...tabs].flatMap((tab) => tab.providers[name] ?? []).reverse();

  const connection = createConnection(
    config,
    {
      status: (status) => broadcast({ type: 'status', status }),
      event: createInbound(core, { stopLinger: linger.stop }),
      error: (code, message) => broadcast(errorEvent(code, message)),
      // No deadline of their own: the connect timeout covers the whole attempt.
      url: () => (config.url !== null ? Promise.resolve(config.url) : ask(providers('url'), 'a URL')),
      token: async () => {
        const offered = providers('auth');
        return offered.length === 0 ? null : ask(offered, 'a token');
      },
      hasAuth: () => providers('auth').length > 0,
      log: hubLog,
      opened,
      closed: () =>
        requests.failSent((pending) =>
          replyError(pending, 'connection-closed', 'the connection closed before the reply arrived'),
        ),
    },
    env,
    codec,
    protocol,
    options.retryDelay,
  );

  const outbound = createOutbound(config, codec, connection, broadcast);

  /** A control message goes now if the socket is ready (the hub sends its state again when it opens). */
  function transmit(build: () => unknown, what: string): void {
    let message: unknown;
    try {
      message = build();
    } catch (error) {
      return broadcast(
        errorEvent('encode-failed', `${what} could not be built by the protocol: ${messageOf(error)}`),
      );
    }
    if (message !== undefined) outbound.control(message, what);
  }

  /** A tab's message, built by the protocol: a builder that throws refuses it. */
  function deliver(build: () => unknown, onSent?: () => void): SendResult {
    let message: unknown;
    try {
      message = build();
    } catch (error) {
      return refused('not-encodable', messageOf(error));
    }
    return outbound.deliver(message, onSent);
  }

  function subscribeServer(channel: string): void {
    hubLog('debug', () => {
      const after = channels.lastSeq(channel);
      return after === null ? `subscribe "${channel}"` : `resume "${channel}" after ${after}`;
    });
    transmit(
      () => protocol.subscribe(channel, channels.lastSeq(channel), channels.cursor(channel)),
      'a subscribe',
    );
  }

  function opened(): void {
    // Channels first, so that replays and live messages are subscribed before queued publishes go out.
    for (const channel of channels.names()) subscribeServer(channel);
    outbound.drain();
  }

  function detach(tab: Tab): void {
    if (!tab.attached) return;
    tab.attached = false;
    tabs.delete(tab);
    hubLog('info', () => `a tab left (${tabs.size} now)`);
    for (const channel of channels.removeTab(tab)) linger.start(channel);
    requests.dropTab(tab);
    if (tabs.size > 0) networkChanged();
    if (tabs.size > 0 || disposed) return;
    if (lingerTimer !== null) env.clearTimeout(lingerTimer);
    lingerTimer = env.setTimeout(() => {
      lingerTimer = null;
      if (tabs.size === 0) connection.stop(CloseCode.Normal, 'no tabs left');
    }, config.lingerMs);
  }

  /**
   * Offline takes agreement: one tab's browser saying so (or flapping) must not take the socket from the others, so
   * the hub is offline only while every tab says it is.
   */
  function networkChanged(): void {
    connection.setOnline([...tabs].some((tab) => tab.online));
  }

  const sessionOps: SessionOps = {
    connection,
    linger,
    deliver,
    subscribeServer,
    networkChanged,
    detach,
    stats: () => hub.stats(),
  };

  const hub: Hub = {
    id,
    config,
    attach(sink, lent = {}, flow = { acknowledges: false }) {
      if (disposed) throw new Error('tabmux: this hub was disposed');
      if (lingerTimer !== null) env.clearTimeout(lingerTimer);
      lingerTimer = null;
      const tab: Tab = {
        queue: batcher.queue(sink, {
          acknowledges: flow.acknowledges,
          ...(options.readLimits && { limits: options.readLimits }),
          caughtUp: () => {
            counters.catchUps++;
            for (const channel of [...tab.missed.keys()]) catchUp(core, tab, channel);
          },
        }),
        providers: lent,
        attached: true,
        online: true,
        missed: new Map(),
        transfers: flow.transfers === true,
        noLast: new Set(),
        debug: false,
      };
      tabs.add(tab);
      counters.tabsAttachedTotal++;
      hubLog('info', () => `a tab attached (${tabs.size} now)`);
      connection.start();
      return {
        session: openSession(core, tab, sessionOps),
        status: connection.status,
        read: (upTo) => tab.queue.read(upTo),
      };
    },
    countBadRequest(count = 1) {
      counters.badRequests += count;
    },
    stats() {
      return {
        ...connection.counters,
        ...counters,
        tabs: tabs.size,
        channels: channels.size,
        messagesOut: outbound.sent,
        outboxMessages: outbound.queuedMessages,
        outboxBytes: outbound.queuedBytes,
        pendingRequests: requests.size,
        tabsWaiting: [...tabs].filter((tab) => tab.queue.waiting).length,
        maxUnread: Math.max(0, ...[...tabs].map((tab) => tab.queue.unread)),
        socket: connection.socketState,
        transport: connection.transport,
        state: connection.status.state,
        hubId: id,
      };
    },
    dispose() {
      disposed = true;
      if (lingerTimer !== null) env.clearTimeout(lingerTimer);
      linger.clear();
      connection.stop(CloseCode.Normal, 'hub disposed');
      batcher.flushAll();
      for (const tab of tabs) tab.attached = false;
      tabs.clear();
    },
  };
  return hub;
}
