// One socket, from `new WebSocket` to its close: the handshake, frames in, the protocol's own answers, the heartbeat.
// The connection makes one per attempt and decides what to do when it ends; a dropped link's late events are
// ignored on purpose.
import { encodeFrame, unsentFrame, type Codec, type Frame } from './codec.js';
import type { ConnectionCounters, ConnectionSettings } from './connection-types.js';
import type { HubEnvironment, WebSocketLike } from './environment.js';
import { messageOf } from './errors.js';
import { handshakeMessages, readFrame } from './frame-reader.js';
import { createHeartbeat } from './heartbeat.js';
import type { RoutedEvent, ServerEvent } from './server-event.js';
import { closeSocket } from './socket-close.js';
import type { WireProtocol } from './wire-protocol.js';
import type { CloseInfo, ErrorCode } from '../protocol/public-types.js';

/** How a link ended by itself (the connection's own `drop` reports nothing). */
export type LinkEnding =
  /** The socket closed, or the protocol ended the session with a code. */
  | { readonly kind: 'closed'; readonly close: CloseInfo; readonly wasReady: boolean }
  /** The server stayed silent past the heartbeat's deadline. */
  | { readonly kind: 'silent'; readonly reason: string }
  /** The protocol could not build its handshake: trying again would fail alike. */
  | { readonly kind: 'no-handshake'; readonly reason: string }
  /** The handshake was built but could not be sent (encoding, size). */
  | { readonly kind: 'handshake-unsent'; readonly problem: string };

export interface LinkHooks {
  /** The socket is open and, where the protocol has a handshake, accepted. */
  opened(): void;
  ended(ending: LinkEnding): void;
  event(event: RoutedEvent): void;
  error(code: ErrorCode, message: string): void;
  /** A pong answered the hub's ping after `ms`. */
  rtt(ms: number): void;
}

export interface SocketLink {
  readonly ready: boolean;
  readonly readyState: number;
  /** Sends a frame if the socket is open and accepted; says whether it did. */
  send(frame: Frame): boolean;
  /** Acts on a heartbeat deadline that passed while timers slept. */
  check(): void;
  /** Lets the socket go; returns whether it was ready. Nothing of it is reported after this. */
  drop(code: number, reason: string): boolean;
}

export function openLink(
  ws: WebSocketLike,
  url: string,
  token: string | null,
  context: {
    readonly settings: ConnectionSettings;
    readonly env: HubEnvironment;
    readonly codec: Codec;
    readonly protocol: WireProtocol;
    readonly counters: ConnectionCounters;
    /**
     * Without a handshake of the protocol's own, the socket counts as open only once the server answered a ping:
     * a proxy that accepts the upgrade and passes nothing is then a failed attempt, not an open socket.
     */
    readonly pingFirst: boolean;
  },
  hooks: LinkHooks,
): SocketLink {
  const { settings, env, codec, protocol, counters } = context;
  ws.binaryType = 'arraybuffer';
  /** Only a ping went out at open: the first frame from the server makes the socket ready. */
  let awaitingServer = false;
  let live = true;
  let ready = false;
  /** A server that sends garbage is reported once per socket, not once per frame; every frame is counted. */
  let decodeReported = false;

  const beat = createHeartbeat(settings.heartbeat, protocol.serverPings === true, env, {
    ping() {
      const problem = sendNow(settings.heartbeat.ping, 'the ping');
      if (!problem) counters.pingsSent++;
      return problem;
    },
    timeout: (reason) => end({ kind: 'silent', reason }),
    problem: (message) => hooks.error('encode-failed', message),
  });

  function end(ending: LinkEnding): void {
    if (!live) return;
    hooks.ended(ending);
  }

  /** Encodes and sends a message the hub itself owes the server; says why it could not. */
  function sendNow(message: unknown, what: string): string | null {
    const encoded = encodeFrame(codec, message, settings.maxMessageBytes);
    if (!('frame' in encoded)) return unsentFrame(encoded, what, settings.maxMessageBytes);
    ws.send(encoded.frame);
    return null;
  }

  function accepted(): void {
    ready = true;
    hooks.opened();
    if (live) beat.start();
  }

  ws.onopen = () => {
    if (!live) return;
    beat.heard();
    let opening: readonly unknown[];
    try {
      opening = handshakeMessages(protocol, token);
    } catch (error) {
      return end({ kind: 'no-handshake', reason: messageOf(error) });
    }
    if (opening.length === 0) {
      if (!context.pingFirst) return accepted();
      awaitingServer = true;
      const problem = sendNow(settings.heartbeat.ping, 'the first ping');
      if (problem) return end({ kind: 'handshake-unsent', problem });
      counters.pingsSent++;
      return;
    }
    for (const message of opening) {
      const problem = sendNow(message, 'the handshake');
      if (problem) return end({ kind: 'handshake-unsent', problem });
    }
  };
  ws.onmessage = (event: { data: string | ArrayBuffer }) => {
    if (!live) return;
    counters.framesIn++;
    const pingAt = beat.heard();
    if (awaitingServer) {
      awaitingServer = false;
      accepted();
    }
    try {
      const read = readFrame(event.data, codec, protocol, settings.heartbeat.pong);
      if ('undecodable' in read) return undecodable(read.undecodable);
      take(read, pingAt);
    } catch (error) {
      // A frame nested deeper than the stack (batches in batches) is a bad frame like any other, not a crash.
      if (!(error instanceof RangeError)) throw error;
      undecodable(`it is nested too deep to read (${error.message})`);
    }
  };
  ws.onerror = () => {
    // Browsers give no detail; the close event that follows carries the code. Reported, so it is not silent.
    if (live) hooks.error('socket-error', `the socket to ${url} reported an error`);
  };
  ws.onclose = (event: CloseInfo) => {
    const close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
    end({ kind: 'closed', close, wasReady: ready });
  };

  /** Acts on what the protocol made of a frame: the socket's own kinds here, the rest to the hub. */
  function take(event: ServerEvent, pingAt: number | null): void {
    if (!live) return;
    switch (event.kind) {
      case 'batch':
        for (const item of event.events) take(item, pingAt);
        return;
      case 'ready':
      case 'auth-ok':
        if (!ready) accepted();
        return;
      case 'timing':
        beat.announce(event.interval, event.timeout);
        return;
      case 'pong':
        counters.pongsReceived++;
        if (pingAt !== null) hooks.rtt(env.now() - pingAt);
        return;
      case 'send':
        for (const message of event.messages) {
          const problem = sendNow(message, 'an answer of the protocol');
          if (problem) hooks.error('encode-failed', problem);
        }
        return;
      case 'close': {
        const close = { code: event.code, reason: event.reason, wasClean: true };
        return end({ kind: 'closed', close, wasReady: ready });
      }
      case 'ignore':
        return;
      default:
        hooks.event(event);
    }
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

  return {
    get ready() {
      return ready;
    },
    get readyState() {
      return ws.readyState;
    },
    send(frame) {
      if (!live || !ready) return false;
      ws.send(frame);
      return true;
    },
    check: () => live && ready && beat.check(),
    drop(code, reason) {
      const wasReady = live && ready;
      live = false;
      ready = false;
      beat.stop();
      closeSocket(ws, code, reason);
      return wasReady;
    },
  };
}
