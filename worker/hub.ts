// The hub: the tabs attached to one connection, their channels, requests and outbox. Pure: no DOM.
import type { RetryDelay } from './backoff.js';
import { copyOfBinary, movableBuffer } from './binary-transfer.js';
import { createChannels, type CatchUp } from './channels.js';
import { CloseCode } from './close-codes.js';
import { jsonCodec, type Codec } from './codec.js';
import { createConnection } from './connection.js';
import { channelProblem, checkHubConfig } from './hub-config.js';
import { resolveEnvironment, type HubEnvironment, type TimerHandle } from './environment.js';
import { BadRequest, errorEvent, errorInfo, messageOf, refused } from './errors.js';
import { createOutbound } from './outbound.js';
import { createPendingRequests, type PendingRequest } from './pending-requests.js';
import { createAsker, type Provider } from './providers.js';
import type { ErrorCode, SendResult, Stats, Status } from './public-types.js';
import type { ReadLimits } from './read-credit.js';
import type { HubConfig, HubEvent, TabProviders, TabSession } from './session-types.js';
import { createBatcher, type TabQueue, type TabSink } from './tab-queue.js';
import { defaultProtocol, type WireProtocol } from './wire-protocol.js';
import type { RoutedEvent } from './wire-types.js';

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

interface Tab {
  readonly queue: TabQueue;
  readonly providers: TabProviders;
  attached: boolean;
  /** What the tab's browser last said of the network. */
  online: boolean;
  /** While the hub waits for the tab: per channel, the first message it did not get. */
  readonly missed: Map<string, Missed>;
  /** Its sink moves the buffers it is given (a port); an in-page tab shares the hub's objects anyway. */
  readonly transfers: boolean;
}

/** The first message a waited-for tab did not get: its place in the channel, and its number if it has one. */
interface Missed {
  readonly n: number;
  readonly seq: number | null;
}

/** Throws a TypeError naming the setting when `config` breaks the rules of the client's options. */
export function createHub(input: HubConfig, options: HubOptions = {}): Hub {
  const config = checkHubConfig(input);
  const env = resolveEnvironment(options.environment);
  const protocol = options.protocol ?? defaultProtocol;
  const codec = protocol.codec ?? options.codec ?? jsonCodec;
  const id = env.generateId();
  /** In the order they attached: the newest is asked first for a token or a URL. */
  const tabs = new Set<Tab>();
  const channels = createChannels<Tab>(config.channelBuffer);
  /** Channels without tabs, still subscribed at the server until their linger ends. */
  const lingering = new Map<string, TimerHandle>();
  const requests = createPendingRequests<Tab>(id);
  const batcher = createBatcher(env, () => tabs.size);
  const counters = {
    messagesIn: 0,
    badRequests: 0,
    tabsAttachedTotal: 0,
    duplicatesDropped: 0,
    gaps: 0,
    unroutedMessages: 0,
    unknownReplies: 0,
    protocolErrors: 0,
    catchUps: 0,
    transferred: 0,
  };
  let lingerTimer: TimerHandle | null = null;
  let disposed = false;

  const ask = createAsker(env);
  const providers = (name: keyof TabProviders): Provider[] =>
    [...tabs].flatMap((tab) => tab.providers[name] ?? []).reverse();

  const connection = createConnection(
    config,
    {
      status: (status) => broadcast({ type: 'status', status }),
      event: route,
      error: (code, message) => broadcast(errorEvent(code, message)),
      // No deadline of their own: the connect timeout covers the whole attempt.
      url: () => (config.url !== null ? Promise.resolve(config.url) : ask(providers('url'), 'a URL')),
      token: async () => {
        const offered = providers('auth');
        return offered.length === 0 ? null : ask(offered, 'a token');
      },
      hasAuth: () => providers('auth').length > 0,
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

  function route(event: RoutedEvent): void {
    counters.messagesIn++;
    switch (event.kind) {
      case 'message': {
        if (event.seq !== null && !isSeq(event.seq, 1))
          return protocolError(event.channel, badSeq(event.seq));
        // Binary data for a channel's only tab is moved to it; the channel's buffer keeps a copy.
        const binary = movableBuffer(event.data);
        const movable = binary && onlyTransferring(channels.tabsOf(event.channel)) ? binary : null;
        const kept = movable ? copyOfBinary(event.data) : event.data;
        const arrival = channels.arrive(event.channel, event.seq, kept, event.cursor);
        if (arrival.kind === 'unrouted') counters.unroutedMessages++;
        else if (arrival.kind === 'duplicate') counters.duplicatesDropped++;
        else {
          if (arrival.gap) reportGap(event.channel, arrival.tabs, arrival.gap);
          for (const tab of arrival.tabs) {
            if (tab.queue.waiting) miss(tab, event.channel, arrival.n, event.seq);
            else if (movable) {
              counters.transferred++;
              tab.queue.message(event.channel, event.seq, event.data, movable);
            } else tab.queue.message(event.channel, event.seq, event.data);
          }
        }
        return;
      }
      case 'subscribed': {
        if (!isSeq(event.seq, 0)) return protocolError(event.channel, `subscribed with ${badSeq(event.seq)}`);
        const tabsOfChannel = channels.tabsOf(event.channel);
        const ack = channels.acknowledge(event.channel, event.seq);
        if (ack && 'gap' in ack) reportGap(event.channel, tabsOfChannel, ack.gap);
        else if (ack)
          for (const tab of tabsOfChannel)
            tab.queue.event({ type: 'reset', channel: event.channel, seq: event.seq });
        return;
      }
      case 'end': {
        // A tab that is behind gets what it missed of the channel first, while the channel still has it.
        for (const tab of channels.tabsOf(event.channel)) catchUp(tab, event.channel);
        stopLinger(event.channel);
        const ended = channels.end(event.channel);
        const error = event.failed ? errorInfo('server-error', event.reason) : null;
        for (const tab of ended)
          tab.queue.event({ type: 'end', channel: event.channel, reason: event.reason, error });
        return;
      }
      case 'reply': {
        const pending = takeRequest(event.id);
        pending?.tab.queue.event({ type: 'reply', requestId: pending.requestId, data: event.data });
        return;
      }
      case 'error': {
        if (event.id === null) broadcast(errorEvent('server-error', `the server reported: ${event.message}`));
        else {
          const pending = takeRequest(event.id);
          if (pending) replyError(pending, 'server-error', event.message);
        }
        return;
      }
      case 'invalid':
        return protocolError(null, event.reason);
      case 'other': {
        const binary = movableBuffer(event.data);
        const movable = binary && onlyTransferring(tabs) ? binary : null;
        if (!movable) return broadcast({ type: 'message', data: event.data });
        counters.transferred++;
        for (const tab of tabs) tab.queue.event({ type: 'message', data: event.data }, movable);
      }
    }
  }

  /** A server message that breaks the rules: counted, dropped, and reported to the tabs it concerns. */
  function protocolError(channel: string | null, what: string): void {
    counters.protocolErrors++;
    const event = errorEvent(
      'protocol-error',
      `the server broke the protocol${channel === null ? '' : ` on channel "${channel}"`}: ${what}; the message was dropped`,
    );
    const concerned = channel === null ? tabs : channels.tabsOf(channel);
    for (const tab of concerned.size > 0 ? concerned : tabs) tab.queue.event(event);
  }

  /** The request answered by `hubRequestId`; counts answers nobody waits for. */
  function takeRequest(hubRequestId: string): PendingRequest<Tab> | undefined {
    const pending = requests.take(hubRequestId);
    if (!pending) counters.unknownReplies++;
    return pending;
  }

  function reportGap(channel: string, to: ReadonlySet<Tab>, gap: { from: number; to: number }): void {
    counters.gaps++;
    for (const tab of to) tab.queue.event({ type: 'gap', channel, ...gap });
  }

  function replyError(pending: PendingRequest<Tab>, code: ErrorCode, message: string): void {
    pending.tab.queue.event({
      type: 'reply-error',
      requestId: pending.requestId,
      error: errorInfo(code, message),
    });
  }

  /** A waited-for tab did not get message `n` of `channel`: the first such one is where its catch-up starts. */
  function miss(tab: Tab, channel: string, n: number, seq: number | null): void {
    if (!tab.missed.has(channel)) tab.missed.set(channel, { n, seq });
  }

  /** What `tab` missed of `channel` while the hub waited for it: from the buffer, after a gap for what it lost. */
  function catchUp(tab: Tab, channel: string): void {
    const missed = tab.missed.get(channel);
    if (!missed) return;
    tab.missed.delete(channel);
    const owed = channels.catchUp(
      channel,
      missed.seq === null ? { n: missed.n } : { afterSeq: missed.seq - 1 },
    );
    owe(tab, channel, owed);
  }

  function owe(tab: Tab, channel: string, owed: CatchUp): void {
    if (owed.gap) reportGap(channel, new Set([tab]), owed.gap);
    if (owed.lost > 0) {
      tab.queue.event(
        errorEvent(
          'undeliverable',
          `${owed.lost} messages of channel "${channel}" were not passed to this tab while it was not reading, and are no longer buffered`,
        ),
      );
    }
    for (const message of owed.messages) tab.queue.message(channel, message.seq, message.data);
  }

  /** The last tab left `channel`: the server stays subscribed for channelLingerMs, for a tab that comes right back. */
  function linger(channel: string): void {
    if (config.channelLingerMs === 0) return unsubscribeServer(channel);
    stopLinger(channel);
    lingering.set(
      channel,
      env.setTimeout(() => {
        lingering.delete(channel);
        unsubscribeServer(channel);
      }, config.channelLingerMs),
    );
  }

  function stopLinger(channel: string): void {
    const timer = lingering.get(channel);
    if (timer === undefined) return;
    env.clearTimeout(timer);
    lingering.delete(channel);
  }

  function unsubscribeServer(channel: string): void {
    if (channels.drop(channel)) transmit(() => protocol.unsubscribe(channel), 'an unsubscribe');
  }

  /** Whether `to` is one tab, whose sink moves buffers. */
  function onlyTransferring(to: ReadonlySet<Tab>): boolean {
    if (to.size !== 1) return false;
    for (const tab of to) return tab.transfers;
    return false;
  }

  function broadcast(event: HubEvent): void {
    for (const tab of tabs) tab.queue.event(event);
  }

  function bad(message: string): never {
    counters.badRequests++;
    throw new BadRequest(message);
  }

  function checkChannel(channel: unknown): asserts channel is string {
    const problem = channelProblem(channel);
    if (problem) bad(problem);
  }

  function detach(tab: Tab): void {
    if (!tab.attached) return;
    tab.attached = false;
    tabs.delete(tab);
    for (const channel of channels.removeTab(tab)) linger(channel);
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

  /** The door of one tab; nothing on it names the tab, so a tab can only ever act as itself. */
  function openSession(tab: Tab): TabSession {
    const left = () => refused('closed', 'this tab has left the hub');
    return {
      send: (data) => (tab.attached ? deliver(() => (protocol.send ? protocol.send(data) : data)) : left()),
      subscribe(request) {
        if (typeof request !== 'object' || request === null)
          bad('subscribe expects { channel, last, after }');
        const { channel, last, after } = request;
        checkChannel(channel);
        if (typeof last !== 'boolean') bad('`last` must be a boolean');
        if (after !== null && !isSeq(after, 0)) bad('`after` must be a sequence number or null');
        if (!tab.attached) return;
        stopLinger(channel);
        if (channels.add(channel, tab, after)) return subscribeServer(channel);
        // A tab back from the back/forward cache (or a new page of the same tab) says what it saw: it is owed
        // what came since, from the channel's buffer. One that saw nothing gets the latest message.
        const owed = after === null ? null : channels.catchUp(channel, { afterSeq: after });
        const latest = channels.latest(channel);
        if (owed) {
          if (owed.gap || owed.messages.length > 0) counters.catchUps++;
          owe(tab, channel, owed);
        } else if (last && latest) tab.queue.message(channel, latest.seq, latest.data);
      },
      unsubscribe(channel) {
        checkChannel(channel);
        if (tab.attached && channels.remove(channel, tab)) linger(channel);
      },
      publish(channel, data) {
        checkChannel(channel);
        return tab.attached ? deliver(() => protocol.publish(channel, data)) : left();
      },
      request(requestId, data) {
        if (typeof requestId !== 'string' || requestId === '') bad('a request id must be a non-empty string');
        if (!tab.attached) return left();
        const started = requests.start(tab, requestId);
        if (!started) bad(`request ${JSON.stringify(requestId)} is already waiting for its reply`);
        const result = deliver(
          () => protocol.request(started.hubId, data),
          () => (started.pending.sent = true),
        );
        if (result.outcome === 'refused') requests.cancel(tab, requestId);
        return result;
      },
      cancelRequest(requestId) {
        if (typeof requestId !== 'string') bad('a request id must be a string');
        requests.cancel(tab, requestId);
      },
      stats: () => hub.stats(),
      reconnect: () => void (tab.attached && connection.reconnect()),
      network(online) {
        if (typeof online !== 'boolean') bad('`online` must be a boolean');
        tab.online = online;
        if (tab.attached) networkChanged();
      },
      wake: () => void (tab.attached && connection.wake()),
      detach: () => detach(tab),
    };
  }

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
            for (const channel of [...tab.missed.keys()]) catchUp(tab, channel);
          },
        }),
        providers: lent,
        attached: true,
        online: true,
        missed: new Map(),
        transfers: flow.transfers === true,
      };
      tabs.add(tab);
      counters.tabsAttachedTotal++;
      connection.start();
      return { session: openSession(tab), status: connection.status, read: (upTo) => tab.queue.read(upTo) };
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
        state: connection.status.state,
        hubId: id,
      };
    },
    dispose() {
      disposed = true;
      if (lingerTimer !== null) env.clearTimeout(lingerTimer);
      for (const timer of lingering.values()) env.clearTimeout(timer);
      lingering.clear();
      connection.stop(CloseCode.Normal, 'hub disposed');
      batcher.flushAll();
      for (const tab of tabs) tab.attached = false;
      tabs.clear();
    },
  };
  return hub;
}

/** The largest sequence number: its successor must still be exact in a double. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER - 1;

function isSeq(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_SEQ;
}

function badSeq(value: unknown): string {
  return `sequence number ${JSON.stringify(value) ?? String(value)} is not a whole number from 1 to ${MAX_SEQ}`;
}
