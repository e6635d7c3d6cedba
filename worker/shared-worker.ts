// The default SharedWorker entry. Write your own two-line entry to pass `hostSharedWorker` options.
import { hostSharedWorker } from './shared-worker-host.js';

hostSharedWorker();
