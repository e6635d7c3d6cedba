// A page that e2e tests drive: it creates one client from its query string and records what it sees.
import { createClient, type ClientOptions } from '../client/index.js';

const params = new URLSearchParams(location.search);
const options: ClientOptions = {
  url: params.get('ws') ?? '',
  name: params.get('name') ?? 'e2e',
  transport: (params.get('transport') ?? 'auto') as NonNullable<ClientOptions['transport']>,
  lingerMs: Number(params.get('linger') ?? 1000),
  ...(params.has('probe') && { probeTimeoutMs: Number(params.get('probe')) }),
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
