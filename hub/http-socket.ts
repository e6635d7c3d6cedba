// The HTTP fallback as a socket (PROTOCOL.md, "When WebSockets are blocked"): the link, the handshake, the heartbeat
// and the resume run on it unchanged. Server → hub: Server-Sent Events over one fetch, or long polls where a proxy
// buffers streams; hub → server: POSTs, one at a time so frames keep their order.
import type { Frame } from './codec.js';
import type { WebSocketLike } from './environment.js';

export type HttpMode = 'stream' | 'polling';

/** The part of `fetch` the fallback uses. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** A POST carries the frames waiting when it leaves, up to this many bytes (one larger frame goes alone). */
const POST_BYTES = 256 * 1024;

/** `ws://host/path` → `http://host/path` (and wss → https): the fallback answers on the socket's own URL. */
export function httpUrlOf(url: string): string {
  return url.replace(/^ws(s?):/i, 'http$1:');
}

export class HttpSocket implements WebSocketLike {
  readyState = 0;
  binaryType = 'arraybuffer';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  private readonly url: string;
  private readonly abort = new AbortController();
  private session: string | null = null;
  private outgoing: string[] = [];
  private posting = false;
  private ack = 0;
  private tick: MessageChannel | null = null;
  private readonly ticks: (() => void)[] = [];

  constructor(
    url: string,
    readonly mode: HttpMode,
    private readonly fetch: FetchLike,
  ) {
    this.url = httpUrlOf(url);
    void (mode === 'stream' ? this.stream() : this.startPolling());
  }

  send(data: Frame): void {
    if (this.readyState !== 1) throw new Error('tabmux: the HTTP session is not open');
    if (typeof data !== 'string' || data.includes('\n'))
      throw new TypeError(
        'tabmux: the HTTP fallback carries text frames without line breaks (JSON text); this codec needs the socket',
      );
    this.outgoing.push(data);
    void this.post();
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.abort.abort();
    if (this.session !== null)
      // Tells the server at once rather than letting the session expire; nothing waits for the answer.
      this.fetch(this.url, { method: 'DELETE', headers: this.headers(), keepalive: true }).catch(() => {});
    this.ended(code ?? 1000, reason ?? '', true);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.session !== null && { 'tabmux-session': this.session }), ...extra };
  }

  private opened(session: string): void {
    if (this.readyState !== 0) return;
    this.session = session;
    this.readyState = 1;
    this.onopen?.({});
  }

  private ended(code: number, reason: string, wasClean: boolean): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.abort.abort();
    this.tick?.port1.close();
    this.tick?.port2.close();
    for (const resolve of this.ticks.splice(0)) resolve();
    this.onclose?.({ code, reason, wasClean });
  }

  /** The network failed or the server did not know the session: as a socket's abnormal close. */
  private lost(): void {
    if (this.readyState < 2) this.onerror?.({});
    this.ended(1006, '', false);
  }

  /**
   * One frame per task, as a socket delivers them: a chunk of a stream (or a poll's answer) can carry thousands of
   * frames, and taken in one go they would leave the tabs no turn to read (the hub's read credit would run out).
   */
  private nextTask(): Promise<void> {
    if (!this.tick) {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => this.ticks.shift()?.();
      this.tick = channel;
    }
    return new Promise((resolve) => {
      this.ticks.push(resolve);
      this.tick!.port2.postMessage(null);
    });
  }

  private frame(data: string): void {
    if (this.readyState === 1) this.onmessage?.({ data });
  }

  private async stream(): Promise<void> {
    try {
      const response = await this.fetch(this.url, {
        headers: { accept: 'text/event-stream' },
        cache: 'no-store',
        signal: this.abort.signal,
      });
      if (!response.ok || !response.body) return this.lost();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        // One pass over what arrived; the unfinished event's start is kept for the next chunk.
        let start = 0;
        let end: number;
        while ((end = buffer.indexOf('\n\n', start)) >= 0) {
          this.event(buffer.slice(start, end));
          start = end + 2;
          await this.nextTask();
        }
        buffer = buffer.slice(start);
      }
      this.lost();
    } catch {
      this.lost();
    }
  }

  /** One event of the stream: `open` (the session), `close` (a code and a reason), or a frame. */
  private event(block: string): void {
    let name = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
    if (data.length === 0) return;
    const text = data.join('\n');
    if (name === 'message') return this.frame(text);
    const fields = parse(text);
    if (name === 'open' && typeof fields?.['session'] === 'string') return this.opened(fields['session']);
    if (name === 'close') this.closedBy(fields);
  }

  private closedBy(fields: Record<string, unknown> | null): void {
    const code = typeof fields?.['code'] === 'number' ? fields['code'] : 1006;
    this.ended(code, typeof fields?.['reason'] === 'string' ? fields['reason'] : '', code !== 1006);
  }

  private async startPolling(): Promise<void> {
    try {
      const response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'tabmux-transport': 'polling' },
        signal: this.abort.signal,
      });
      const fields = response.ok ? parse(await response.text()) : null;
      if (typeof fields?.['session'] !== 'string') return this.lost();
      this.opened(fields['session']);
      while (this.readyState === 1) {
        const poll = await this.fetch(this.url, {
          headers: this.headers({ 'tabmux-ack': String(this.ack) }),
          cache: 'no-store',
          signal: this.abort.signal,
        });
        const answer = poll.ok ? parse(await poll.text()) : null;
        if (!answer) return this.lost();
        if (typeof answer['n'] === 'number') this.ack = Math.max(this.ack, answer['n']);
        const frames = Array.isArray(answer['frames']) ? answer['frames'] : [];
        for (const frame of frames)
          if (typeof frame === 'string') {
            this.frame(frame);
            await this.nextTask();
          }
        if (answer['close']) return this.closedBy(answer['close'] as Record<string, unknown>);
      }
    } catch {
      this.lost();
    }
  }

  private async post(): Promise<void> {
    if (this.posting) return;
    this.posting = true;
    try {
      while (this.outgoing.length > 0 && this.readyState === 1) {
        let count = 0;
        let bytes = 0;
        while (
          count < this.outgoing.length &&
          (count === 0 || bytes + this.outgoing[count]!.length <= POST_BYTES)
        )
          bytes += this.outgoing[count++]!.length;
        const body = this.outgoing.splice(0, count).join('\n');
        const response = await this.fetch(this.url, {
          method: 'POST',
          headers: this.headers({ 'content-type': 'text/plain' }),
          body,
          signal: this.abort.signal,
        });
        if (!response.ok) return this.lost();
      }
    } catch {
      this.lost();
    } finally {
      this.posting = false;
    }
  }
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
