// One socket's life and the tries after it: the attempt (URL, token, handshake, connect timeout), the frames in,
// online/offline. What to do after a close is retry-policy.ts's; keeping the socket alive is heartbeat.ts's.
import { fullJitter, type RetryDelay } from './backoff.js';
import { classifyClose, CloseCode } from '../protocol/close-codes.js';
import { encodeFrame, unsentFrame, type Codec } from './codec.js';
import type {
  Connection,
  ConnectionCounters,
  ConnectionHooks,
  ConnectionSettings,
} from './connection-types.js';
import { handshakeMessages, readFrame } from './frame-reader.js';
import { createHeartbeat } from './heartbeat.js';
import { closeSocket, hubClose } from './socket-close.js';
import { decideRetry, type Ending } from './retry-policy.js';
import type { HubEnvironment, TimerHandle, WebSocketLike } from './environment.js';
import { messageOf } from './errors.js';
import type { CloseInfo, ConnectionState, Status } from '../protocol/public-types.js';
import type { WireProtocol } from './wire-protocol.js';
import type { ServerEvent } from './server-event.js';

const SOCKET_STATES = ['connecting', 'open', 'closing', 'closed'] as const;

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
  const { reconnect: retry, heartbeat } = settings;
  const counters: Omit<ConnectionCounters, 'pingsSent'> = {
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
  };
  let socket: WebSocketLike | null = null;
  /** Set once the socket is open and, with auth, accepted. */
  let ready = false;
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
  };
  const beat = createHeartbeat(heartbeat, protocol.serverPings === true, env, {
    ping: () => {
      const encoded = encodeFrame(codec, heartbeat.ping, settings.maxMessageBytes);
      if (!('frame' in encoded)) return unsentFrame(encoded, 'the ping', settings.maxMessageBytes);
      socket?.send(encoded.frame);
      return null;
    },
    timeout(reason) {
      counters.heartbeatTimeouts++;
      dropSocket(CloseCode.HeartbeatTimeout, 'heartbeat timeout');
      failure(reason, hubClose(CloseCode.HeartbeatTimeout, 'heartbeat timeout'), true);
    },
    problem: (message) => hooks.error('encode-failed', message),
  });
  /** A server that sends garbage is reported once per socket, not once per frame; every frame is counted. */
  let decodeReported = false;
  const subprotocols = settings.protocols.length > 0 ? settings.protocols : (protocol.subprotocols ?? []);

  function setStatus(state: ConnectionState, changes: Partial<Omit<Status, 'state'>> = {}): void {
    status = { ...status, nextAttemptAt: null, reason: null, ...changes, state };
    hooks.status(status);
  }

  function clear(name: keyof typeof timers): void {
    if (timers[name] !== null) env.clearTimeout(timers[name]);
    timers[name] = null;
  }

  function dropSocket(code: number, reason: string): void {
    const ws = socket;
    const wasReady = ready;
    socket = null;
    ready = false;
    beat.stop();
    clear('connect');
    clear('stable');
    // The handlers check `socket === ws`, so this socket's late events are ignored from here on.
    if (ws) closeSocket(ws, code, reason);
    if (wasReady) hooks.closed();
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
      if (!socket) return failure(what, null);
      dropSocket(CloseCode.Normal, 'connect timeout');
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
      token = await hooks.token();
    } catch (error) {
      if (attempt !== generation || !wanted) return;
      clear('connect');
      hooks.error('transport-failed', `tabmux: the auth function failed: ${messageOf(error)}`);
      return failure(`the auth function failed: ${messageOf(error)}`, null);
    }
    if (attempt !== generation || !wanted) return;
    // Never two sockets: whatever an overtaken attempt left is closed first.
    if (socket) dropSocket(CloseCode.Normal, 'superseded');
    let ws: WebSocketLike;
    try {
      if (protocol.url) url = protocol.url(url);
      ws = new env.WebSocket(url, [...subprotocols]);
    } catch (error) {
      clear('connect');
      return setStatus('failed', { reason: `cannot open ${url}: ${messageOf(error)}` });
    }
    ws.binaryType = 'arraybuffer';
    socket = ws;
    decodeReported = false;

    ws.onopen = () => {
      if (socket !== ws) return;
      beat.heard();
      let opening: readonly unknown[];
      try {
        opening = handshakeMessages(protocol, token);
      } catch (error) {
        dropSocket(CloseCode.Normal, 'no handshake');
        hooks.error('transport-failed', `tabmux: the protocol's handshake failed: ${messageOf(error)}`);
        return setStatus('failed', { reason: `the protocol's handshake failed: ${messageOf(error)}` });
      }
      if (opening.length === 0) return opened();
      for (const message of opening) {
        const problem = sendNow(ws, message, 'the handshake');
        if (problem) {
          dropSocket(CloseCode.Normal, 'handshake not sendable');
          return failure(problem, null);
        }
      }
    };
    ws.onmessage = (event: { data: string | ArrayBuffer }) => {
      if (socket !== ws) return;
      counters.framesIn++;
      const pingAt = beat.heard();
      const read = readFrame(event.data, codec, protocol, heartbeat.pong);
      if ('undecodable' in read) return undecodable(read.undecodable);
      take(ws, read, pingAt);
    };
    ws.onerror = () => {
      // Browsers give no detail; the close event that follows carries the code. Reported, so it is not silent.
      if (socket === ws) hooks.error('socket-error', `the socket to ${url} reported an error`);
    };
    ws.onclose = (event: CloseInfo) => {
      if (socket !== ws) return;
      const wasReady = ready;
      dropSocket(event.code, event.reason);
      closed({ code: event.code, reason: event.reason, wasClean: event.wasClean }, wasReady);
    };
  }

  /** Acts on what the protocol made of a frame: the connection's own kinds here, the rest to the hub. */
  function take(ws: WebSocketLike, event: ServerEvent, pingAt: number | null): void {
    if (socket !== ws) return;
    switch (event.kind) {
      case 'batch':
        for (const item of event.events) take(ws, item, pingAt);
        return;
      case 'ready':
      case 'auth-ok':
        if (!ready) opened();
        return;
      case 'pong':
        return pong(pingAt);
      case 'send':
        for (const message of event.messages) {
          const problem = sendNow(ws, message, 'an answer of the protocol');
          if (problem) hooks.error('encode-failed', problem);
        }
        return;
      case 'close': {
        const wasReady = ready;
        dropSocket(event.code, event.reason);
        return closed({ code: event.code, reason: event.reason, wasClean: true }, wasReady);
      }
      case 'ignore':
        return;
      default:
        hooks.event(event);
    }
  }

  function pong(pingAt: number | null): void {
    counters.pongsReceived++;
    if (pingAt === null) return;
    status = { ...status, rttMs: env.now() - pingAt };
    hooks.status(status);
  }

  function undecodable(why: string): void {
    counters.decodeErrors++;
    if (decodeReported) return;
    decodeReported = true;
    hooks.error(
      'decode-failed',
      `a server frame could not be decoded and was dropped: ${why} (further ones on this socket are only counted, in stats.decodeErrors)`,
    );
  }

  /** Encodes and sends a message the hub itself owes the server; says why it could not. */
  function sendNow(ws: WebSocketLike, message: unknown, what: string): string | null {
    const encoded = encodeFrame(codec, message, settings.maxMessageBytes);
    if (!('frame' in encoded)) return unsentFrame(encoded, what, settings.maxMessageBytes);
    ws.send(encoded.frame);
    return null;
  }

  function opened(): void {
    clear('connect');
    ready = true;
    counters.connections++;
    outageSince = null;
    authRetried = false;
    hooks.opened();
    setStatus('open', { attempt: 0 });
    // Backoff starts again from the bottom only once the connection has proved itself.
    timers.stable = env.setTimeout(() => (backoffStep = 0), retry.stableAfter);
    beat.start();
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
    get socketState() {
      return socket === null ? 'none' : (SOCKET_STATES[socket.readyState] ?? 'closed');
    },
    get counters() {
      return { ...counters, pingsSent: beat.pingsSent };
    },
    start() {
      wanted = true;
      if (socket || timers.retry !== null) return;
      if (['unauthorized', 'failed', 'offline'].includes(status.state)) return;
      status = { ...status, attempt: 0 };
      void connect();
    },
    stop(code, reason) {
      wanted = false;
      generation++;
      clear('retry');
      const hadSocket = socket !== null;
      dropSocket(code, reason);
      if (status.state !== 'closed') {
        setStatus('closed', hadSocket ? { lastClose: { code, reason, wasClean: true } } : {});
      }
    },
    reconnect() {
      if (ready) return;
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
      else if (ready) beat.check();
    },
    send(frame) {
      if (!ready || !socket) return false;
      socket.send(frame);
      return true;
    },
  };
}
