// The worker's locks: how a tab notices its hub died, and how a hub notices a tab died (Web Locks).

/** The part of the Web Locks API tabmux uses (`navigator.locks`), so hosts can pass another or none. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => T | Promise<T>): Promise<T>;
  request<T>(name: string, options: { signal?: AbortSignal }, callback: () => T | Promise<T>): Promise<T>;
}

/** `navigator.locks` where the scope has it (pages and workers in a secure context), else `null`. */
export function globalLocks(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks ?? null;
}

/** Holds lock `name` until `release()` is called; resolves once the lock is held. */
export async function holdLock(locks: LockManagerLike, name: string): Promise<() => void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await new Promise<void>((granted) => {
    void locks.request(name, () => {
      granted();
      return released;
    });
  });
  return release;
}
