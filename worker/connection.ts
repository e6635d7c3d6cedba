// One socket's life and the tries after it. Kept whole: backoff, timeouts, auth, heartbeat and offline all decide
// together when the socket opens and closes.
import { fullJitter, type RetryDelay } from './backoff.js';
import { classifyClose, CloseCode } from './close-codes.js';
import { frameBytes, type Codec, type Frame } from './codec.js';
import type { HubEnvironment, TimerHandle, WebSocketLike } from './environment.js';
import { messageOf } from './errors.js';
import type { CloseInfo, ConnectionState, ErrorCode, Stats, Status } from './public-types.js';
import type { HeartbeatSettings, ReconnectSettings } from './session-types.js';
import type { WireProtocol } from './wire-protocol.js';
import type { RoutedEvent, ServerEvent } from './wire-types.js';

export interface ConnectionSettings {
  /** The largest frame the hub may send, auth and ping included. */
  readonly maxMessageBytes: number;
  readonly protocols: readonly string[];
  readonly reconnect: ReconnectSettings;
  readonly heartbeat: HeartbeatSettings;
}

export interface ConnectionHooks {
  status(status: Status): void;
  /** A server event for the hub's channels and requests; the connection handles the rest itself. */
  event(event: RoutedEvent): void;
  error(code: ErrorCode, message: string): void;
  /** Resolves to the URL for the next attempt (checked and absolute); rejects when none can be had. */
  url(): Promise<string>;
  /** Resolves to a token for the next attempt, or to `null` when no tab offers `auth`. */
  token(): Promise<string | null>;
  /** Whether any tab offers `auth` (decides how an auth close is handled). */
  hasAuth(): boolean;
  /** The socket is open and accepted: resubscribe and flush before anything newer goes out. */
  opened(): void;
  /** A socket that was open is gone: whatever was sent on it and not answered will not be. */
  closed(): void;
}

export interface Connection {
  readonly status: Status;
  readonly socketState: Stats['socket'];
  readonly counters: Readonly<ConnectionCounters>;
  /** The hub wants a socket: connect unless one is open, under way, or the hub gave up. */
  start(): void;
  /** The hub wants no socket: close it and stop retrying. */
  stop(code: number, reason: string): void;
  reconnect(): void;
  setOnline(online: boolean): void;
  wake(): void;
  /** Sends an encoded frame if the socket is open and authenticated; says whether it did. */
  send(frame: Frame): boolean;
}

export interface ConnectionCounters {
  connections: number;
  reconnectAttempts: number;
  pingsSent: number;
  pongsReceived: number;
  heartbeatTimeouts: number;
  decodeErrors: number;
  framesIn: number;
}

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
  const counters: ConnectionCounters = {
    connections: 0,
    reconnectAttempts: 0,
    pingsSent: 0,
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
    heartbeat: null as TimerHandle,
    stable: null as TimerHandle,
  };
  let lastInboundAt = 0;
  let pingSentAt: number | null = null;
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
    pingSentAt = null;
    clear('connect');
    clear('heartbeat');
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
      lastInboundAt = env.now();
      let opening: readonly unknown[];
      try {
        opening = handshake(token);
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
      lastInboundAt = env.now();
      counters.framesIn++;
      const pingAt = pingSentAt;
      // Any frame proves the socket alive.
      pingSentAt = null;
      let data: unknown;
      try {
        data = codec.decode(event.data);
      } catch (error) {
        if (typeof event.data === 'string' && protocol.parseText)
          return take(ws, protocol.parseText(event.data), pingAt);
        return undecodable(messageOf(error));
      }
      // A pong is the hub's own business and goes no further.
      if (matches(data, heartbeat.pong)) return pong(pingAt);
      take(ws, protocol.parse(data), pingAt);
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

  function handshake(token: string | null): readonly unknown[] {
    if (protocol.handshake) return protocol.handshake(token) ?? [];
    if (token === null) return [];
    if (!protocol.auth)
      throw new TypeError('the protocol has neither `handshake` nor `auth` to carry the token');
    return [protocol.auth(token)];
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
    let frame: Frame;
    try {
      frame = codec.encode(message);
    } catch (error) {
      return `${what} could not be encoded: ${messageOf(error)}`;
    }
    const over = oversized(frame, what);
    if (over) return over;
    ws.send(frame);
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
    scheduleHeartbeat(heartbeat.interval);
  }

  function closed(close: CloseInfo, wasReady: boolean): void {
    if (!wanted) return setStatus('closed', { lastClose: close });
    const what = `closed with ${close.code}${close.reason ? ` (${close.reason})` : ''}`;
    switch (protocol.classifyClose?.(close.code) ?? classifyClose(close.code)) {
      case 'auth':
        if (hooks.hasAuth() && !authRetried) {
          // Once, at once, with a fresh token: an expired token is the usual cause.
          authRetried = true;
          status = { ...status, lastClose: close };
          return void connect();
        }
        return setStatus('unauthorized', {
          lastClose: close,
          reason: hooks.hasAuth()
            ? `the server refused the credentials twice (${close.code})`
            : `the server refused the connection (${close.code}) and no \`auth\` option is set`,
        });
      case 'fatal':
        return setStatus('failed', { lastClose: close, reason: `${what}, which is not retried` });
      case 'retry':
        return failure(what, close, wasReady);
    }
  }

  function failure(reason: string, close: CloseInfo | null, wasReady = false): void {
    const now = env.now();
    const attempt = wasReady ? 1 : status.attempt + 1;
    outageSince ??= now;
    const lastClose = close ?? status.lastClose;
    if (attempt > retry.maxAttempts) {
      return setStatus('failed', {
        lastClose,
        attempt: attempt - 1,
        reason: `gave up after ${attempt - 1} attempts: ${reason}`,
      });
    }
    if (!online) return setStatus('offline', { lastClose, reason: 'the browser is offline' });
    const suspended = now - outageSince >= retry.suspendAfter;
    // Jittered too, so that suspended clients do not come back in step.
    const delay = suspended
      ? retry.suspendedRetryDelay * (0.5 + env.random() / 2)
      : retryDelay(backoffStep++);
    setStatus(suspended ? 'suspended' : 'reconnecting', {
      lastClose,
      attempt,
      nextAttemptAt: now + delay,
      reason: suspended
        ? `still failing after ${Math.round((now - outageSince) / 1000)} s: ${reason}`
        : reason,
    });
    timers.retry = env.setTimeout(() => void connect(), delay);
  }

  function scheduleHeartbeat(ms: number): void {
    clear('heartbeat');
    if (heartbeat.interval > 0) timers.heartbeat = env.setTimeout(checkHeartbeat, Math.max(0, ms));
  }

  function checkHeartbeat(): void {
    clear('heartbeat');
    if (!ready || !socket) return;
    const now = env.now();
    if (protocol.serverPings) {
      // The server pings; the hub only answers, and gives up on a server silent past both settings.
      const limit = heartbeat.interval + heartbeat.timeout;
      const silence = now - lastInboundAt;
      if (silence < limit) return scheduleHeartbeat(limit - silence);
      return heartbeatTimeout(`no frame from the server for ${limit} ms`);
    }
    if (pingSentAt !== null) {
      const waited = now - pingSentAt;
      if (waited < heartbeat.timeout) return scheduleHeartbeat(heartbeat.timeout - waited);
      return heartbeatTimeout(`no answer to a ping within ${heartbeat.timeout} ms`);
    }
    const silence = now - lastInboundAt;
    if (silence < heartbeat.interval) return scheduleHeartbeat(heartbeat.interval - silence);
    let frame: Frame;
    try {
      frame = codec.encode(heartbeat.ping);
    } catch (error) {
      hooks.error('encode-failed', `the ping could not be encoded: ${messageOf(error)}`);
      return scheduleHeartbeat(heartbeat.interval);
    }
    const over = oversized(frame, 'the ping');
    if (over) {
      hooks.error('encode-failed', over);
      return scheduleHeartbeat(heartbeat.interval);
    }
    socket.send(frame);
    counters.pingsSent++;
    pingSentAt = now;
    scheduleHeartbeat(heartbeat.timeout);
  }

  function heartbeatTimeout(reason: string): void {
    counters.heartbeatTimeouts++;
    dropSocket(CloseCode.HeartbeatTimeout, 'heartbeat timeout');
    failure(reason, hubClose(CloseCode.HeartbeatTimeout, 'heartbeat timeout'), true);
  }

  /** Why a frame the hub built may not go: larger than maxMessageBytes. */
  function oversized(frame: Frame, what: string): string | null {
    const bytes = frameBytes(frame, settings.maxMessageBytes);
    return bytes > settings.maxMessageBytes
      ? `${what} frame of ${bytes} bytes is over maxMessageBytes (${settings.maxMessageBytes}); it was not sent`
      : null;
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
    counters,
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
      else if (ready) checkHeartbeat();
    },
    send(frame) {
      if (!ready || !socket) return false;
      socket.send(frame);
      return true;
    },
  };
}

/** Whether `data` is an object whose fields equal every field of `pattern`. */
function matches(data: unknown, pattern: Readonly<Record<string, unknown>>): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const record = data as Record<string, unknown>;
  return Object.keys(pattern).every((key) => record[key] === pattern[key]);
}

/**
 * Closes a socket the hub lets go of. A browser accepts only 1000 and 3000–4999 (and a reason of at most 123
 * bytes): should it still refuse, the socket is closed without a code rather than left open and forgotten.
 */
function closeSocket(ws: WebSocketLike, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    try {
      ws.close();
    } catch {
      // Only a socket that is already closing or closed refuses even this.
    }
  }
}

/** A close the hub made itself, as the status reports it. */
function hubClose(code: number, reason: string): CloseInfo {
  return { code, reason, wasClean: false, byHub: true };
}
