// Compile-time tests of tabmux/react's types, checked by `tsc --noEmit`.
import { createClient } from '../client/index.js';
import { createTabmuxHooks, useChannel, useStatus, useSubscribe, type ChannelMessage } from './index.js';

interface Channels {
  prices: { eur: number };
  chat: { text: string };
}
const typed = createTabmuxHooks<Channels>();

export function Component() {
  const prices = typed.useChannel('prices');
  prices satisfies ChannelMessage<{ eur: number }> | undefined;
  if (prices) prices.data.eur satisfies number;
  typed.useSubscribe('chat', (message) => message.text satisfies string);
  // @ts-expect-error -- not a channel of the map
  typed.useChannel('news');
  // @ts-expect-error -- a chat handler gets chat messages
  typed.useSubscribe('chat', (message: { eur: number }) => message);
  typed.useTabmux() satisfies ReturnType<typeof createClient<Channels>>;

  const untyped = useChannel<number>('anything');
  if (untyped) untyped.data satisfies number;
  useSubscribe('anything', (data) => data satisfies unknown);
  useStatus().state satisfies string;
  return null;
}
