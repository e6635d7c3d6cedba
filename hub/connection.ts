// One socket's life and the tries after it: the attempt (URL, token, handshake, connect timeout), the frames in,
// online/offline. What to do after a close is retry-policy.ts's; keeping the socket alive is heartbeat.ts's.
import { fullJitter, type RetryDelay } from './backoff.js';
import { classifyClose, CloseCode } from '../protocol/close-codes.js';
import type { Codec } from './codec.js';
import type {
  Connection,
  ConnectionCounters,
  ConnectionHooks,
  ConnectionSettings,
} from './connection-types.js';
import { hubClose } from './socket-close.js';
import { openLink, type LinkEnding, type SocketLink } from './socket-link.js';
import { afterFailure, afterOpen, FIRST_CHOICE, type TransportChoice } from './transport-choice.js';
import { decideRetry, type Ending } from './retry-policy.js';
import type { HubEnvironment, TimerHandle } from './environment.js';
import { messageOf } from './errors.js';
import type { CloseInfo, ConnectionState, Status } from '../protocol/public-types.js';
import type { WireProtocol } from './wire-protocol.js';

const SOCKET_STATES = ['connecting', 'open', 'closing', 'closed'] as const;
const TRANSPORT_NAMES = { websocket: 'websocket', stream: 'http-stream', polling: 'long-polling' } as const;

/**
 * Backoff with full jitter, a connect timeout (URL, token and handshake included), the auth handshake, the heartbeat,
 * online/offline, and the circuit breaker that suspends a hopeless outage. Deadlines are kept in wall-clock time,
 * because timers in throttled contexts fire late.
 */
export function createConnection(
  settings: ConnectionSettings,
  hooks: ConnectionHooks,
  env: HubEnvironment,
  codec: Codec,
  protocol: WireProtocol,
  retryDelay: RetryDelay = fullJitter(settings.reconnect, env.random),
): Connection {
  const { reconnect: retry } = settings;
  const counters: ConnectionCounters = {
    pingsSent: 0,
    connections: 0,
    reconnectAttempts: 0,
    pongsReceived: 0,
    heartbeatTimeouts: 0,
    decodeErrors: 0,
    framesIn: 0,
  };
  let status: Status = {
    state: 'closed',
    attempt: 0,
    nextAttemptAt: null,
    lastClose: null,
    reason: null,
    rttMs: null,
    transport: 'websocket',
  };
  let link: SocketLink | null = null;
  let choice: TransportChoice = FIRST_CHOICE;
  /** The HTTP fallback, where the protocol speaks it and the environment can fetch. */
  const fallback = settings.fallback && protocol.httpFallback && env.fetch ? settings.fallback : null;
  /** The URL of the last attempt, for the socket tries made while on HTTP. */
  let lastUrl: string | null = null;
  let stopProbe: (() => void) | null = null;
  /** Loaded by the first attempt over HTTP. */
  let onDemand: typeof import('./fallback-transport.js') | null = null;
  let wanted = false;
  let online = true;
  let attemptsMade = 0;
  /** The exponent of the backoff; unlike `status.attempt` it resets only after a stable connection. */
  let backoffStep = 0;
  let outageSince: number | null = null;
  let authRetried = false;
  /** Bumped on every attempt so that an `await` that returns late knows it was overtaken. */
  let generation = 0;
  const timers = {
    retry: null as TimerHandle,
    connect: null as TimerHandle,
    stable: null as TimerHandle,
    probe: null as TimerHandle,
  };
  const subprotocols = settings.protocols.length > 0 ? settings.protocols : (protocol.subprotocols ?? []);
  const linkContext = {
    settings,
    env,
    codec,
    protocol,
    counters,
    subprotocols,
    pingFirst: fallback !== null,
  };

  function setStatus(state: ConnectionState, changes: Partial<Omit<Status, 'state'>> = {}): void {
    status = { ...status, nextAttemptAt: null, reason: null, ...changes, state };
    hooks.status(status);
  }

  function clear(name: keyof typeof timers): void {
    if (timers[name] !== null) env.clearTimeout(timers[name]);
    timers[name] = null;
  }

  function dropSocket(code: number, reason: string): void {
    const wasReady = link?.drop(code, reason) ?? false;
    link = null;
    clear('connect');
    clear('stable');
    clear('probe');
    stopProbe?.();
    stopProbe = null;
    if (wasReady) hooks.closed();
  }

  /** An attempt that never got through: the next one may use another transport. */
  function notThrough(timedOut: boolean): void {
    const before = choice.transport;
    choice = afterFailure(choice, timedOut, fallback);
    if (choice.transport === before) return;
    hooks.log('warn', () => `next attempt over ${TRANSPORT_NAMES[choice.transport]}`);
    if (choice.transport !== 'websocket')
      hooks.error(
        'transport-failed',
        `tabmux: ${choice.socketFailures} socket attempts in a row failed; trying HTTP (${choice.transport === 'stream' ? 'a stream of server-sent events' : 'long polling'})`,
      );
  }

  /** While on HTTP, the socket is tried now and then; once it answers, the hub moves back to it. */
  function scheduleProbe(): void {
    if (!fallback || !onDemand || choice.transport === 'websocket' || lastUrl === null) return;
    const { probeSocket } = onDemand;
    const url = lastUrl;
    const delay = fallback.retrySocketEvery * (2 / 3 + (env.random() * 2) / 3);
    timers.probe = env.setTimeout(() => {
      timers.probe = null;
      hooks.log('debug', () => `trying the socket again while on HTTP`);
      stopProbe = probeSocket(url, { env, codec, settings, subprotocols }, (answered) => {
        stopProbe = null;
        hooks.log('info', () =>
          answered ? 'the socket got through: moving back to it' : 'the socket is still blocked',
        );
        if (!answered) return scheduleProbe();
        choice = FIRST_CHOICE;
        dropSocket(CloseCode.Normal, 'back to the socket');
        void connect();
      });
    }, delay);
  }

  async function connect(): Promise<void> {
    clear('retry');
    if (!online) return setStatus('offline', { reason: 'the browser is offline' });
    const attempt = ++generation;
    if (attemptsMade++ > 0) counters.reconnectAttempts++;
    const first = counters.connections === 0 && status.attempt === 0;
    // Attempts on the slow cadence stay `suspended`, so a status display does not flicker with each one.
    setStatus(status.state === 'suspended' ? 'suspended' : first ? 'connecting' : 'reconnecting', {
      attempt: status.attempt,
      reason: status.attempt > 0 ? status.reason : null,
    });
    // The whole attempt counts against connectTimeout: asking the tabs for a URL and a token too.
    clear('connect');
    timers.connect = env.setTimeout(() => {
      if (attempt !== generation) return;
      generation++;
      const what = `no connection within connectTimeout (${retry.connectTimeout} ms)`;
      if (!link) return failure(what, null);
      dropSocket(CloseCode.Normal, 'connect timeout');
      notThrough(true);
      failure(what, hubClose(CloseCode.Normal, 'connect timeout'));
    }, retry.connectTimeout);
    let url: string;
    let token: string | null = null;
    try {
      url = await hooks.url();
    } catch (error) {
      if (attempt !== generation || !wanted) return;
      clear('connect');
      hooks.error('transport-failed', `tabmux: no URL to connect to: ${messageOf(error)}`);
      return setStatus('failed', { reason: messageOf(error) });
    }
    if (attempt !== generation || !wanted) return;
    try {
      if (hooks.hasAuth()) hooks.log('debug', () => 'asking a tab for a token');
      token = await hooks.token();
    } catch (error) {
      if (attempt !== generation || !wanted) return;
      clear('connect');
      hooks.error('transport-failed', `tabmux: the auth function failed: ${messageOf(error)}`);
      return failure(`the auth function failed: ${messageOf(error)}`, null);
    }
    if (attempt !== generation || !wanted) return;
    // The HTTP fallback is loaded only by a hub that needs it: most never do.
    if (choice.transport !== 'websocket' && !onDemand) {
      try {
        onDemand = await import('./fallback-transport.js');
      } catch (error) {
        if (attempt !== generation || !wanted) return;
        return failure(`the HTTP fallback could not be loaded: ${messageOf(error)}`, null);
      }
      if (attempt !== generation || !wanted) return;
    }
    hooks.log(
      'info',
      () => `connecting to ${url} over ${TRANSPORT_NAMES[choice.transport]} (attempt ${status.attempt + 1})`,
    );
    // Never two sockets: whatever an overtaken attempt left is closed first.
    if (link) dropSocket(CloseCode.Normal, 'superseded');
    try {
      if (protocol.url) url = protocol.url(url);
      lastUrl = url;
      const socket =
        choice.transport === 'websocket'
          ? new env.WebSocket(url, [...subprotocols])
          : new onDemand!.HttpSocket(url, choice.transport, env.fetch!);
      link = openLink(socket, url, token, linkContext, {
        opened,
        ended: linkEnded,
        event: hooks.event,
        error: hooks.error,
        rtt(ms) {
          status = { ...status, rttMs: ms };
          hooks.status(status);
        },
      });
    } catch (error) {
      clear('connect');
      return setStatus('failed', { reason: `cannot open ${url}: ${messageOf(error)}` });
    }
  }

  function linkEnded(ending: LinkEnding): void {
    hooks.log('info', () =>
      ending.kind === 'closed'
        ? `socket closed: ${ending.close.code}${ending.close.reason ? ` (${ending.close.reason})` : ''}${ending.wasReady ? '' : ', before it was open'}`
        : `socket ended: ${ending.kind === 'handshake-unsent' ? ending.problem : ending.reason}`,
    );
    switch (ending.kind) {
      case 'closed':
        dropSocket(ending.close.code, ending.close.reason);
        // A 1006 before open is a refused upgrade or a cut connection: the server was not reached.
        if (!ending.wasReady && ending.close.code === CloseCode.Abnormal) notThrough(false);
        return closed(ending.close, ending.wasReady);
      case 'silent':
        counters.heartbeatTimeouts++;
        dropSocket(CloseCode.HeartbeatTimeout, 'heartbeat timeout');
        return failure(ending.reason, hubClose(CloseCode.HeartbeatTimeout, 'heartbeat timeout'), true);
      case 'no-handshake':
        dropSocket(CloseCode.Normal, 'no handshake');
        hooks.error('transport-failed', `tabmux: the protocol's handshake failed: ${ending.reason}`);
        return setStatus('failed', { reason: `the protocol's handshake failed: ${ending.reason}` });
      case 'handshake-unsent':
        dropSocket(CloseCode.Normal, 'handshake not sendable');
        return failure(ending.problem, null);
    }
  }

  function opened(): void {
    clear('connect');
    counters.connections++;
    outageSince = null;
    authRetried = false;
    choice = afterOpen(choice);
    hooks.log('info', () => `socket open over ${TRANSPORT_NAMES[choice.transport]}`);
    hooks.opened();
    setStatus('open', { attempt: 0, transport: choice.transport === 'websocket' ? 'websocket' : 'http' });
    scheduleProbe();
    // Backoff starts again from the bottom only once the connection has proved itself.
    timers.stable = env.setTimeout(() => (backoffStep = 0), retry.stableAfter);
  }

  function closed(close: CloseInfo, wasReady: boolean): void {
    if (!wanted) return setStatus('closed', { lastClose: close });
    const what = `closed with ${close.code}${close.reason ? ` (${close.reason})` : ''}`;
    const closeClass = protocol.classifyClose?.(close.code) ?? classifyClose(close.code);
    decide({ class: closeClass, code: close.code, what, wasReady }, close);
  }

  function failure(reason: string, close: CloseInfo | null, wasReady = false): void {
    decide({ class: 'retry', code: close?.code ?? null, what: reason, wasReady }, close);
  }

  /** Carries out retry-policy.ts's decision on how an attempt ended. */
  function decide(ending: Ending, close: CloseInfo | null): void {
    const now = env.now();
    const state = { attempt: status.attempt, outageSince, authRetried, online, hasAuth: hooks.hasAuth() };
    const decision = decideRetry(retry, state, ending, now);
    if (decision.action !== 'retry') hooks.log('warn', () => `after "${ending.what}": ${describe(decision)}`);
    if (ending.class === 'retry') outageSince ??= now;
    const lastClose = close ?? status.lastClose;
    switch (decision.action) {
      case 'auth-again':
        authRetried = true;
        status = { ...status, lastClose };
        return void connect();
      case 'stop':
        return setStatus(decision.state, {
          lastClose,
          ...(decision.attempt !== undefined && { attempt: decision.attempt }),
          reason: decision.reason,
        });
      case 'offline':
        return setStatus('offline', { lastClose, reason: 'the browser is offline' });
      case 'retry': {
        // Jittered too, so that suspended clients do not come back in step.
        const delay = decision.suspended
          ? retry.suspendedRetryDelay * (0.5 + env.random() / 2)
          : retryDelay(backoffStep++);
        hooks.log('info', () => `after "${ending.what}": ${describe(decision)} in ${Math.round(delay)} ms`);
        setStatus(decision.suspended ? 'suspended' : 'reconnecting', {
          lastClose,
          attempt: decision.attempt,
          nextAttemptAt: now + delay,
          reason: decision.reason,
        });
        timers.retry = env.setTimeout(() => void connect(), delay);
      }
    }
  }

  function resetOutage(): void {
    clear('retry');
    backoffStep = 0;
    outageSince = null;
    authRetried = false;
    status = { ...status, attempt: 0 };
  }

  return {
    get status() {
      return status;
    },
    get transport() {
      return TRANSPORT_NAMES[choice.transport];
    },
    get socketState() {
      return link === null ? 'none' : (SOCKET_STATES[link.readyState] ?? 'closed');
    },
    counters,
    start() {
      wanted = true;
      if (link || timers.retry !== null) return;
      if (['unauthorized', 'failed', 'offline'].includes(status.state)) return;
      status = { ...status, attempt: 0 };
      void connect();
    },
    stop(code, reason) {
      wanted = false;
      generation++;
      clear('retry');
      const hadSocket = link !== null;
      dropSocket(code, reason);
      if (status.state !== 'closed') {
        setStatus('closed', hadSocket ? { lastClose: { code, reason, wasClean: true } } : {});
      }
    },
    reconnect() {
      if (link?.ready) return;
      // An attempt under way is the reconnect asked for: starting another would put a second socket beside it.
      if (wanted && timers.connect !== null) return;
      wanted = true;
      resetOutage();
      dropSocket(CloseCode.Normal, 'reconnect requested');
      void connect();
    },
    setOnline(value) {
      if (value === online) return;
      online = value;
      if (!wanted) return;
      if (!online) {
        // An attempt still asking for its URL or token must not open a socket once it has its answer.
        generation++;
        clear('retry');
        clear('connect');
        dropSocket(CloseCode.Normal, 'browser offline');
        setStatus('offline', { reason: 'the browser is offline' });
      } else if (status.state === 'offline') {
        // Back online: try at once rather than waiting out a backoff that was about a dead network.
        resetOutage();
        void connect();
      }
    },
    wake() {
      if (!wanted) return;
      if (timers.retry !== null && status.nextAttemptAt !== null && env.now() >= status.nextAttemptAt)
        void connect();
      else link?.check();
    },
    send(frame) {
      return link?.send(frame) ?? false;
    },
  };
}

/** A retry decision in words, for the log. */
function describe(decision: ReturnType<typeof decideRetry>): string {
  switch (decision.action) {
    case 'retry':
      return decision.suspended ? 'suspended: trying again slowly' : `retrying (attempt ${decision.attempt})`;
    case 'auth-again':
      return 'asking for a fresh token and trying again at once';
    case 'offline':
      return 'the browser is offline: waiting for it';
    case 'stop':
      return `giving up: ${decision.state} (${decision.reason})`;
  }
}
