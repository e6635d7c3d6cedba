// A connection status component a real app can copy: colour-coded state, the reconnect countdown and attempt,
// the last close, the heartbeat round trip, a "Reconnect now" button, the transport, and how many tabs share the
// connection. State changes are announced to screen readers. Framework-free: it only needs a tabmux client.
import type { Client, ConnectionState, Status } from '../../client/index.js';

const TONES: Record<ConnectionState, 'good' | 'warn' | 'idle' | 'bad'> = {
  open: 'good',
  connecting: 'warn',
  reconnecting: 'warn',
  offline: 'idle',
  suspended: 'idle',
  closed: 'idle',
  failed: 'bad',
  unauthorized: 'bad',
};

const LABELS: Record<ConnectionState, string> = {
  open: 'Connected',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  suspended: 'Suspended',
  closed: 'Closed',
  failed: 'Connection failed',
  unauthorized: 'Not authorized',
};

export interface ConnectionStatusOptions {
  /** How often the tab count is refreshed, in ms. @default 2000 */
  readonly refreshMs?: number;
}

/** Renders `client`'s connection into `root`; returns a function that stops it. */
export function mountConnectionStatus(
  root: HTMLElement,
  client: Client,
  options: ConnectionStatusOptions = {},
): () => void {
  root.innerHTML = `
    <div class="conn" data-tone="idle">
      <span class="dot" aria-hidden="true"></span>
      <span class="state"></span>
      <span class="detail" data-part="retry"></span>
      <span class="detail" data-part="close"></span>
      <span class="detail" data-part="rtt"></span>
      <span class="detail" data-part="sharing"></span>
      <button type="button" data-part="reconnect" hidden>Reconnect now</button>
      <span class="sr-only" role="status" aria-live="polite" data-part="announce"></span>
    </div>`;
  const box = root.querySelector<HTMLElement>('.conn')!;
  const part = (name: string) => root.querySelector<HTMLElement>(`[data-part="${name}"]`)!;
  const button = part('reconnect') as HTMLButtonElement;
  button.addEventListener('click', () => client.reconnect());
  let announced: ConnectionState | null = null;

  function render(status: Status): void {
    box.dataset['tone'] = TONES[status.state];
    box.dataset['state'] = status.state;
    root.querySelector('.state')!.textContent = LABELS[status.state];
    const seconds =
      status.nextAttemptAt === null
        ? null
        : Math.max(0, Math.ceil((status.nextAttemptAt - Date.now()) / 1000));
    part('retry').textContent =
      seconds === null
        ? status.reason && status.state !== 'open'
          ? status.reason
          : ''
        : `attempt ${status.attempt} in ${seconds} s`;
    const close = status.lastClose;
    part('close').textContent =
      close && status.state !== 'open'
        ? `last close ${close.code}${close.reason ? ` (${close.reason})` : ''}`
        : '';
    part('rtt').textContent = status.rttMs === null ? '' : `RTT ${status.rttMs} ms`;
    button.hidden = status.state === 'open' || status.state === 'connecting' || status.state === 'closed';
    if (announced !== status.state) {
      announced = status.state;
      // Announced once per state, not at every countdown tick.
      part('announce').textContent =
        `Connection: ${LABELS[status.state]}${status.reason ? `. ${status.reason}` : ''}`;
    }
  }

  async function refreshSharing(): Promise<void> {
    try {
      const stats = await client.stats();
      const tabs = stats.tabs === 1 ? '1 tab uses' : `${stats.tabs} tabs share`;
      part('sharing').textContent = `${client.transport} · ${tabs} 1 connection`;
    } catch {
      part('sharing').textContent = client.transport ?? '';
    }
  }

  const offStatus = client.on('status', (status) => {
    render(status);
    void refreshSharing();
  });
  render(client.status);
  void refreshSharing();
  // The countdown moves between status events; the tab count changes as other tabs come and go.
  const ticker = setInterval(() => client.status.nextAttemptAt !== null && render(client.status), 250);
  const sharing = setInterval(() => void refreshSharing(), options.refreshMs ?? 2000);
  return () => {
    offStatus();
    clearInterval(ticker);
    clearInterval(sharing);
  };
}
