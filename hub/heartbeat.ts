// Keeping an idle socket alive and noticing a dead one. Deadlines are kept in wall-clock time, because timers in
// throttled contexts fire late; `check()` may run early (a tab came back) and only acts when a deadline passed.
import type { HubEnvironment, TimerHandle } from './environment.js';
import type { HeartbeatSettings } from '../protocol/session-types.js';

export interface HeartbeatHooks {
  /** Sends the ping; returns why it could not (then the heartbeat tries again after an interval). */
  ping(): string | null;
  /** The server stayed silent past its deadline: drop the socket. */
  timeout(reason: string): void;
  /** A ping that could not be sent. */
  problem(message: string): void;
}

export interface Heartbeat {
  /** The socket is open and accepted: start watching. */
  start(): void;
  /** The socket is gone. */
  stop(): void;
  /** A frame arrived (any frame proves the socket alive); returns when the ping it may answer was sent. */
  heard(): number | null;
  /** Acts on any deadline that has passed. */
  check(): void;
  /** The server announced how often it pings and how long it waits: with `serverPings`, its silence limit. */
  announce(interval: number, timeout: number): void;
}

/**
 * `serverPings`: the server pings and the hub only answers (Socket.IO), so the hub sends none and gives up on a
 * server silent past `interval + timeout`. Otherwise the hub pings after `interval` of silence and gives up when no
 * frame answers within `timeout`.
 */
export function createHeartbeat(
  settings: HeartbeatSettings,
  serverPings: boolean,
  env: HubEnvironment,
  hooks: HeartbeatHooks,
): Heartbeat {
  let timer: TimerHandle = null;
  /** The silence after which a server that pings is given up on: the settings', or what the server announced. */
  let serverLimit = settings.interval + settings.timeout;
  let running = false;
  let lastInboundAt = 0;
  let pingSentAt: number | null = null;

  function schedule(ms: number): void {
    if (timer !== null) env.clearTimeout(timer);
    timer = null;
    if (running && settings.interval > 0) timer = env.setTimeout(check, Math.max(0, ms));
  }

  function check(): void {
    if (!running) return;
    const now = env.now();
    if (serverPings) {
      const limit = serverLimit;
      const silence = now - lastInboundAt;
      if (silence < limit) return schedule(limit - silence);
      return giveUp(`no frame from the server for ${limit} ms`);
    }
    if (pingSentAt !== null) {
      const waited = now - pingSentAt;
      if (waited < settings.timeout) return schedule(settings.timeout - waited);
      return giveUp(`no answer to a ping within ${settings.timeout} ms`);
    }
    const silence = now - lastInboundAt;
    if (silence < settings.interval) return schedule(settings.interval - silence);
    const problem = hooks.ping();
    if (problem) {
      hooks.problem(problem);
      return schedule(settings.interval);
    }
    pingSentAt = now;
    schedule(settings.timeout);
  }

  function giveUp(reason: string): void {
    stop();
    hooks.timeout(reason);
  }

  function stop(): void {
    running = false;
    pingSentAt = null;
    schedule(0);
  }

  return {
    start() {
      running = true;
      schedule(settings.interval);
    },
    stop,
    heard() {
      lastInboundAt = env.now();
      const pingAt = pingSentAt;
      pingSentAt = null;
      return pingAt;
    },
    check,
    announce(interval, timeout) {
      if (!serverPings) return;
      serverLimit = interval + timeout;
      if (running) check();
    },
  };
}
