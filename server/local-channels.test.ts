// A channel's join from the member's side: what it missed, `subscribed`, then live, each message once and in order,
// whatever order the broker hands them over in.
import { expect, test } from 'vitest';
import type { Broker, StoredMessage } from './broker.js';
import { createLocalChannels } from './local-channels.js';

/** A broker whose history is 1..5 and whose live deliveries the test makes by hand. */
function scriptedBroker() {
  let deliver: ((message: StoredMessage) => void) | null = null;
  const stored = [1, 2, 3, 4, 5].map((seq) => ({ seq, data: String(seq) }));
  const broker: Broker = {
    publish: async () => 0,
    history: async (_, after) => ({
      head: 5,
      messages: after === null ? stored.slice(-1) : stored.filter((m) => m.seq > after),
    }),
    listen: async (_, each) => {
      deliver = each;
      return async () => {};
    },
    healthy: async () => true,
    close: async () => {},
  };
  return { broker, live: (seq: number) => deliver!({ seq, data: String(seq) }) };
}

test('a live message the join already replayed (a broker filling a gap late) is not sent again, nor out of order', async () => {
  const { broker, live } = scriptedBroker();
  const channels = createLocalChannels(broker);
  const sent: unknown[] = [];
  await channels.join({ send: (text) => sent.push(JSON.parse(text)) }, 'A', 2);
  // Redis's gap fill delivers 3..5 after the join's history already did, then 6 arrives.
  for (const seq of [3, 4, 5, 6]) live(seq);
  expect(sent.map((m) => (m as { type: string; seq: number }).seq)).toEqual([3, 4, 5, 5, 6]);
  expect(sent.map((m) => (m as { type: string }).type)).toEqual([
    'message',
    'message',
    'message',
    'subscribed',
    'message',
  ]);
});
