// What an app ships for tabmux with its React bindings (React itself aside: the app has it already).
import { createClient } from '../../client/index.js';
import { TabmuxProvider, useChannel, useStatus, useSubscribe } from '../../react/index.js';

(globalThis as Record<string, unknown>)['bench'] = {
  createClient,
  TabmuxProvider,
  useChannel,
  useStatus,
  useSubscribe,
};
