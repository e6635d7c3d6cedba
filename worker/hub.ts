import type { RetryDelay } from './backoff.js';
import { CloseCode } from './close-codes.js';
import { frameBytes, jsonCodec, type Codec } from './codec.js';
import { createConnection } from './connection.js';
import { resolveEnvironment, type HubEnvironment, type TimerHandle } from './environment.js';
import type { HubConfig, HubEvent, SendResult, Stats, Status, TokenProvider } from './protocol.js';

/** Receives a tab's events, a batch at a time. */
export type TabSink = (events: HubEvent[]) => void;

export interface HubOptions {
  /** How tab data becomes socket frames and back. @default jsonCodec */
  readonly codec?: Codec;
  /** Replaces parts of the environment (WebSocket, clock, timers, random, ids). */
  readonly environment?: Partial<HubEnvironment>;
  /** Replaces the backoff: milliseconds before retry number `attempt` (from 0). @default full jitter from `config.reconnect` */
  readonly retryDelay?: RetryDelay;
}

export interface Hub {
  readonly id: string;
  readonly config: HubConfig;
  /**
   * Adds a tab; the socket opens with the first one. `auth`, if given, may be asked for a token before any attempt.
   * Returns the tab's id and the status now.
   */
  attach(sink: TabSink, auth?: TokenProvider): { tabId: string; status: Status };
  /** Removes a tab; harmless for an unknown id. The socket closes `lingerMs` after the last one leaves. */
  detach(tabId: string): void;
  send(tabId: string, data: unknown): SendResult;
  stats(): Stats;
  /** Retries now with a fresh backoff, whatever the state (a no-op while open). */
  reconnect(): void;
  setOnline(online: boolean): void;
  /** Runs overdue deadlines now (timers of hidden pages fire late). */
  wake(): void;
  /** Closes the socket now and forgets every tab. */
  dispose(): void;
}

/** A flush is forced at this many queued events, so a burst never builds an unbounded batch. */
const MAX_BATCH = 512;

interface Tab {
  readonly id: string;
  readonly sink: TabSink;
  readonly auth: TokenProvider | undefined;
  queue: HubEvent[];
}

/** The hub: the tabs attached to one connection, and the fan-out between them. Pure: no DOM. */
export function createHub(config: HubConfig, options: HubOptions = {}): Hub {
  const env = resolveEnvironment(options.environment);
  const codec = options.codec ?? jsonCodec;
  const id = env.generateId();
  const tabs = new Map<string, Tab>();
  const counters = { messagesOut: 0, badRequests: 0, tabsAttachedTotal: 0 };
  let lingerTimer: TimerHandle | null = null;
  let flushScheduled = false;
  let disposed = false;

  const connection = createConnection(
    config,
    {
      status: (status) => broadcast({ type: 'status', status }),
      message: (data) => broadcast({ type: 'message', data }),
      error: (code, message) => broadcast({ type: 'error', error: { name: 'TabmuxError', code, message } }),
      token: askForToken,
      hasAuth: () => [...tabs.values()].some((tab) => tab.auth),
    },
    env,
    codec,
    options.retryDelay,
  );

  /** The newest tab with `auth` is asked first; a tab that fails or died is passed over for the next. */
  async function askForToken(): Promise<string | null> {
    const providers = [...tabs.values()].flatMap((tab) => (tab.auth ? [tab.auth] : [])).reverse();
    let lastError: unknown;
    for (const provider of providers) {
      try {
        const token = await withDeadline(Promise.resolve(provider()), config.reconnect.connectTimeout);
        if (typeof token !== 'string')
          throw new TypeError(`auth must return a string; it returned ${typeof token}`);
        return token;
      } catch (error) {
        lastError = error;
      }
    }
    if (providers.length > 0) throw lastError;
    return null;
  }

  function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = env.setTimeout(() => reject(new Error(`no token within ${ms} ms`)), ms);
      promise.then(resolve, reject).finally(() => env.clearTimeout(timer));
    });
  }

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

  function broadcast(event: HubEvent): void {
    for (const tab of tabs.values()) {
      tab.queue.push(event);
      if (tab.queue.length >= MAX_BATCH) flushTab(tab);
    }
    if (!flushScheduled && tabs.size > 0) {
      flushScheduled = true;
      // A task, not a microtask: frames that arrive back to back then share one post per tab.
      env.setTimeout(flush, 0);
    }
  }

  function refused(
    reason: Extract<SendResult, { outcome: 'refused' }>['reason'],
    message: string,
  ): SendResult {
    return { outcome: 'refused', reason, message };
  }

  return {
    id,
    config,
    attach(sink, auth) {
      if (disposed) throw new Error('tabmux: this hub was disposed');
      if (lingerTimer !== null) env.clearTimeout(lingerTimer);
      lingerTimer = null;
      const tab: Tab = { id: env.generateId(), sink, auth, queue: [] };
      tabs.set(tab.id, tab);
      counters.tabsAttachedTotal++;
      connection.start();
      return { tabId: tab.id, status: connection.status };
    },
    detach(tabId) {
      if (!tabs.delete(tabId) || tabs.size > 0 || disposed) return;
      if (lingerTimer !== null) env.clearTimeout(lingerTimer);
      lingerTimer = env.setTimeout(() => {
        lingerTimer = null;
        if (tabs.size === 0) connection.stop(CloseCode.Normal, 'no tabs left');
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
      if (!connection.send(frame)) {
        return refused('not-open', `the socket is not open (status: ${connection.status.state})`);
      }
      counters.messagesOut++;
      return { outcome: 'sent' };
    },
    stats() {
      return {
        ...connection.counters,
        ...counters,
        tabs: tabs.size,
        socket: connection.socketState,
        state: connection.status.state,
        hubId: id,
      };
    },
    reconnect: () => connection.reconnect(),
    setOnline: (online) => connection.setOnline(online),
    wake: () => connection.wake(),
    dispose() {
      disposed = true;
      if (lingerTimer !== null) env.clearTimeout(lingerTimer);
      connection.stop(CloseCode.GoingAway, 'hub disposed');
      flush();
      tabs.clear();
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
