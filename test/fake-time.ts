// A clock, timers and a socket that move only when a unit test says so; the hub runs on them unchanged.
import type { HubEnvironment, WebSocketLike } from '../hub/environment.js';

/** A clock and timers that move only when the test says so. */
export function fakeClock(start = 1_000_000) {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    setTimeout: (callback: () => void, ms: number) => {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout: (id: unknown) => void timers.delete(id as number),
    /** Moves time forward by `ms`, firing due timers in order and letting promises settle after each. */
    async advance(ms: number) {
      const end = now + ms;
      await settle();
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
        await settle();
      }
      now = end;
    },
    /** Moves the clock without firing timers, as a throttled or sleeping context sees it. */
    jump(ms: number) {
      now += ms;
    },
    pending: () => timers.size,
  };
}

/** A WebSocket the test opens, feeds and closes by hand. */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  readyState = 0;
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  /** What the hub sent, decoded as JSON where it is JSON (see `frames` for the frames as they went out). */
  readonly sent: unknown[] = [];
  /** What the hub sent, as the frames went out. */
  readonly frames: (string | ArrayBuffer | ArrayBufferView)[] = [];
  closedWith: { code?: number | undefined; reason?: string | undefined } | null = null;

  /** Answers what the hub sends, like a server would (after a microtask); set per test, cleared per environment. */
  static server: ((message: unknown, socket: FakeWebSocket) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    // As browsers do: a URL that is not ws:/wss: throws at once.
    if (!/^wss?:\/\//.test(url))
      throw new SyntaxError(`Failed to construct 'WebSocket': The URL '${url}' is invalid.`);
    FakeWebSocket.instances.push(this);
  }
  static get last(): FakeWebSocket {
    const last = FakeWebSocket.instances.at(-1);
    if (!last) throw new Error('no socket was created');
    return last;
  }
  send(data: string | ArrayBuffer | ArrayBufferView) {
    if (this.readyState !== 1) throw new Error('not open');
    this.frames.push(data);
    let message: unknown = data;
    if (typeof data === 'string') {
      try {
        message = JSON.parse(data);
      } catch {
        // A protocol whose frames are not JSON: kept as text.
      }
    }
    this.sent.push(message);
    const server = FakeWebSocket.server;
    if (server) queueMicrotask(() => this.readyState === 1 && server(message, this));
  }
  /** As browsers do: only 1000 and 3000–4999 may be sent, and a reason of at most 123 bytes. */
  close(code?: number, reason?: string) {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999))
      throw new DOMException(
        `The close code must be either 1000, or between 3000 and 4999. ${code} is neither.`,
        'InvalidAccessError',
      );
    if (reason !== undefined && new TextEncoder().encode(reason).byteLength > 123)
      throw new DOMException('The close reason must not be greater than 123 UTF-8 bytes.', 'SyntaxError');
    if (this.readyState >= 2) return;
    this.closedWith = { code, reason };
    this.readyState = 2;
  }
  /** Open or connecting: what a server would still count. */
  get live(): boolean {
    return this.readyState < 2;
  }
  /** The server accepts. */
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
  /** A text frame exactly as given, JSON or not. */
  receiveRaw(text: string) {
    this.onmessage?.({ data: text });
  }
  /** The frames of `type` the hub sent on this socket so far (in tabmux's default protocol). */
  sentOfType(type: string): Record<string, unknown>[] {
    return this.sent.filter(
      (message): message is Record<string, unknown> =>
        typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type,
    );
  }
  /** The server (or the network) closes the socket. */
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: code !== 1006 });
  }
}

export function fakeEnvironment(
  clock: ReturnType<typeof fakeClock>,
  random: () => number = () => 0.5,
): HubEnvironment {
  FakeWebSocket.instances = [];
  FakeWebSocket.server = null;
  let id = 0;
  return {
    WebSocket: FakeWebSocket,
    fetch: undefined,
    now: clock.now,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    queueMicrotask: (callback) => queueMicrotask(callback),
    random,
    generateId: () => `id-${++id}`,
  };
}
