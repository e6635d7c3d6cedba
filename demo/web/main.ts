import { createClient } from '../../client/index.js';

const serverPort = import.meta.env['VITE_SERVER_PORT'] ?? '8787';
const httpUrl = `http://${location.hostname}:${serverPort}`;
const params = new URLSearchParams(location.search);
const transport = params.get('transport');

const client = createClient({
  url: `ws://${location.hostname}:${serverPort}/`,
  ...((transport === 'in-page' || transport === 'shared-worker') && { transport }),
});

const $ = (id: string) => document.getElementById(id)!;
$('publish-url').textContent = `${httpUrl}/publish`;

client.on('status', (status) => {
  $('status').textContent = status.reason ? `${status.state}: ${status.reason}` : status.state;
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
