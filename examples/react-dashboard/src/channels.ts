// The app's channels and their data, once: the hooks below know each channel's type.
import { createTabmuxHooks } from 'tabmux/react';

export interface Price {
  readonly symbol: string;
  readonly eur: number;
}

export interface Channels {
  prices: Price;
  news: { readonly headline: string };
}

export const { useChannel, useSubscribe, usePublish } = createTabmuxHooks<Channels>();
