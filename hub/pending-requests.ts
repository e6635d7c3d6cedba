// The requests the hub carries for its tabs: found by the hub's own id when the server answers, and by the tab's id
// when the tab gives up, each in constant time, so one tab's many requests cost another tab nothing.

export interface PendingRequest<Tab> {
  readonly tab: Tab;
  /** The id the tab chose. */
  readonly requestId: string;
  /** Whether its frame went out on the current socket (a queued one survives a reconnect). */
  sent: boolean;
}

export function createPendingRequests<Tab>(prefix: string) {
  const byHubId = new Map<string, PendingRequest<Tab>>();
  const byTab = new Map<Tab, Map<string, string>>();
  let counter = 0;

  function forget(hubId: string, pending: PendingRequest<Tab>): void {
    byHubId.delete(hubId);
    const ofTab = byTab.get(pending.tab);
    ofTab?.delete(pending.requestId);
    if (ofTab?.size === 0) byTab.delete(pending.tab);
  }

  return {
    get size() {
      return byHubId.size;
    },
    /** Registers a tab's request; returns the id the server sees, or `null` if the tab has one of that id pending. */
    start(tab: Tab, requestId: string): { hubId: string; pending: PendingRequest<Tab> } | null {
      let ofTab = byTab.get(tab);
      if (ofTab?.has(requestId)) return null;
      if (!ofTab) byTab.set(tab, (ofTab = new Map()));
      const hubId = `${prefix}:${++counter}`;
      const pending: PendingRequest<Tab> = { tab, requestId, sent: false };
      byHubId.set(hubId, pending);
      ofTab.set(requestId, hubId);
      return { hubId, pending };
    },
    /** The request the server answered, forgotten from now on; `undefined` for an id nobody waits for. */
    take(hubId: string): PendingRequest<Tab> | undefined {
      const pending = byHubId.get(hubId);
      if (pending) forget(hubId, pending);
      return pending;
    },
    /** Forgets a request (its tab gave up, or it was refused); harmless for an unknown one. */
    cancel(tab: Tab, requestId: string): void {
      const hubId = byTab.get(tab)?.get(requestId);
      const pending = hubId === undefined ? undefined : byHubId.get(hubId);
      if (hubId !== undefined && pending) forget(hubId, pending);
    },
    /** Forgets every request of a tab that left. */
    dropTab(tab: Tab): void {
      for (const hubId of byTab.get(tab)?.values() ?? []) byHubId.delete(hubId);
      byTab.delete(tab);
    },
    /** The socket closed: every request already on it is forgotten and handed to `fail`; queued ones stay. */
    failSent(fail: (pending: PendingRequest<Tab>) => void): void {
      for (const [hubId, pending] of byHubId) {
        if (!pending.sent) continue;
        forget(hubId, pending);
        fail(pending);
      }
    },
  };
}
