// tabmux's worker entry plus a way for a test to end it, as its host tab's crash would, in any engine (no CDP).
import { hostSharedWorker } from '../worker/shared-worker-host.js';

hostSharedWorker();
new BroadcastChannel('e2e-end-worker').onmessage = () => (globalThis as unknown as { close(): void }).close();
