// One client's socket: tabmux's default protocol from the server's side, batched sends, and the limits that keep
// one client from harming the others (rate, buffered bytes, channels, auth and idle timeouts).
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { channelProblem } from '../worker/hub-config.js';
import type { LocalChannels, Member } from './local-channels.js';
import { ServerCloseCode } from './close-codes.js';
import type { ResolvedServerOptions } from './options.js';
import type { ClientInfo } from './types.js';

/** The most messages one batch frame carries. */
const BATCH_LIMIT = 500;

export interface ConnectionContext {
  readonly options: ResolvedServerOptions;
  readonly channels: LocalChannels;
  readonly counters: Counters;
  /** Publishes through the broker; rejects when it cannot. */
  publish(channel: string, data: unknown): Promise<number>;
}

export interface Counters {
  messagesIn: number;
  messagesOut: number;
  framesOut: number;
  bytesOut: number;
  refused: Record<
    | 'origin'
    | 'rateLimited'
    | 'slowConsumers'
    | 'badFrames'
    | 'tooManyChannels'
    | 'tooLarge'
    | 'authFailures'
    | 'authTimeouts'
    | 'idle'
    | 'publishFailures',
    number
  >;
}

let nextId = 0;

export function serveClient(ws: WebSocket, request: IncomingMessage, context: ConnectionContext): void {
  const { options, channels, counters } = context;
  let identity: unknown = null;
  const client: ClientInfo = {
    id: `c${++nextId}`,
    request,
    get identity() {
      return identity;
    },
  };
  let authenticated = options.authenticate === undefined;
  let authenticating = false;
  let closing = false;
  const followed = new Set<string>();
  let outgoing: string[] = [];
  let flushScheduled = false;
  let tokens = options.rateLimit.burst;
  let refilledAt = performance.now();

  const member: Member = { send: (text) => queue(text) };
  const say = (message: unknown) => queue(JSON.stringify(message));

  function queue(text: string): void {
    if (closing) return;
    outgoing.push(text);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }

  /** This tick's messages leave together: a browser pays per frame far more than per byte. */
  function flush(): void {
    flushScheduled = false;
    const texts = outgoing;
    outgoing = [];
    for (let i = 0; i < texts.length && !closing; i += BATCH_LIMIT) {
      const part = texts.slice(i, i + BATCH_LIMIT);
      write(part.length === 1 ? part[0]! : `{"type":"batch","messages":[${part.join(',')}]}`, part.length);
    }
  }

  /** Pongs and auth answers go at once, alone, after what was queued before them. */
  function sayAlone(message: unknown): void {
    flush();
    if (!closing) write(JSON.stringify(message), 1);
  }

  function write(frame: string, messages: number): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame);
    counters.messagesOut += messages;
    counters.framesOut++;
    counters.bytesOut += frame.length;
    // A client that does not read would make the server hold everything for it: it is let go instead.
    if (ws.bufferedAmount > options.maxBufferedBytes) {
      counters.refused.slowConsumers++;
      close(ServerCloseCode.SlowConsumer, 'slow consumer: it did not read what it was sent', true);
    }
  }

  function close(code: number, reason: string, force = false): void {
    if (closing) return;
    closing = true;
    ws.close(code, reason);
    // A client that does not read may never answer the close either.
    if (force) setTimeout(() => ws.terminate(), 1000).unref();
  }

  const authTimer = authenticated
    ? null
    : setTimeout(() => {
        counters.refused.authTimeouts++;
        close(ServerCloseCode.Unauthorized, `no auth within ${options.authTimeoutMs} ms`);
      }, options.authTimeoutMs);
  let idleTimer: NodeJS.Timeout | null = null;
  const resetIdle = () => {
    if (options.idleTimeoutMs === 0) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      counters.refused.idle++;
      close(ServerCloseCode.GoingAway, `idle for ${options.idleTimeoutMs} ms`);
    }, options.idleTimeoutMs);
  };
  resetIdle();

  /** A token bucket: `burst` frames at once, refilled at `perSecond`. */
  function withinRate(): boolean {
    const now = performance.now();
    tokens = Math.min(
      options.rateLimit.burst,
      tokens + ((now - refilledAt) / 1000) * options.rateLimit.perSecond,
    );
    refilledAt = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  }

  ws.on('message', (raw, isBinary) => {
    if (closing) return;
    counters.messagesIn++;
    resetIdle();
    if (!withinRate()) {
      counters.refused.rateLimited++;
      return close(
        ServerCloseCode.TooManyMessages,
        `more than ${options.rateLimit.perSecond} messages a second`,
      );
    }
    let message: unknown;
    try {
      if (isBinary) throw new Error('binary frames are not part of the protocol');
      message = JSON.parse(raw.toString());
    } catch (error) {
      return refuse(`a frame that is not JSON: ${(error as Error).message}`);
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      return refuse('a frame that is not a message object');
    void handle(message as Record<string, unknown>).catch((error: unknown) =>
      say({ type: 'error', message: `the server failed: ${(error as Error)?.message ?? String(error)}` }),
    );
  });

  ws.on('close', () => {
    closing = true;
    if (authTimer) clearTimeout(authTimer);
    if (idleTimer) clearTimeout(idleTimer);
    for (const name of followed) channels.leave(member, name);
    followed.clear();
  });
  ws.on('error', () => {
    // ws reports protocol errors (such as a frame over maxPayload) here, then closes the socket.
  });

  function refuse(why: string): void {
    counters.refused.badFrames++;
    say({ type: 'error', message: why });
  }

  async function handle(message: Record<string, unknown>): Promise<void> {
    const type = message['type'];
    if (!authenticated) return authenticate(message);
    const channel = message['channel'];
    switch (type) {
      case 'ping':
        return sayAlone({ type: 'pong' });
      case 'auth':
        return sayAlone({ type: 'auth-ok' });
      case 'subscribe':
      case 'resume': {
        if (!isChannel(channel)) return refuse(`a ${type} needs a channel: ${channelProblem(channel)}`);
        const after = type === 'resume' ? message['after'] : null;
        if (after !== null && !(Number.isSafeInteger(after) && (after as number) >= 0))
          return refuse('a resume needs `after`, a sequence number');
        if (followed.has(channel)) channels.leave(member, channel);
        else if (followed.size >= options.maxChannelsPerConnection) {
          counters.refused.tooManyChannels++;
          return say({
            type: 'ended',
            channel,
            reason: `this connection follows ${followed.size} channels, the most allowed (maxChannelsPerConnection)`,
            failed: true,
          });
        }
        followed.add(channel);
        try {
          await channels.join(member, channel, after as number | null);
        } catch (error) {
          followed.delete(channel);
          say({
            type: 'ended',
            channel,
            reason: `cannot follow the channel: ${(error as Error).message}`,
            failed: true,
          });
        }
        return;
      }
      case 'unsubscribe':
        if (!isChannel(channel)) return refuse('an unsubscribe needs a channel name');
        followed.delete(channel);
        return channels.leave(member, channel);
      case 'publish': {
        if (!isChannel(channel)) return refuse('a publish needs a channel name');
        const data = message['data'];
        if (options.onPublish && !(await options.onPublish(channel, data, client)))
          return say({ type: 'error', channel, message: 'publishing on this channel is not allowed' });
        try {
          await context.publish(channel, data);
        } catch (error) {
          say({ type: 'error', message: `the publish on "${channel}" failed: ${(error as Error).message}` });
        }
        return;
      }
      case 'request': {
        const id = message['id'];
        if (typeof id !== 'string' || id === '') return refuse('a request needs a string id');
        try {
          const reply = await options.onRequest(message['data'], client);
          say({ type: 'reply', id, data: reply ?? null });
        } catch (error) {
          say({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
        }
        return;
      }
      default:
        return refuse(`an unknown message type: ${JSON.stringify(type)?.slice(0, 40)}`);
    }
  }

  async function authenticate(message: Record<string, unknown>): Promise<void> {
    if (authenticating) return;
    if (message['type'] !== 'auth' || typeof message['token'] !== 'string') {
      counters.refused.authFailures++;
      return close(
        ServerCloseCode.Unauthorized,
        'authentication required: send {"type":"auth","token":…} first',
      );
    }
    authenticating = true;
    let result: unknown;
    try {
      result = await options.authenticate!(message['token'], request);
    } catch {
      result = false;
    }
    authenticating = false;
    if (result === false || result === null || result === undefined) {
      counters.refused.authFailures++;
      return close(ServerCloseCode.Unauthorized, 'invalid token');
    }
    identity = result;
    authenticated = true;
    if (authTimer) clearTimeout(authTimer);
    sayAlone({ type: 'auth-ok' });
  }
}

function isChannel(value: unknown): value is string {
  return channelProblem(value) === null;
}
