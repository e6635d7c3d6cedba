import { createClient } from '../../client/index.js';
import type { Alert, FeedEvent, Metrics } from '../server/simulator.js';
import { mountConnectionStatus } from './connection-status.js';
import { mountDemoControls } from './demo-controls.js';
import { addAlert, createFeed, showMetrics } from './panels.js';
import { createRateChart } from './rate-chart.js';

const CHANNELS = ['metrics', 'events', 'alerts'] as const;
type Channel = (typeof CHANNELS)[number];

const params = new URLSearchParams(location.search);
// `?server=ws://host:port/` points the dashboard at another server (the e2e tests do).
const serverUrl = new URL(
  params.get('server') ?? `ws://${location.hostname}:${import.meta.env['VITE_SERVER_PORT'] ?? '8787'}/`,
);
const httpUrl = `http://${serverUrl.host}`;
const transport = params.get('transport');
const client = createClient({
  url: serverUrl.href,
  ...((transport === 'in-page' || transport === 'shared-worker') && { transport }),
  // Short enough that "Go silent" shows a recovery within seconds.
  heartbeat: { interval: 5000, timeout: 2000 },
});

const feed = createFeed();
const chart = createRateChart(document.getElementById('chart')!);
/** What this tab received and drew, for the e2e tests and the rendering benchmark. */
const counters = { messages: 0, frames: 0 };
const handlers: Record<Channel, (data: unknown) => void> = {
  metrics: (data) => {
    const metrics = data as Metrics;
    showMetrics(metrics);
    chart.add(metrics.at, metrics.perSecond);
  },
  events: (data) => feed.add(data as FeedEvent),
  alerts: (data) => addAlert(data as Alert),
};

/** The channel picker: each tab chooses what it watches; the choice is kept in the URL. */
const chosen = new Set<Channel>(
  (params.get('channels')?.split(',') ?? CHANNELS).filter((name): name is Channel =>
    CHANNELS.includes(name as Channel),
  ),
);
const unsubscribe: Partial<Record<Channel, () => void>> = {};

/**
 * Subscribes first and buffers, then fetches the history and merges by sequence number: nothing published
 * in between is missed, and nothing is shown twice.
 */
async function watch(channel: Channel): Promise<void> {
  if (unsubscribe[channel]) return;
  let shownUpTo = 0;
  let buffered: { seq: number | null; data: unknown }[] | null = [];
  const show = (seq: number | null, data: unknown) => {
    // The demo's server numbers every message; a number is how the history and the live feed are merged.
    if (seq === null || seq <= shownUpTo) return;
    shownUpTo = seq;
    handlers[channel](data);
  };
  unsubscribe[channel] = client.subscribe(channel, (data, { seq }) => {
    counters.messages++;
    if (buffered) buffered.push({ seq, data });
    else show(seq, data);
  });
  try {
    const limit = channel === 'metrics' ? 300 : 40;
    const reply = (await client.request({ op: 'history', channel, limit }, { timeout: 5000 })) as {
      messages: { seq: number; data: unknown }[];
    };
    for (const message of reply.messages) show(message.seq, message.data);
  } catch {
    // Without history the panel fills from live messages.
  }
  for (const message of buffered ?? []) show(message.seq, message.data);
  buffered = null;
}

const picker = document.getElementById('channels')!;
for (const channel of CHANNELS) {
  const label = document.createElement('label');
  label.innerHTML = `<input type="checkbox" name="channel" value="${channel}"> ${channel}`;
  const box = label.querySelector('input')!;
  box.checked = chosen.has(channel);
  box.addEventListener('change', () => {
    if (box.checked) {
      chosen.add(channel);
      void watch(channel);
    } else {
      chosen.delete(channel);
      unsubscribe[channel]?.();
      delete unsubscribe[channel];
      if (channel === 'events') feed.clear();
    }
    params.set('channels', [...chosen].join(','));
    history.replaceState(null, '', `?${params}`);
  });
  picker.append(label);
}
for (const channel of chosen) void watch(channel);

client.on('gap', ({ channel, from, to }) => {
  const note = document.getElementById('gap')!;
  note.hidden = false;
  note.textContent = `Missed ${to - from + 1} messages of ${channel} during an outage (the server could not replay them).`;
});

mountConnectionStatus(document.getElementById('connection')!, client);
mountDemoControls(document.getElementById('controls')!, httpUrl);

const countFrames = () => {
  counters.frames++;
  requestAnimationFrame(countFrames);
};
requestAnimationFrame(countFrames);

declare global {
  interface Window {
    dashboard: { client: typeof client; counters: typeof counters };
  }
}
window.dashboard = { client, counters };
