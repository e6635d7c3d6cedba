// A page that e2e tests drive: it creates one client from its query string and records what it sees.
import { createClient, type ClientOptions } from '../client/index.js';

const params = new URLSearchParams(location.search);

/** What this page printed to its console that came from tabmux (its `debug` lines), in order. */
const consoleLines: string[] = [];
for (const level of ['debug', 'info', 'warn', 'log', 'error'] as const) {
  const print = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('[tabmux')) consoleLines.push(args.join(' '));
    print(...args);
  };
}

// `?exit=silent` keeps the client from saying goodbye on pagehide, as when a tab is killed.
if (params.get('exit') === 'silent') {
  window.addEventListener('pagehide', (event) => event.stopImmediatePropagation());
}

// `?worker=silent` starts a SharedWorker that never answers; `?worker=broken` one whose script cannot load;
// `?worker=plain` tabmux's entry without `extendedLifetime`; `?worker=throws` a factory that throws.
const workers: Record<string, (name: string) => SharedWorker> = {
  silent: (name) =>
    new SharedWorker(new URL('./silent-worker.ts', import.meta.url), { type: 'module', name }),
  broken: (name) => new SharedWorker('/no-such-worker.js', { type: 'module', name }),
  // tabmux's own entry, without `extendedLifetime`: a factory written before that option existed.
  plain: (name) =>
    new SharedWorker(new URL('../worker/shared-worker.ts', import.meta.url), { type: 'module', name }),
  throws: () => {
    throw new Error('this app cannot make workers');
  },
  // tabmux's entry that a test can end by a BroadcastChannel message (e2e/closable-worker.ts).
  closable: (name) =>
    new SharedWorker(new URL('./closable-worker.ts', import.meta.url), { type: 'module', name }),
};
// `?worker=capture` is tabmux's own entry, kept in `window.tabWorker` so a test can post to its port by hand (or open
// another port to the same hub, from its URL and name).
workers['capture'] = (name) => {
  window.tabWorkerUrl = new URL('../worker/shared-worker.ts', import.meta.url).href;
  window.tabWorkerName = name;
  return (window.tabWorker = new SharedWorker(window.tabWorkerUrl, { type: 'module', name }));
};
const worker = workers[params.get('worker') ?? ''];

// `?auth=a,b,c` hands out these tokens in turn (the last one again once they run out), counting the calls;
// `?auth=hang` never answers, as a frozen tab's.
const tokens = params.get('auth')?.split(',');
let authCalls = 0;
const auth =
  tokens &&
  (tokens[0] === 'hang'
    ? () => (authCalls++, new Promise<string>(() => {}))
    : async () => tokens[Math.min(authCalls++, tokens.length - 1)]!);
// `?urls=a,b` is a url function that tries each in turn, one per connection attempt: a client that fails over.
const urls = params.get('urls')?.split(',');
let urlCalls = 0;
const options: ClientOptions = {
  url: urls ? () => urls[urlCalls++ % urls.length]! : (params.get('ws') ?? ''),
  name: params.get('name') ?? 'e2e',
  transport: (params.get('transport') ?? 'auto') as NonNullable<ClientOptions['transport']>,
  lingerMs: Number(params.get('linger') ?? 1000),
  // The suite's tests were written for a channel linger equal to the socket's (the default was, until 3 s).
  channelLingerMs: Number(params.get('linger') ?? 1000),
  ...(params.has('probe') && { probeTimeoutMs: Number(params.get('probe')) }),
  ...(worker && { worker }),
  ...(auth && { auth }),
  // `?options=<json>` adds any other serializable option (reconnect, heartbeat, …).
  ...(JSON.parse(params.get('options') ?? '{}') as Partial<ClientOptions>),
};

const tab = {
  client: createClient(options),
  consoleLines,
  messages: [] as unknown[],
  states: [] as string[],
  /** Each state with the wall-clock time it began (the test runs on the same machine, so clocks agree). */
  timeline: [] as [string, number][],
  /** Each distinct `lastClose.code` the status reported, in order. */
  closeCodes: [] as number[],
  /** Each distinct status `reason`, in order: a state can pass faster than a test can poll it. */
  reasons: [] as string[],
  errors: [] as { code: string; message: string }[],
  authCalls: () => authCalls,
  /** Per channel, what its handler received. */
  received: {} as Record<string, { seq: number | null; data: unknown }[]>,
  gaps: [] as { channel: string; from: number; to: number }[],
  resets: [] as { channel: string; seq: number }[],
  /** How often the page came back from the back/forward cache. */
  restores: 0,
  /** Channels the server ended, with the error's code when it failed them. */
  ends: [] as { channel: string; reason: string; error: string | null }[],
  unfollow: {} as Record<string, () => void>,
  /** Per channel, the numbers of the messages handed over as its latest value (`meta.last`), not as news. */
  lastValues: {} as Record<string, (number | null)[]>,
  /** Subscribes to `channel`, recording every message in `received[channel]`. */
  follow(channel: string, options: { last?: boolean } = {}) {
    const log = (tab.received[channel] ??= []);
    const lastValues = (tab.lastValues[channel] ??= []);
    tab.unfollow[channel] = tab.client.subscribe(
      channel,
      (data, { seq, last }) => {
        log.push({ seq, data });
        if (last) lastValues.push(seq);
      },
      options,
    );
  },
};
tab.client.on('gap', (gap) => tab.gaps.push(gap));
tab.client.on('reset', (reset) => tab.resets.push(reset));
tab.client.on('end', ({ channel, reason, error }) =>
  tab.ends.push({ channel, reason, error: error?.code ?? null }),
);
tab.client.on('message', (message) => tab.messages.push(message));
tab.client.on('status', (status) => {
  tab.states.push(status.state);
  tab.timeline.push([status.state, Date.now()]);
  if (status.lastClose && status.lastClose.code !== tab.closeCodes.at(-1))
    tab.closeCodes.push(status.lastClose.code);
  if (status.reason !== null && status.reason !== tab.reasons.at(-1)) tab.reasons.push(status.reason);
});
tab.client.on('error', (error) => tab.errors.push({ code: error.code, message: error.message }));

declare global {
  interface Window {
    tab: typeof tab;
    tabWorker?: SharedWorker;
    tabWorkerUrl?: string;
    tabWorkerName?: string;
    /** For tests that make clients of their own in the page. */
    createClient: typeof createClient;
  }
}
window.tab = tab;
window.createClient = createClient;
window.addEventListener('pageshow', (event) => event.persisted && tab.restores++);
// `?follow=A,B` follows these channels as the page loads, as an app does (a reload follows them again).
for (const channel of params.get('follow')?.split(',') ?? []) tab.follow(channel);
