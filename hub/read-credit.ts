// How far a tab is behind in reading what the hub posted it: a tab that stops reading (a frozen page) must not let
// the browser queue without bound, so past a limit the hub stops posting it channel messages until it reads again.

/** When the hub asks a tab to say how far it read, and how far behind it may fall before the hub waits for it. */
export interface ReadLimits {
  /** Ask once this many items (messages and events) went out since the last ask... */
  readonly askEveryItems: number;
  /** ...or this many batches. */
  readonly askEveryBatches: number;
  /** Past this many unread items, or `maxUnreadBatches` unread batches, the tab waits. */
  readonly maxUnreadItems: number;
  readonly maxUnreadBatches: number;
}

/**
 * 32,768 messages are far more than a tab that reads falls behind (a batch is at most 512, and acknowledgements come
 * back within a batch or two), and a few megabytes in a frozen page; a page frozen at 1 message a second fills 1,024
 * batches in 17 minutes.
 */
export const READ_LIMITS: ReadLimits = {
  askEveryItems: 2048,
  askEveryBatches: 16,
  maxUnreadItems: 32_768,
  maxUnreadBatches: 1024,
};

export interface ReadCredit {
  /**
   * A batch of `items` is about to go out: `ask` is the count to ask the tab to acknowledge (`null`: no need), and
   * `wait` says the tab is now too far behind: post it nothing more until it acknowledges.
   */
  posting(items: number): { readonly ask: number | null; readonly wait: boolean };
  /** The tab acknowledged reading `upTo` items; returns whether it has read everything posted. */
  read(upTo: number): boolean;
  /** Items posted and not yet acknowledged. */
  readonly unread: number;
}

export function createReadCredit(limits: ReadLimits = READ_LIMITS): ReadCredit {
  let posted = 0;
  let acked = 0;
  let batches = 0;
  let ackedBatches = 0;
  let askedItems = 0;
  let askedBatches = 0;
  /** The asks not yet acknowledged, oldest first; only these counts are taken from a tab. */
  const asks: { readonly upTo: number; readonly batch: number }[] = [];

  return {
    posting(items) {
      posted += items;
      batches++;
      const wait =
        posted - acked >= limits.maxUnreadItems || batches - ackedBatches >= limits.maxUnreadBatches;
      // A tab made to wait is always asked, or it could never say it caught up.
      const due =
        wait ||
        posted - askedItems >= limits.askEveryItems ||
        batches - askedBatches >= limits.askEveryBatches;
      if (!due) return { ask: null, wait };
      askedItems = posted;
      askedBatches = batches;
      asks.push({ upTo: posted, batch: batches });
      return { ask: posted, wait };
    },
    read(upTo) {
      while (asks.length > 0 && asks[0]!.upTo <= upTo) {
        const ask = asks.shift()!;
        acked = ask.upTo;
        ackedBatches = ask.batch;
      }
      return acked === posted;
    },
    get unread() {
      return posted - acked;
    },
  };
}
