// A page that e2e tests drive: it creates one client from its query string and records what it sees.
import { createClient, type ClientOptions } from '../client/index.js';

const params = new URLSearchParams(location.search);

// `?exit=silent` keeps the client from saying goodbye on pagehide, as when a tab is killed.
if (params.get('exit') === 'silent') {
  window.addEventListener('pagehide', (event) => event.stopImmediatePropagation());
}

// `?worker=silent` starts a SharedWorker that never answers; `?worker=broken` one whose script cannot load.
const workers: Record<string, (name: string) => SharedWorker> = {
  silent: (name) =>
    new SharedWorker(new URL('./silent-worker.ts', import.meta.url), { type: 'module', name }),
  broken: (name) => new SharedWorker('/no-such-worker.js', { type: 'module', name }),
};
const worker = workers[params.get('worker') ?? ''];
const options: ClientOptions = {
  url: params.get('ws') ?? '',
  name: params.get('name') ?? 'e2e',
  transport: (params.get('transport') ?? 'auto') as NonNullable<ClientOptions['transport']>,
  lingerMs: Number(params.get('linger') ?? 1000),
  ...(params.has('probe') && { probeTimeoutMs: Number(params.get('probe')) }),
  ...(worker && { worker }),
};

const tab = {
  client: createClient(options),
  messages: [] as unknown[],
  states: [] as string[],
  errors: [] as { code: string; message: string }[],
};
tab.client.on('message', (message) => tab.messages.push(message));
tab.client.on('status', (status) => tab.states.push(status.state));
tab.client.on('error', (error) => tab.errors.push({ code: error.code, message: error.message }));

declare global {
  interface Window {
    tab: typeof tab;
  }
}
window.tab = tab;
