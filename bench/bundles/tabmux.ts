// What an app ships for tabmux: the client (the worker is emitted as its own file).
import { createClient } from '../../client/index.js';

(globalThis as Record<string, unknown>)['bench'] = createClient;
