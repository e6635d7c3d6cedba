// A token bucket: `burst` frames at once, refilled at `perSecond`.

/** Returns a function that takes one token, saying whether there was one. */
export function tokenBucket(rate: { readonly perSecond: number; readonly burst: number }): () => boolean {
  let tokens = rate.burst;
  let refilledAt = performance.now();
  return () => {
    const now = performance.now();
    tokens = Math.min(rate.burst, tokens + ((now - refilledAt) / 1000) * rate.perSecond);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };
}
