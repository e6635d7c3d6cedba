// Per-tab batching: what the hub has for a tab waits in the tab's queue and leaves in one post per tick.
import type { HubEnvironment } from './environment.js';
import { errorEvent, errorInfo, messageOf } from './errors.js';
import { createReadCredit, type ReadLimits } from './read-credit.js';
import type { HubEvent } from '../protocol/session-types.js';

/**
 * Receives a tab's events, a batch at a time. `transfer` lists buffers in the batch that only this tab gets: a sink
 * across a port moves them instead of copying them (they are unusable in the hub afterwards).
 */
export type TabSink = (events: HubEvent[], transfer?: ArrayBuffer[]) => void;

/** A flush is forced at this many queued messages, so a burst never builds an unbounded batch. */
export const MAX_BATCH = 512;

/** A channel event while the queue still appends to it. */
type Run = Extract<HubEvent, { type: 'channel' }> & { readonly messages: unknown[] };

export interface TabQueue {
  /**
   * Queues a channel message; consecutive numbers of one channel (or unnumbered ones) share one envelope (a run).
   * `transfer`: the message's buffer, when this tab is its only reader and the hub keeps no reference to it.
   */
  /** `last`: the channel's latest message handed to a new subscription, delivered in a run of its own. */
  message(channel: string, seq: number | null, data: unknown, transfer?: ArrayBuffer, last?: boolean): void;
  event(event: HubEvent, transfer?: ArrayBuffer): void;
  /** Posts what is queued, now (nothing while the tab is waited for). */
  flush(): void;
  /**
   * The tab stopped reading and the hub waits for it: the caller keeps channel messages back (they are caught up
   * from the channel's buffer later); other events are held here, at most `MAX_HELD`.
   */
  readonly waiting: boolean;
  /** The tab acknowledged reading `upTo` items (the `ack` event it was sent); ignored unless the hub asked for it. */
  read(upTo: number): void;
  /** Items posted to the tab and not yet acknowledged (0 for a tab that does not acknowledge). */
  readonly unread: number;
}

/** How a tab reads: `acknowledges` tabs (across a port) are asked how far they read, and waited for past a limit. */
export interface ReadFlow {
  readonly acknowledges: boolean;
  /** The tab read everything after a wait: the hub catches it up (before its held events go out). */
  readonly caughtUp?: () => void;
  readonly limits?: ReadLimits;
}

export interface Batcher {
  /** A queue for one tab's sink. */
  queue(sink: TabSink, flow?: ReadFlow): TabQueue;
  /** Posts every queue's batch now. */
  flushAll(): void;
}

/** Events held for a waited-for tab, beyond which plain messages and errors are dropped (and counted). */
export const MAX_HELD = 1000;

/**
 * How long after a flush the next one waits, when traffic is continuous, for `tabs` tabs. Every post wakes a tab's
 * process, and on a small machine 16 tabs woken 1,000 times a second saturate it (p99 179 ms at 16 tabs and
 * 1,000/s before this window): from 5 tabs on, consecutive posts are spaced 1 ms per 4 tabs, at most 4 ms.
 */
export function flushWindowMs(tabs: number): number {
  return tabs <= 4 ? 0 : Math.min(4, Math.ceil(tabs / 4));
}

/**
 * Tab queues that share one flush schedule. Idle, a lone message goes out on a microtask: no timer between it and
 * the tabs. Under load (a flush within the last millisecond, or the window `flushWindowMs` of the tab count), a
 * task lets frames that arrive back to back share one post per tab: 116k against 88k messages/s to each of 4 tabs
 * when measured, before messages travelled in runs.
 */
export function createBatcher(
  env: Pick<HubEnvironment, 'now' | 'setTimeout' | 'queueMicrotask'>,
  tabs: () => number = () => 1,
): Batcher {
  const dirty = new Set<TabQueue>();
  let scheduled = false;
  let lastFlushAt = -Infinity;

  function flushAll(): void {
    scheduled = false;
    lastFlushAt = env.now();
    // A flush can queue more (an in-page sink calls back into the hub), which schedules another.
    const queues = [...dirty];
    dirty.clear();
    for (const queue of queues) queue.flush();
  }

  function schedule(queue: TabQueue): void {
    dirty.add(queue);
    if (scheduled) return;
    scheduled = true;
    const since = env.now() - lastFlushAt;
    const window = flushWindowMs(tabs());
    if (since < Math.max(1, window)) env.setTimeout(flushAll, Math.max(0, window - since));
    else env.queueMicrotask(flushAll);
  }

  return {
    flushAll,
    queue(sink, flow = { acknowledges: false }) {
      let events: HubEvent[] = [];
      /** Messages in `events`, counting each message of a run. */
      let count = 0;
      /** The run at the end of `events`, if the last event queued is one. */
      let run: Run | null = null;
      /** Buffers of `events` that go to this tab alone. */
      let transfers: ArrayBuffer[] = [];
      const credit = flow.acknowledges ? createReadCredit(flow.limits) : null;
      let waiting = false;
      /** Events dropped while the tab was waited for. */
      let dropped = 0;

      const self: TabQueue = {
        message(channel, seq, data, transfer, last) {
          if (transfer) transfers.push(transfer);
          if (last) {
            events.push({ type: 'channel', channel, seq, messages: [data], last: true });
            run = null;
          } else if (
            run &&
            run.channel === channel &&
            (run.seq === null ? seq === null : run.seq + run.messages.length === seq)
          )
            run.messages.push(data);
          else {
            run = { type: 'channel', channel, seq, messages: [data] };
            events.push(run);
          }
          queued();
        },
        event(event, transfer) {
          if (waiting && !hold(event)) return;
          if (transfer) transfers.push(transfer);
          events.push(event);
          run = null;
          queued();
        },
        get waiting() {
          return waiting;
        },
        get unread() {
          return credit?.unread ?? 0;
        },
        read(upTo) {
          if (!credit || typeof upTo !== 'number' || !credit.read(upTo) || !waiting) return;
          waiting = false;
          flow.caughtUp?.();
          if (dropped > 0) {
            events.push(
              errorEvent(
                'undeliverable',
                `${dropped} events (server messages outside channels, errors) were dropped while this tab was not reading`,
              ),
            );
            count++;
            dropped = 0;
          }
          if (events.length > 0) schedule(self);
        },
        flush() {
          if (events.length === 0 || waiting) return;
          const batch = events;
          const items = count;
          const transfer = transfers;
          transfers = [];
          events = [];
          count = 0;
          run = null;
          dirty.delete(self);
          if (credit) {
            const { ask, wait } = credit.posting(items);
            if (ask !== null) batch.push({ type: 'ack', upTo: ask });
            waiting = wait;
          }
          try {
            if (transfer.length > 0) sink(batch, transfer);
            else sink(batch);
          } catch {
            // The browser refuses a whole batch when one value in it cannot be cloned: the rest still goes.
            for (const event of batch) postApart(event);
          }
        },
      };

      /** Posts one event; what cannot go is narrowed down to single messages and reported in their place. */
      function postApart(event: HubEvent): void {
        try {
          sink([event]);
          return;
        } catch (error) {
          if (event.type === 'channel' && event.messages.length > 1) {
            const half = Math.ceil(event.messages.length / 2);
            postApart({ ...event, messages: event.messages.slice(0, half) });
            postApart({
              ...event,
              seq: event.seq === null ? null : event.seq + half,
              messages: event.messages.slice(half),
            });
            return;
          }
          for (const replacement of undeliverable(event, messageOf(error))) {
            try {
              sink([replacement]);
            } catch {
              // Only a port that is gone refuses these; the tab's lock (or its goodbye) detaches it.
            }
          }
        }
      }

      function queued(): void {
        if (++count >= MAX_BATCH) self.flush();
        else schedule(self);
      }

      /**
       * Whether a waited-for tab keeps `event`: the latest status replaces an older one; replies and channel events
       * are always kept (requests and channels bound them); past MAX_HELD, plain messages and errors are dropped.
       */
      function hold(event: HubEvent): boolean {
        if (event.type === 'status') {
          const older = events.findIndex((held) => held.type === 'status');
          if (older >= 0) {
            events[older] = event;
            return false;
          }
        }
        if (count < MAX_HELD || (event.type !== 'message' && event.type !== 'error')) return true;
        dropped++;
        return false;
      }
      return self;
    },
  };
}

/** What a tab gets instead of an event the browser could not pass to it: an error, and a gap or a failed reply. */
function undeliverable(event: HubEvent, why: string): HubEvent[] {
  switch (event.type) {
    case 'channel':
      // Without numbers there is no gap to name; the error says what was lost.
      if (event.seq === null)
        return [
          errorEvent(
            'undeliverable',
            `a message of channel "${event.channel}" could not be passed to this tab: ${why}`,
          ),
        ];
      return [
        errorEvent(
          'undeliverable',
          `message ${event.seq} of channel "${event.channel}" could not be passed to this tab: ${why}`,
        ),
        { type: 'gap', channel: event.channel, from: event.seq, to: event.seq },
      ];
    case 'reply':
      return [
        {
          type: 'reply-error',
          requestId: event.requestId,
          error: errorInfo('undeliverable', `the reply could not be passed to this tab: ${why}`),
        },
      ];
    default:
      return [errorEvent('undeliverable', `a ${event.type} event could not be passed to this tab: ${why}`)];
  }
}
