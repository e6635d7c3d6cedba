// The hooks: the connection's status, a channel's latest message, and every message of a channel.
import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react';
import type { ChannelHandler, Status } from '../client/index.js';
import { channelProblem } from '../protocol/channel-name.js';
import { follow, latestOf, type ChannelMessage } from './channel-store.js';
import { useTabmux } from './provider.js';

export interface UseChannelOptions {
  /** Start with the latest message the hub already has, at once. @default true */
  readonly last?: boolean;
}

/** The connection's status, the same in every tab; re-renders only when it changes. */
export function useStatus(): Status {
  const client = useTabmux();
  const subscribe = useCallback((changed: () => void) => client.on('status', changed), [client]);
  const status = () => client.status;
  return useSyncExternalStore(subscribe, status, status);
}

/**
 * The latest message of `channel` as `{ data, seq }`, or `undefined` until one arrives; re-renders on each. Every
 * component following a channel shares one subscription of the client; the last to unmount ends it.
 */
export function useChannel<T = unknown>(
  channel: string,
  options: UseChannelOptions = {},
): ChannelMessage<T> | undefined {
  const client = useTabmux();
  checkChannel(channel);
  const last = options.last !== false;
  const subscribe = useCallback(
    (changed: () => void) => follow(client, channel, { listener: changed }, last),
    [client, channel, last],
  );
  const latest = () => latestOf(client, channel) as ChannelMessage<T> | undefined;
  return useSyncExternalStore(subscribe, latest, latest);
}

/**
 * Calls `handler` with every message of `channel` from mount to unmount (the latest first, unless `last: false`),
 * for work that must see each one; the newest `handler` is called, without subscribing again.
 */
export function useSubscribe<T = unknown>(
  channel: string,
  handler: ChannelHandler<T>,
  options: UseChannelOptions = {},
): void {
  const client = useTabmux();
  checkChannel(channel);
  if (typeof handler !== 'function')
    throw new TypeError('tabmux/react: useSubscribe needs a handler function');
  const current = useRef(handler);
  current.current = handler;
  const last = options.last !== false;
  useEffect(
    () => follow(client, channel, { handler: (data, meta) => current.current(data as T, meta) }, last),
    [client, channel, last],
  );
}

function checkChannel(channel: unknown): asserts channel is string {
  const problem = channelProblem(channel);
  if (problem) throw new TypeError(`tabmux/react: ${problem}`);
}
