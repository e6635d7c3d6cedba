// What the hub's rooms share: its tabs, channels, requests and counters, and the few ways they tell the tabs.
import type { createChannels } from './channels.js';
import type { PendingRequest, createPendingRequests } from './pending-requests.js';
import type { TabQueue } from './tab-queue.js';
import type { WireProtocol } from './wire-protocol.js';
import { errorInfo } from './errors.js';
import type { ErrorCode, LogLevel } from '../protocol/public-types.js';
import type { HubConfig, HubEvent, TabProviders } from '../protocol/session-types.js';

/** A tab as the hub holds it. */
export interface Tab {
  readonly queue: TabQueue;
  readonly providers: TabProviders;
  attached: boolean;
  /** What the tab's browser last said of the network. */
  online: boolean;
  /** While the hub waits for the tab: per channel, the first message it did not get. */
  readonly missed: Map<string, Missed>;
  /** Its sink moves the buffers it is given (a port); an in-page tab shares the hub's objects anyway. */
  readonly transfers: boolean;
  /** Channels this tab subscribed to with `last: false`: it gets no message the server marks as the latest. */
  readonly noLast: Set<string>;
  /** The tab wants the hub's log lines. */
  debug: boolean;
}

/** The first message a waited-for tab did not get: its place in the channel, and its number if it has one. */
export interface Missed {
  readonly n: number;
  readonly seq: number | null;
}

export function createCounters() {
  return {
    messagesIn: 0,
    badRequests: 0,
    tabsAttachedTotal: 0,
    duplicatesDropped: 0,
    gaps: 0,
    unroutedMessages: 0,
    unknownReplies: 0,
    protocolErrors: 0,
    catchUps: 0,
    transferred: 0,
  };
}

export interface HubCore {
  readonly config: HubConfig;
  readonly protocol: WireProtocol;
  /** In the order they attached: the newest is asked first for a token or a URL. */
  readonly tabs: Set<Tab>;
  readonly channels: ReturnType<typeof createChannels<Tab>>;
  readonly requests: ReturnType<typeof createPendingRequests<Tab>>;
  readonly counters: ReturnType<typeof createCounters>;
  /** The hub's clock. */
  readonly now: () => number;
}

/**
 * A line of the hub's log, to the tabs that asked for it (`debug`). `message` is built only when one did: the hub's
 * hot paths pay one check for their log lines, nothing more.
 */
export function log(core: HubCore, level: LogLevel, message: () => string): void {
  let text: string | null = null;
  for (const tab of core.tabs) {
    if (!tab.debug) continue;
    text ??= message();
    tab.queue.event({ type: 'log', level, message: text, at: core.now() });
  }
}

export function broadcast(core: HubCore, event: HubEvent): void {
  for (const tab of core.tabs) tab.queue.event(event);
}

export function reportGap(
  core: HubCore,
  channel: string,
  to: ReadonlySet<Tab>,
  gap: { from: number; to: number },
): void {
  core.counters.gaps++;
  log(
    core,
    'warn',
    () => `channel "${channel}": messages ${gap.from}–${gap.to} lost to ${to.size} tab(s) (a gap)`,
  );
  for (const tab of to) tab.queue.event({ type: 'gap', channel, ...gap });
}

export function replyError(pending: PendingRequest<Tab>, code: ErrorCode, message: string): void {
  pending.tab.queue.event({
    type: 'reply-error',
    requestId: pending.requestId,
    error: errorInfo(code, message),
  });
}

/** Whether `to` is one tab, whose sink moves buffers. */
export function onlyTransferring(to: ReadonlySet<Tab>): boolean {
  if (to.size !== 1) return false;
  for (const tab of to) return tab.transfers;
  return false;
}
