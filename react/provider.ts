// The client a React tree uses, given once at its root.
import { createContext, createElement, useContext, type ReactNode } from 'react';
import type { Client } from '../client/index.js';

const TabmuxContext = createContext<Client | null>(null);

export interface TabmuxProviderProps {
  /** The app's client, made once with `createClient` (outside any component, or in a ref), whatever its channel map. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a client of any channel map is welcome here
  readonly client: Client<any>;
  readonly children?: ReactNode;
}

/** Gives `client` to every tabmux hook below it. */
export function TabmuxProvider({ client, children }: TabmuxProviderProps): ReactNode {
  if (typeof client !== 'object' || client === null || typeof client.subscribe !== 'function')
    throw new TypeError(
      'tabmux/react: <TabmuxProvider client={…}> needs the client that createClient() returned',
    );
  return createElement(TabmuxContext.Provider, { value: client as Client }, children);
}

/** The client of the nearest `<TabmuxProvider>`; throws, naming the provider, outside one. */
export function useTabmux<Channels extends object = Record<string, unknown>>(): Client<Channels> {
  const client = useContext(TabmuxContext);
  if (!client)
    throw new Error(
      'tabmux/react: tabmux hooks must be used inside <TabmuxProvider client={…}>; wrap your app in one, with the client from createClient()',
    );
  return client as unknown as Client<Channels>;
}
