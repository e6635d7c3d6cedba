// What a tab the hub waited for (or one back from the back/forward cache) is owed of a channel, from its buffer.
import type { CatchUp } from './channels.js';
import { errorEvent } from './errors.js';
import { reportGap, type HubCore, type Tab } from './hub-core.js';

/** A waited-for tab did not get message `n` of `channel`: the first such one is where its catch-up starts. */
export function miss(tab: Tab, channel: string, n: number, seq: number | null): void {
  if (!tab.missed.has(channel)) tab.missed.set(channel, { n, seq });
}

/** What `tab` missed of `channel` while the hub waited for it: from the buffer, after a gap for what it lost. */
export function catchUp(core: HubCore, tab: Tab, channel: string): void {
  const missed = tab.missed.get(channel);
  if (!missed) return;
  tab.missed.delete(channel);
  const owed = core.channels.catchUp(
    channel,
    missed.seq === null ? { n: missed.n } : { afterSeq: missed.seq - 1 },
  );
  owe(core, tab, channel, owed);
}

export function owe(core: HubCore, tab: Tab, channel: string, owed: CatchUp): void {
  if (owed.gap) reportGap(core, channel, new Set([tab]), owed.gap);
  if (owed.lost > 0) {
    tab.queue.event(
      errorEvent(
        'undeliverable',
        `${owed.lost} messages of channel "${channel}" were not passed to this tab while it was not reading, and are no longer buffered`,
      ),
    );
  }
  for (const message of owed.messages) tab.queue.message(channel, message.seq, message.data);
}
