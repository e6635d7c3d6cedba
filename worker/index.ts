/**
 * The package `tabmux/worker/host`: the SharedWorker host, for a worker entry of your own. `tabmux/worker` is the
 * ready-made entry, which calls `hostSharedWorker()` with no options.
 * @module tabmux/worker/host
 */
export type { LockManagerLike } from '../hub/locks.js';
export { hostSharedWorker, type HostOptions, type SharedWorkerScopeLike } from './shared-worker-host.js';
