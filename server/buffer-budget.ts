// One budget for the bytes the server holds for all its clients together: each client has its own bound
// (`maxBufferedBytes`), but fifty that never read would each stay just under it. Past the budget the clients holding
// the most are cut first, until the rest fit.

export interface Buffered {
  readonly bufferedAmount: number;
  /** Lets the client go as a slow consumer (4430). */
  cut(): void;
}

export interface BufferBudget {
  /** Adds a client; returns the function that removes it. */
  add(client: Buffered): () => void;
  /** A client just had bytes queued: checks the total, at most once a tick. */
  wrote(): void;
}

export function createBufferBudget(maxTotalBufferedBytes: number): BufferBudget {
  const clients = new Set<Buffered>();
  let scheduled = false;

  function check(): void {
    scheduled = false;
    let total = 0;
    for (const client of clients) total += client.bufferedAmount;
    if (total <= maxTotalBufferedBytes) return;
    const slowest = [...clients].sort((a, b) => b.bufferedAmount - a.bufferedAmount);
    for (const client of slowest) {
      if (total <= maxTotalBufferedBytes || client.bufferedAmount === 0) break;
      total -= client.bufferedAmount;
      clients.delete(client);
      client.cut();
    }
  }

  return {
    add(client) {
      clients.add(client);
      return () => clients.delete(client);
    },
    wrote() {
      if (scheduled) return;
      scheduled = true;
      setImmediate(check);
    },
  };
}
