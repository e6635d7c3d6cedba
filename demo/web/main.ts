import { createClient } from '../../client/index.js';

const params = new URLSearchParams(location.search);
// `?server=ws://host:port/` points the demo at another reference server (the e2e tests do).
const serverUrl = new URL(
  params.get('server') ?? `ws://${location.hostname}:${import.meta.env['VITE_SERVER_PORT'] ?? '8787'}/`,
);
const httpUrl = `http://${serverUrl.host}`;
const transport = params.get('transport');

const client = createClient({
  url: serverUrl.href,
  ...((transport === 'in-page' || transport === 'shared-worker') && { transport }),
});

const $ = (id: string) => document.getElementById(id)!;
$('publish-url').textContent = `${httpUrl}/publish`;

$('reconnect').addEventListener('click', () => client.reconnect());
client.on('status', (status) => {
  const next = status.nextAttemptAt
    ? `; attempt ${status.attempt} in ${Math.max(0, Math.round((status.nextAttemptAt - Date.now()) / 1000))} s`
    : '';
  $('status').textContent = status.reason ? `${status.state}: ${status.reason}${next}` : status.state;
  $('status').dataset['state'] = status.state;
  $('transport').textContent = client.transport ?? '…';
});
client.on('message', (message) => {
  const item = document.createElement('li');
  item.textContent = JSON.stringify(message);
  $('messages').prepend(item);
  while ($('messages').childElementCount > 50) $('messages').lastElementChild!.remove();
});

async function refresh(): Promise<void> {
  try {
    const stats = await client.stats();
    $('tabs').textContent = String(stats.tabs);
    $('transport').textContent = client.transport ?? '…';
  } catch {
    $('tabs').textContent = '…';
  }
  try {
    const server = (await (await fetch(`${httpUrl}/stats`)).json()) as { connections: number };
    $('connections').textContent = String(server.connections);
  } catch {
    $('connections').textContent = 'server unreachable';
  }
}
setInterval(() => void refresh(), 1000);
void refresh();
