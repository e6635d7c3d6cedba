// One client reached over HTTP instead of a WebSocket (a proxy refused the upgrade): it looks like a socket to
// client-connection.ts, so the protocol, the auth and every limit are the same code. Server → browser frames go out
// as Server-Sent Events on one held response, or are handed to the next long poll.
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { ClientSocket } from './client-socket.js';

/** How long a poll is held when there is nothing to send. */
export const POLL_HOLD_MS = 25_000;
/** A polling session that asks for nothing for this long is gone (the hold, plus room for a slow network). */
const POLL_GRACE_MS = POLL_HOLD_MS + 15_000;
/** A comment on a quiet stream, so proxies with idle timeouts keep it. */
const STREAM_KEEPALIVE_MS = 15_000;

/** What one long poll answers: `n` numbers it, so a poll that did not arrive is sent again. */
export interface PollAnswer {
  readonly n: number;
  /** Bytes of `frames`, kept for `bufferedAmount` (not sent). */
  readonly bytes?: number;
  readonly frames: readonly string[];
  readonly close?: { readonly code: number; readonly reason: string };
}

export class HttpSession extends EventEmitter implements ClientSocket {
  readonly OPEN = 1;
  readyState = 1;
  private queued: string[] = [];
  private queuedBytes = 0;
  private closeWith: { code: number; reason: string } | null = null;
  private lastN = 0;
  private unacked: PollAnswer | null = null;
  private held: { answer: (poll: PollAnswer) => void; timer: NodeJS.Timeout } | null = null;
  private expiry: NodeJS.Timeout | null = null;
  private keepalive: NodeJS.Timeout | null = null;
  private closeEmitted = false;

  /** `ended` is called once, when the session can be forgotten (after a polling client took its close). */
  constructor(
    readonly id: string,
    private readonly stream: ServerResponse | null,
    private readonly ended: () => void,
  ) {
    super();
    if (stream) {
      stream.on('close', () => this.gone());
      this.keepalive = setInterval(() => stream.write(': keep-alive\n\n'), STREAM_KEEPALIVE_MS).unref();
    } else this.expireLater();
  }

  /** Bytes written and not yet taken by the client: the stream's buffer, or what waits for a poll. */
  get bufferedAmount(): number {
    return this.stream ? this.stream.writableLength : this.queuedBytes + (this.unacked?.bytes ?? 0);
  }

  send(text: string): void {
    if (this.readyState !== 1) return;
    if (this.stream) {
      this.stream.write(`data: ${text}\n\n`);
      return;
    }
    this.queued.push(text);
    this.queuedBytes += text.length;
    this.answerHeld();
  }

  /** Frames the client posted, in order, as messages of a socket. */
  receive(frames: readonly string[]): void {
    for (const frame of frames) if (this.readyState === 1) this.emit('message', frame, false);
  }

  /**
   * A long poll: answered at once when something waits (or the last answer was not acknowledged), else held until
   * something does or `POLL_HOLD_MS` pass. `ack` is the `n` of the last answer the client received.
   */
  poll(ack: number, answer: (poll: PollAnswer) => void): void {
    if (this.readyState === 3) return answer({ n: ack, frames: [], close: { code: 1006, reason: 'gone' } });
    this.expireLater();
    if (this.unacked && ack >= this.unacked.n) this.unacked = null;
    // One poll at a time: an older one still held is let go empty.
    this.release({ n: ack, frames: [] });
    if (this.unacked) return answer(this.unacked);
    this.held = { answer, timer: setTimeout(() => this.release(this.next()), POLL_HOLD_MS) };
    this.answerHeld();
  }

  close(code: number, reason: string): void {
    if (this.readyState !== 1) return;
    this.readyState = 2;
    this.emitClose();
    if (this.stream) {
      this.stream.end(`event: close\ndata: ${JSON.stringify({ code, reason })}\n\n`);
      return this.gone();
    }
    // A polling client learns of the close in its next poll; if none comes, the session expires.
    this.closeWith = { code, reason };
    this.answerHeld();
  }

  terminate(): void {
    this.stream?.destroy();
    this.gone();
  }

  /** The client went away (its stream ended, or it stopped polling): the session ends. */
  gone(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.release({ n: this.lastN, frames: [] });
    if (this.expiry) clearTimeout(this.expiry);
    this.emitClose();
    this.ended();
  }

  private emitClose(): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.emit('close');
  }

  private answerHeld(): void {
    if (this.held && (this.queued.length > 0 || this.closeWith)) this.release(this.next());
  }

  /** What the next poll answers: nothing new keeps the number, so an empty answer needs no acknowledgement. */
  private next(): PollAnswer & { bytes?: number } {
    if (this.queued.length === 0 && !this.closeWith) return { n: this.lastN, frames: [] };
    const answer = {
      n: ++this.lastN,
      frames: this.queued,
      bytes: this.queuedBytes,
      ...(this.closeWith && { close: this.closeWith }),
    };
    this.queued = [];
    this.queuedBytes = 0;
    this.unacked = answer;
    if (this.closeWith) queueMicrotask(() => this.gone());
    return answer;
  }

  private release(poll: PollAnswer): void {
    const held = this.held;
    if (!held) return;
    this.held = null;
    clearTimeout(held.timer);
    held.answer(poll);
  }

  private expireLater(): void {
    if (this.expiry) clearTimeout(this.expiry);
    this.expiry = setTimeout(() => this.gone(), POLL_GRACE_MS).unref();
  }
}
