// The channels a page's components follow, per client: one `client.subscribe` per channel however many components
// want it, released a tick after the last one leaves, so React's StrictMode double mount costs no second subscribe.
import type { ChannelHandler, Client } from '../client/index.js';

/** A channel's latest message, as `useChannel` returns it. */
export interface ChannelMessage<T = unknown> {
  readonly data: T;
  /** `null` on a protocol that does not number messages. */
  readonly seq: number | null;
}

interface Store {
  latest: ChannelMessage | undefined;
  readonly listeners: Set<() => void>;
  readonly handlers: Set<ChannelHandler>;
  unsubscribe: (() => void) | null;
  release: ReturnType<typeof setTimeout> | null;
}

const stores = new WeakMap<Client, Map<string, Store>>();

function storeOf(client: Client, channel: string): Store {
  let byChannel = stores.get(client);
  if (!byChannel) stores.set(client, (byChannel = new Map()));
  let store = byChannel.get(channel);
  if (!store) {
    store = {
      latest: undefined,
      listeners: new Set(),
      handlers: new Set(),
      unsubscribe: null,
      release: null,
    };
    byChannel.set(channel, store);
  }
  return store;
}

/** The latest message of `channel` this page has, or `undefined`; the same object until the next one arrives. */
export function latestOf(client: Client, channel: string): ChannelMessage | undefined {
  return stores.get(client)?.get(channel)?.latest;
}

/** Follows `channel` for a component; returns the function that stops. `last` applies to the first follower. */
export function follow(
  client: Client,
  channel: string,
  follower: { readonly listener?: () => void; readonly handler?: ChannelHandler },
  last = true,
): () => void {
  const store = storeOf(client, channel);
  if (store.release !== null) clearTimeout(store.release);
  store.release = null;
  if (follower.listener) store.listeners.add(follower.listener);
  if (follower.handler) {
    store.handlers.add(follower.handler);
    // Like a second handler of the client: the latest message the page has, at once.
    const { latest } = store;
    const handler = follower.handler;
    if (last && latest)
      queueMicrotask(
        () => store.handlers.has(handler) && handler(latest.data, { channel, seq: latest.seq, last: true }),
      );
  }
  store.unsubscribe ??= client.subscribe(
    channel,
    (data, meta) => {
      store.latest = { data, seq: meta.seq };
      for (const handler of [...store.handlers]) handler(data, meta);
      for (const listener of [...store.listeners]) listener();
    },
    // A channel the server ended is subscribed anew by the next component that follows it.
    { last, onEnd: () => (store.unsubscribe = null) },
  );
  let following = true;
  return () => {
    if (!following) return;
    following = false;
    if (follower.listener) store.listeners.delete(follower.listener);
    if (follower.handler) store.handlers.delete(follower.handler);
    if (store.listeners.size > 0 || store.handlers.size > 0) return;
    // A tick later, unless someone follows again meanwhile (StrictMode mounts, unmounts and mounts again at once).
    store.release = setTimeout(() => {
      store.release = null;
      if (store.listeners.size > 0 || store.handlers.size > 0) return;
      store.unsubscribe?.();
      store.unsubscribe = null;
      stores.get(client)?.delete(channel);
    }, 0);
  };
}
