// tabmux's own worker entry, as the client starts it when the app passes no `worker` factory.

/**
 * tabmux's own worker entry. Written inline so that Vite (and webpack 5) see the worker's URL and its options and
 * bundle it; a production build names the file by content hash, so tabs of different builds never share one hub.
 * `extendedLifetime` keeps the worker, and the hub's socket, through a reload of the last tab where the browser
 * supports it (Chromium from 2026); a browser that does not know the option ignores it.
 */
export function defaultWorker(name: string): SharedWorker {
  return new SharedWorker(new URL('../worker/shared-worker.js', import.meta.url), {
    type: 'module',
    name,
    extendedLifetime: true,
  });
}
