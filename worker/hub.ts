import { fullJitter } from './backoff.js';
import { classifyClose, CloseCode } from './close-codes.js';
import { frameBytes, jsonCodec, type Codec } from './codec.js';
import {
  resolveEnvironment,
  type HubEnvironment,
  type TimerHandle,
  type WebSocketLike,
} from './environment.js';
import type {
  CloseInfo,
  ConnectionState,
  ErrorInfo,
  HubConfig,
  HubEvent,
  SendResult,
  Stats,
  Status,
} from './protocol.js';

/** Receives a tab's events, a batch at a time. */
export type TabSink = (events: HubEvent[]) => void;

export interface HubOptions {
  /** How tab data becomes socket frames and back. @default jsonCodec */
  readonly codec?: Codec;
  /** Replaces parts of the environment (WebSocket, clock, timers, random, ids). */
  readonly environment?: Partial<HubEnvironment>;
}

export interface Hub {
  readonly id: string;
  readonly config: HubConfig;
  /** Adds a tab; the socket opens with the first one. Returns the tab's id and the status now. */
  attach(sink: TabSink): { tabId: string; status: Status };
  /** Removes a tab; harmless for an unknown id. The socket closes `lingerMs` after the last one leaves. */
  detach(tabId: string): void;
  send(tabId: string, data: unknown): SendResult;
  stats(): Stats;
  /** Closes the socket now and forgets every tab. */
  dispose(): void;
}

/** A flush is forced at this many queued events, so a burst never builds an unbounded batch. */
const MAX_BATCH = 512;

const SOCKET_STATES = ['connecting', 'open', 'closing', 'closed'] as const;

interface Tab {
  readonly id: string;
  readonly sink: TabSink;
  queue: HubEvent[];
}

/** The hub: one socket, the tabs attached to it, and the fan-out between them. Pure: no DOM. */
export function createHub(config: HubConfig, options: HubOptions = {}): Hub {
  const env = resolveEnvironment(options.environment);
  const codec = options.codec ?? jsonCodec;
  const retryDelay = fullJitter({ initialDelay: 1000, factor: 2, maxDelay: 30_000 }, env.random);
  const id = env.generateId();
  const tabs = new Map<string, Tab>();

  let socket: WebSocketLike | null = null;
  let lingerTimer: TimerHandle | null = null;
  let retryTimer: TimerHandle | null = null;
  let flushScheduled = false;
  let disposed = false;
  let status: Status = {
    state: 'closed',
    attempt: 0,
    nextAttemptAt: null,
    lastClose: null,
    reason: null,
    rttMs: null,
  };
  const counters = {
    messagesIn: 0,
    messagesOut: 0,
    decodeErrors: 0,
    badRequests: 0,
    connections: 0,
    tabsAttachedTotal: 0,
  };

  function flush(): void {
    flushScheduled = false;
    for (const tab of tabs.values()) flushTab(tab);
  }

  function flushTab(tab: Tab): void {
    if (tab.queue.length === 0) return;
    const batch = tab.queue;
    tab.queue = [];
    try {
      tab.sink(batch);
    } catch {
      // A sink throws only when its port is gone; the tab's lock (or its goodbye) detaches it.
    }
  }

  function enqueue(tab: Tab, event: HubEvent): void {
    tab.queue.push(event);
    if (tab.queue.length >= MAX_BATCH) flushTab(tab);
    else if (!flushScheduled) {
      flushScheduled = true;
      // A task, not a microtask: frames that arrive back to back then share one post per tab.
      env.setTimeout(flush, 0);
    }
  }

  function broadcast(event: HubEvent): void {
    for (const tab of tabs.values()) enqueue(tab, event);
  }

  function setStatus(state: ConnectionState, changes: Partial<Omit<Status, 'state'>> = {}): void {
    status = { ...status, nextAttemptAt: null, reason: null, ...changes, state };
    broadcast({ type: 'status', status });
  }

  function reportError(code: ErrorInfo['code'], message: string): void {
    broadcast({ type: 'error', error: { name: 'TabmuxError', code, message } });
  }

  function clearTimer(timer: TimerHandle | null): null {
    if (timer !== null) env.clearTimeout(timer);
    return null;
  }

  function connect(): void {
    retryTimer = clearTimer(retryTimer);
    setStatus(status.attempt === 0 ? 'connecting' : 'reconnecting', { attempt: status.attempt });
    let ws: WebSocketLike;
    try {
      ws = new env.WebSocket(config.url, [...config.protocols]);
    } catch (error) {
      setStatus('failed', { reason: `cannot open ${config.url}: ${messageOf(error)}` });
      return;
    }
    ws.binaryType = 'arraybuffer';
    socket = ws;
    // Every handler checks that its socket is still the current one: a dropped socket's late events are ignored.
    ws.onopen = () => {
      if (socket !== ws) return;
      counters.connections++;
      setStatus('open', { attempt: 0 });
    };
    ws.onmessage = (event: { data: string | ArrayBuffer }) => {
      if (socket !== ws) return;
      let data: unknown;
      try {
        data = codec.decode(event.data);
      } catch (error) {
        counters.decodeErrors++;
        reportError('decode-failed', `a server frame could not be decoded: ${messageOf(error)}`);
        return;
      }
      counters.messagesIn++;
      broadcast({ type: 'message', data });
    };
    ws.onerror = () => {
      // Browsers give no detail here; the close event that follows carries the code.
    };
    ws.onclose = (event: CloseInfo) => {
      if (socket !== ws) return;
      socket = null;
      onClosed({ code: event.code, reason: event.reason, wasClean: event.wasClean });
    };
  }

  function onClosed(close: CloseInfo): void {
    if (tabs.size === 0) {
      setStatus('closed', { lastClose: close });
      return;
    }
    switch (classifyClose(close.code)) {
      case 'retry':
        scheduleRetry(close);
        return;
      case 'auth':
        setStatus('unauthorized', {
          lastClose: close,
          reason: `the server refused the connection (${close.code})`,
        });
        return;
      case 'fatal':
        setStatus('failed', {
          lastClose: close,
          reason: `the server closed the connection with ${close.code}, which is not retried`,
        });
        return;
    }
  }

  function scheduleRetry(close: CloseInfo): void {
    const delay = retryDelay(status.attempt);
    setStatus('reconnecting', {
      lastClose: close,
      attempt: status.attempt + 1,
      nextAttemptAt: env.now() + delay,
      reason: `closed with ${close.code}${close.reason ? ` (${close.reason})` : ''}`,
    });
    retryTimer = env.setTimeout(connect, delay);
  }

  function closeSocket(code: number, reason: string): void {
    retryTimer = clearTimer(retryTimer);
    const ws = socket;
    socket = null;
    if (ws) {
      ws.close(code, reason);
      setStatus('closed', { lastClose: { code, reason, wasClean: true } });
    } else if (status.state !== 'closed') setStatus('closed');
  }

  return {
    id,
    config,
    attach(sink) {
      if (disposed) throw new Error('tabmux: this hub was disposed');
      lingerTimer = clearTimer(lingerTimer);
      const tab: Tab = { id: env.generateId(), sink, queue: [] };
      tabs.set(tab.id, tab);
      counters.tabsAttachedTotal++;
      if (
        socket === null &&
        retryTimer === null &&
        status.state !== 'unauthorized' &&
        status.state !== 'failed'
      ) {
        status = { ...status, attempt: 0 };
        connect();
      }
      return { tabId: tab.id, status };
    },
    detach(tabId) {
      const tab = tabs.get(tabId);
      if (!tab) return;
      tabs.delete(tabId);
      if (tabs.size > 0 || disposed) return;
      lingerTimer = clearTimer(lingerTimer);
      lingerTimer = env.setTimeout(() => {
        lingerTimer = null;
        if (tabs.size === 0) closeSocket(CloseCode.Normal, 'no tabs left');
      }, config.lingerMs);
    },
    send(tabId, data) {
      if (!tabs.has(tabId)) {
        counters.badRequests++;
        return refused('closed', 'this tab is not attached to the hub');
      }
      let frame: string | ArrayBuffer | ArrayBufferView;
      try {
        frame = codec.encode(data);
      } catch (error) {
        return refused('not-encodable', `the data cannot be encoded: ${messageOf(error)}`);
      }
      const bytes = frameBytes(frame, config.maxMessageBytes);
      if (bytes > config.maxMessageBytes) {
        return refused(
          'too-large',
          `the message takes ${bytes} bytes; maxMessageBytes is ${config.maxMessageBytes}`,
        );
      }
      if (socket === null || socket.readyState !== 1) {
        return refused('not-open', `the socket is not open (status: ${status.state})`);
      }
      socket.send(frame);
      counters.messagesOut++;
      return { outcome: 'sent' };
    },
    stats() {
      return {
        ...counters,
        tabs: tabs.size,
        socket: socket === null ? 'none' : (SOCKET_STATES[socket.readyState] ?? 'closed'),
        state: status.state,
        hubId: id,
      };
    },
    dispose() {
      disposed = true;
      lingerTimer = clearTimer(lingerTimer);
      closeSocket(CloseCode.GoingAway, 'hub disposed');
      flush();
      tabs.clear();
    },
  };
}

function refused(reason: Extract<SendResult, { outcome: 'refused' }>['reason'], message: string): SendResult {
  return { outcome: 'refused', reason, message };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
