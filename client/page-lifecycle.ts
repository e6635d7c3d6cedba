// The page's life as the client needs it: leaving, coming back from the back/forward cache, the network, being seen.

export interface PageHooks {
  /** The page is going away (it may come back from the back/forward cache). */
  hide(): void;
  /** The page came back from the back/forward cache. */
  restore(): void;
  /** The browser's online state changed. Workers do not reliably get these events, so tabs pass them on. */
  network(online: boolean): void;
  /** The page became visible; its timers (and a sleeping machine's) may have fired late. */
  visible(): void;
}

/** Listens to the page's lifecycle events; returns the function that stops listening. Outside a page: nothing. */
export function watchPage(hooks: PageHooks): () => void {
  const target = globalThis as unknown as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
  const listeners: Record<string, (event: Event) => void> = {
    pagehide: () => hooks.hide(),
    pageshow: (event) => (event as PageTransitionEvent).persisted && hooks.restore(),
    online: () => hooks.network(true),
    offline: () => hooks.network(false),
    visibilitychange: () => {
      if ((globalThis as { document?: Document }).document?.visibilityState === 'visible') hooks.visible();
    },
  };
  for (const [name, listener] of Object.entries(listeners)) target.addEventListener?.(name, listener);
  return () => {
    for (const [name, listener] of Object.entries(listeners)) target.removeEventListener?.(name, listener);
  };
}
