// One client's socket: tabmux's default protocol from the server's side, batched sends, and the limits that keep
// one client from harming the others (rate, buffered bytes, channels, auth and idle timeouts).
import type { IncomingMessage } from 'node:http';
import type { ClientSocket } from './client-socket.js';
import type { Wire } from '../protocol/wire-messages.js';
import { encodeMessage, isProblem, parseClientFrame } from '../protocol/wire.js';
import type { BufferBudget } from './buffer-budget.js';
import { createSender } from './client-sender.js';
import { tokenBucket } from './rate-limit.js';
import type { LocalChannels, Member } from './local-channels.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { ResolvedServerOptions } from './options.js';
import { ask, type AccessRequest } from './access.js';
import type { ServerLogger } from './log.js';
import type { ClientInfo } from './types.js';

export interface ConnectionContext {
  readonly options: ResolvedServerOptions;
  readonly channels: LocalChannels;
  readonly counters: Counters;
  readonly log: ServerLogger;
  /** What the server holds for all its clients together. */
  readonly budget: BufferBudget;
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
    | 'publishFailures'
    | 'forbidden',
    number
  >;
}

let nextId = 0;

export function serveClient(ws: ClientSocket, request: IncomingMessage, context: ConnectionContext): void {
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
  const withinRate = tokenBucket(options.rateLimit);
  /** Frames over the rate are refused one by one; a client that goes on past as many again is closed. */
  const mayRefuse = tokenBucket(options.rateLimit);

  const sender = createSender(
    ws,
    options.maxBufferedBytes,
    counters,
    () => slow(`more than maxBufferedBytes (${options.maxBufferedBytes}) waited for it`),
    context.budget.wrote,
  );
  const leaveBudget = context.budget.add({
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    cut: () =>
      slow(
        `it held the most of the server's maxTotalBufferedBytes (${options.maxTotalBufferedBytes}) over all clients`,
      ),
  });

  function slow(why: string): void {
    counters.refused.slowConsumers++;
    close(CloseCode.SlowConsumer, `slow consumer: ${why}`, true);
  }
  const member: Member = { send: (text) => queue(text) };
  const say = (message: Wire.ServerMessage) => queue(encodeMessage(message));
  const nameTooLong = `a channel name over maxChannelLength (${options.maxChannelLength} characters)`;

  function queue(text: string): void {
    sender.queue(text);
  }

  function sayAlone(message: Wire.ServerMessage): void {
    sender.alone(encodeMessage(message));
  }

  /** Closes the socket, saying why in its close reason (a browser shows nothing else) and in the log. */
  function close(code: number, reason: string, force = false): void {
    if (closing) return;
    closing = true;
    sender.stop();
    context.log.warn({ event: 'closed', client: client.id, code, reason }, `closed a client: ${reason}`);
    ws.close(code, reason);
    // A client that does not read may never answer the close either.
    if (force) setTimeout(() => ws.terminate(), 1000).unref();
  }

  const authTimer = authenticated
    ? null
    : setTimeout(() => {
        counters.refused.authTimeouts++;
        close(CloseCode.Unauthorized, `no auth within ${options.authTimeoutMs} ms`);
      }, options.authTimeoutMs);
  let idleTimer: NodeJS.Timeout | null = null;
  let expiryTimer: NodeJS.Timeout | null = null;
  const resetIdle = () => {
    if (options.idleTimeoutMs === 0) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      counters.refused.idle++;
      close(CloseCode.GoingAway, `idle for ${options.idleTimeoutMs} ms`);
    }, options.idleTimeoutMs);
  };
  resetIdle();

  ws.on('message', (raw, isBinary) => {
    if (closing) return;
    counters.messagesIn++;
    resetIdle();
    const limited = !withinRate();
    if (limited) {
      counters.refused.rateLimited++;
      if (!mayRefuse())
        return close(
          CloseCode.TooManyMessages,
          `too many messages: more than rateLimit (${options.rateLimit.perSecond} a second, bursts of ${options.rateLimit.burst}), and on after refusals`,
        );
    }
    if (isBinary) return refuse('a frame that is not JSON: binary frames are not part of the protocol');
    const message = parseClientFrame(raw.toString());
    if (isProblem(message)) return refuse(message.problem);
    if (limited && refuseOverRate(message)) return;
    void handle(message).catch((error: unknown) =>
      say({ type: 'error', message: `the server failed: ${(error as Error)?.message ?? String(error)}` }),
    );
  });

  ws.on('close', () => {
    closing = true;
    leaveBudget();
    sender.stop();
    if (authTimer) clearTimeout(authTimer);
    if (expiryTimer) clearTimeout(expiryTimer);
    if (idleTimer) clearTimeout(idleTimer);
    for (const name of followed) channels.leave(member, name);
    followed.clear();
  });
  ws.on('error', () => {
    // ws reports protocol errors (such as a frame over maxPayload) here, then closes the socket.
  });

  /**
   * Answers a frame over the rate limit with a refusal the client can act on (a publish's error, a request's, a
   * subscription's end), rather than closing everything. Pings, auth and unsubscribes still pass: they cost little
   * and keep the connection sound. Returns whether the frame was refused.
   */
  function refuseOverRate(message: Wire.ClientMessage): boolean {
    const limit = `rateLimit (${options.rateLimit.perSecond} a second, bursts of ${options.rateLimit.burst}); try again later`;
    const why = `rate-limited: over ${limit}`;
    switch (message.type) {
      case 'publish': {
        const text = `rate-limited: the publish on "${message.channel}" came over ${limit}`;
        say({ type: 'error', channel: message.channel, code: 'rate-limited', message: text });
        return true;
      }
      case 'request':
        say({ type: 'error', id: message.id, code: 'rate-limited', message: why });
        return true;
      case 'subscribe':
      case 'resume':
        if (followed.delete(message.channel)) channels.leave(member, message.channel);
        say({ type: 'ended', channel: message.channel, reason: why, failed: true, code: 'rate-limited' });
        return true;
      default:
        return false;
    }
  }

  /** Refuses a frame, counted and logged: answered with `answer`, or an error saying why. */
  function refuse(why: string, answer: Wire.ServerMessage = { type: 'error', message: why }): void {
    counters.refused.badFrames++;
    context.log.warn(
      { event: 'refused', cause: 'bad-frame', client: client.id, reason: why.slice(0, 200) },
      `refused a frame: ${why.slice(0, 200)}`,
    );
    say(answer);
  }

  async function handle(message: Wire.ClientMessage): Promise<void> {
    if (!authenticated) return authenticate(message);
    switch (message.type) {
      case 'ping':
        return sayAlone({ type: 'pong' });
      case 'auth':
        return reauthenticate(message.token);
      case 'subscribe':
      case 'resume': {
        const { channel } = message;
        if (channel.length > options.maxChannelLength)
          return refuse(nameTooLong, { type: 'ended', channel, reason: nameTooLong, failed: true });
        // Nothing of a refused channel reaches the socket, its latest message included.
        const refusal = await refuses(message.type, channel);
        if (refusal) {
          if (followed.delete(channel)) channels.leave(member, channel);
          return say(forbiddenEnd(channel, refusal));
        }
        if (followed.has(channel)) channels.leave(member, channel);
        else if (followed.size >= options.maxChannelsPerConnection) {
          counters.refused.tooManyChannels++;
          context.log.warn(
            { event: 'refused', cause: 'too-many-channels', client: client.id, channel },
            `refused a subscribe of "${channel}": maxChannelsPerConnection (${options.maxChannelsPerConnection})`,
          );
          return say({
            type: 'ended',
            channel,
            reason: `this connection follows ${followed.size} channels, the most allowed (maxChannelsPerConnection)`,
            failed: true,
          });
        }
        followed.add(channel);
        try {
          if (message.type === 'resume') await channels.join(member, channel, message.after);
          else await channels.join(member, channel, null, message.last !== false);
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
        followed.delete(message.channel);
        return channels.leave(member, message.channel);
      case 'publish': {
        const { channel, data } = message;
        if (channel.length > options.maxChannelLength)
          return refuse(nameTooLong, { type: 'error', channel, message: nameTooLong });
        const refusal = await refuses('publish', channel);
        if (refusal)
          return say({
            type: 'error',
            channel,
            code: 'forbidden',
            message: `forbidden: publishing on "${channel}" is not allowed (${refusal})`,
          });
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
        const { id } = message;
        const refusal = await refuses('request', null);
        if (refusal) return say({ type: 'error', id, code: 'forbidden', message: `forbidden: ${refusal}` });
        try {
          const reply = await options.onRequest(message.data, client);
          say({ type: 'reply', id, data: reply ?? null });
        } catch (error) {
          say({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
        }
        return;
      }
    }
  }

  async function authenticate(message: Wire.ClientMessage): Promise<void> {
    if (authenticating) return;
    if (message.type !== 'auth') {
      counters.refused.authFailures++;
      return close(CloseCode.Unauthorized, 'authentication required: send {"type":"auth","token":…} first');
    }
    authenticating = true;
    const result = await verify(message.token);
    authenticating = false;
    if (typeof result === 'string') {
      counters.refused.authFailures++;
      return close(CloseCode.Unauthorized, result);
    }
    accept(result.identity);
    if (authTimer) clearTimeout(authTimer);
    sayAlone({ type: 'auth-ok' });
  }

  /**
   * A fresh token on an open socket (before the old one expires): the client is who it now says, and the channels
   * the new identity may no longer follow are ended, forbidden.
   */
  async function reauthenticate(token: string): Promise<void> {
    if (!options.authenticate) return sayAlone({ type: 'auth-ok' });
    const result = await verify(token);
    if (typeof result === 'string') {
      counters.refused.authFailures++;
      return close(CloseCode.Unauthorized, result);
    }
    accept(result.identity);
    sayAlone({ type: 'auth-ok' });
    for (const channel of [...followed]) {
      const refusal = await refuses('subscribe', channel);
      if (!refusal || !followed.delete(channel)) continue;
      channels.leave(member, channel);
      say(forbiddenEnd(channel, refusal));
    }
  }

  /** The identity `authenticate` gives `token`, or why it refused it. */
  async function verify(token: string): Promise<{ identity: unknown } | string> {
    try {
      const result = await options.authenticate!(token, request);
      if (result === false || result === null || result === undefined) return 'invalid token';
      return { identity: result };
    } catch (error) {
      return error instanceof Error && error.message ? error.message : 'invalid token';
    }
  }

  /** Takes `identity`; one that says when it expires (`expiresAt`, ms) closes the socket then with 4401. */
  function accept(next: unknown): void {
    identity = next;
    authenticated = true;
    if (expiryTimer) clearTimeout(expiryTimer);
    expiryTimer = null;
    const expiresAt = (next as { expiresAt?: unknown } | null)?.expiresAt;
    if (typeof expiresAt === 'number')
      expiryTimer = setTimeout(
        () => close(CloseCode.Unauthorized, 'the token expired: send a fresh one'),
        Math.max(0, expiresAt - Date.now()),
      ).unref();
  }

  /** Why `authorize` refuses `action` on `channel`, or `null` when it allows it (or there is no `authorize`). */
  async function refuses(action: AccessRequest['action'], channel: string | null): Promise<string | null> {
    if (!options.authorize) return null;
    const refusal = await ask(options.authorize, { action, channel, identity, client });
    if (refusal) {
      counters.refused.forbidden++;
      context.log.warn(
        { event: 'forbidden', client: client.id, action, channel, reason: refusal },
        `refused a ${action}${channel === null ? '' : ` of "${channel}"`}: ${refusal}`,
      );
    }
    return refusal;
  }
}

function forbiddenEnd(channel: string, why: string): Wire.Ended {
  return {
    type: 'ended',
    channel,
    reason: `forbidden: this connection may not follow "${channel}" (${why})`,
    failed: true,
    code: 'forbidden',
  };
}
