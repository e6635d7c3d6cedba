// Hooks that know each channel's data type, from the app's channel map.
import type { ChannelHandler, Client, SendResult } from '../client/index.js';
import { usePublish } from './actions.js';
import type { ChannelMessage } from './channel-store.js';
import { useChannel, useSubscribe, type UseChannelOptions } from './hooks.js';
import { useTabmux } from './provider.js';

export interface TypedHooks<Channels extends object> {
  useTabmux(): Client<Channels>;
  useChannel<C extends keyof Channels & string>(
    channel: C,
    options?: UseChannelOptions,
  ): ChannelMessage<Channels[C]> | undefined;
  useSubscribe<C extends keyof Channels & string>(
    channel: C,
    handler: ChannelHandler<Channels[C]>,
    options?: UseChannelOptions,
  ): void;
  usePublish<C extends keyof Channels & string>(channel: C): (data: Channels[C]) => Promise<SendResult>;
}

/**
 * The hooks, typed by a channel map: `const { useChannel } = createTabmuxHooks<{ prices: Price }>()` makes
 * `useChannel('prices')` a `ChannelMessage<Price> | undefined`, and `useChannel('typo')` a compile error.
 */
export function createTabmuxHooks<Channels extends object>(): TypedHooks<Channels> {
  return {
    useTabmux: () => useTabmux<Channels>(),
    useChannel: (channel, options) => useChannel(channel, options),
    useSubscribe: (channel, handler, options) => useSubscribe(channel, handler as ChannelHandler, options),
    usePublish: (channel) => usePublish(channel),
  };
}
