// Compile-time tests of tabmux/react's types, checked by `tsc --noEmit`.
import { createClient } from '../client/index.js';
import {
  createTabmuxHooks,
  useChannel,
  usePublish,
  useRequest,
  useStatus,
  useSubscribe,
  type ChannelMessage,
} from './index.js';

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

  const publishPrice = typed.usePublish('prices');
  void publishPrice({ eur: 1 });
  // @ts-expect-error -- a price is { eur: number }
  void publishPrice({ text: 'hi' });
  const { request, pending, result, error } = useRequest<{ total: number }>();
  pending satisfies boolean;
  if (result) result.total satisfies number;
  error satisfies Error | undefined;
  void request({ q: 1 }, { timeout: 100 }).then((reply) => reply.total satisfies number);
  usePublish('anything') satisfies (data: unknown) => Promise<{ outcome: string }>;
  return null;
}
