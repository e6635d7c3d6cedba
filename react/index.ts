/**
 * The package `tabmux/react`: a provider and hooks for React ≥ 18. Nothing of React is in `tabmux` itself.
 * @module tabmux/react
 */
export { usePublish, useRequest, type RequestHook, type RequestState } from './actions.js';
export type { ChannelMessage } from './channel-store.js';
export { useChannel, useStatus, useSubscribe, type UseChannelOptions } from './hooks.js';
export { TabmuxProvider, useTabmux, type TabmuxProviderProps } from './provider.js';
export { createTabmuxHooks, type TypedHooks } from './typed-hooks.js';
