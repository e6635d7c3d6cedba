// The dashboard's panels: metric tiles, the event feed and the alerts. The feed renders at most once per frame,
// however fast events arrive, so a burst costs one DOM update, not one per message.
import type { Alert, FeedEvent, Metrics } from '../server/simulator.js';

const FEED_ROWS = 40;
const ALERTS = 20;
const number = new Intl.NumberFormat('en-US');
const $ = (id: string) => document.getElementById(id)!;
/** UTC, so that the same data shows the same times anywhere. */
const clock = (at: number) => new Date(at).toISOString().slice(11, 19);

export function showMetrics(metrics: Metrics): void {
  $('m-total').textContent = number.format(metrics.total);
  $('m-pending').textContent = number.format(metrics.pending);
  $('m-delivered').textContent = number.format(metrics.delivered);
  $('m-failed').textContent = number.format(metrics.failed);
  $('m-rate').textContent = number.format(metrics.perSecond);
}

export function createFeed() {
  const body = $('feed');
  let pending: FeedEvent[] = [];
  let scheduled = false;

  function render(): void {
    scheduled = false;
    const events = pending.slice(-FEED_ROWS).reverse();
    pending = [];
    const fragment = document.createDocumentFragment();
    for (const event of events) {
      const row = rowOf(event);
      if (row) fragment.append(row);
    }
    body.prepend(fragment);
    while (body.childElementCount > FEED_ROWS) body.lastElementChild!.remove();
  }

  return {
    add(event: FeedEvent) {
      pending.push(event);
      if (pending.length > FEED_ROWS) pending.splice(0, pending.length - FEED_ROWS);
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(render);
      }
    },
    clear() {
      pending = [];
      body.replaceChildren();
    },
  };
}

/** A feed row, or `null` for an event it cannot show (an invalid date, say): one bad event costs its row only. */
function rowOf(event: FeedEvent): HTMLTableRowElement | null {
  let at: string;
  try {
    at = clock(event.at);
  } catch {
    console.warn('dashboard: an event the feed cannot show was skipped', event);
    return null;
  }
  const row = document.createElement('tr');
  row.innerHTML = `<td></td><td></td><td></td><td></td><td><span class="pill"></span></td><td class="num"></td>`;
  const cells = row.children;
  cells[0]!.textContent = at;
  cells[1]!.textContent = String(event.id);
  cells[2]!.textContent = String(event.kind);
  cells[3]!.textContent = String(event.source);
  const pill = cells[4]!.firstElementChild as HTMLElement;
  pill.textContent = String(event.status);
  pill.className = `pill ${event.status}`;
  cells[5]!.textContent = event.status === 'pending' ? '–' : `${event.latencyMs} ms`;
  return row;
}

export function addAlert(alert: Alert): void {
  let at: string;
  try {
    at = clock(alert.at);
  } catch {
    console.warn('dashboard: an alert with an invalid time was skipped', alert);
    return;
  }
  const list = $('alerts');
  list.querySelector('.muted')?.remove();
  const item = document.createElement('li');
  item.className = alert.level;
  item.textContent = `${at} · ${alert.message}`;
  list.prepend(item);
  while (list.childElementCount > ALERTS) list.lastElementChild!.remove();
}
