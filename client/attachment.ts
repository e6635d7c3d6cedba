// Keeps this tab attached to a hub: tries the transports in order, and attaches again when the hub is lost.
import { messageOf } from '../hub/errors.js';
import type { ErrorCode, Status } from '../protocol/public-types.js';
import type { HubConfig, HubEvent, TabProviders } from '../protocol/session-types.js';
import { inPageTransport } from './in-page-transport.js';
import { normalizeUrl, type ResolvedOptions, type UrlFunction } from './options.js';
import { sharedWorkerTransport } from './shared-worker-transport.js';
import type { HubLink, Transport, TransportName } from './transport.js';

export interface AttachmentHandlers {
  events(batch: readonly HubEvent[]): void;
  error(code: ErrorCode, message: string): void;
  /** A hub took this tab, with its status now; channels subscribed before resume here. */
  attached(link: HubLink, status: Status): void;
  /** No transport could attach. */
  failed(reason: string): void;
  /** The hub was lost; another attach is under way. */
  lost(reason: string): void;
  /** Whether the tab wants the hub's log lines (asked at each attach). */
  logging(): boolean;
}

export interface Attachment {
  readonly link: HubLink | null;
  readonly transport: TransportName | null;
  /** The link, once an attach under way has finished; `null` if none could attach or the client closed. */
  linked(): Promise<HubLink | null>;
  /** Attaches again after every transport failed. */
  retry(): void;
  /** The page is going away: say goodbye now (a SharedWorker never learns it otherwise). */
  suspend(): void;
  /** The page came back from the back/forward cache: attach again. */
  resume(): void;
  close(): void;
}

export function createAttachment(options: ResolvedOptions, handlers: AttachmentHandlers): Attachment {
  const transports = candidates(options);
  const providers: TabProviders = {
    auth: options.auth,
    url: typeof options.url === 'function' ? checkedUrl(options.url) : undefined,
  };
  let link: HubLink | null = null;
  let transport: TransportName | null = null;
  let closed = false;
  let attaching = false;
  let linking = Promise.resolve<HubLink | null>(null);
  start();

  /** Attaches unless attached, closed, or an attach is under way. `again`: after the hub was lost. */
  function start(again = false): void {
    if (closed || link || attaching) return;
    attaching = true;
    linking = attach(again).finally(() => (attaching = false));
  }

  async function attach(again: boolean): Promise<HubLink | null> {
    let config: HubConfig;
    try {
      config = { url: typeof options.url === 'string' ? normalizeUrl(options.url) : null, ...options.hub };
    } catch (error) {
      handlers.error('transport-failed', messageOf(error));
      handlers.failed(messageOf(error));
      return null;
    }
    const reasons: string[] = [];
    for (const candidate of transports) {
      if (closed) return null;
      if (!candidate.canBeUsed()) {
        reasons.push(`${candidate.name}: not available here`);
        continue;
      }
      try {
        const attached = await candidate.attach(
          { config, online: isOnline(), debug: handlers.logging() },
          {
            events: handlers.events,
            lost,
            refused: (message) => !closed && handlers.error('bad-request', message),
          },
          providers,
          again,
        );
        if (closed) {
          attached.detach();
          return null;
        }
        link = attached;
        transport = candidate.name;
        handlers.attached(attached, attached.reply.status);
        return attached;
      } catch (error) {
        reasons.push(`${candidate.name}: ${messageOf(error)}`);
        if (closed) continue;
        handlers.error('transport-failed', `tabmux: ${candidate.name} transport failed: ${messageOf(error)}`);
        const next = transports[transports.indexOf(candidate) + 1];
        if (candidate.name === 'shared-worker' && next) warnFallback(messageOf(error));
      }
    }
    if (!closed) handlers.failed(`no transport could attach (${reasons.join('; ')})`);
    return null;
  }

  function lost(reason: string): void {
    if (closed) return;
    link = null;
    handlers.lost(reason);
    start(true);
  }

  return {
    get link() {
      return link;
    },
    get transport() {
      return transport;
    },
    linked: () => (link ? Promise.resolve(link) : linking),
    retry: () => start(),
    suspend() {
      link?.detach();
      link = null;
    },
    resume: () => start(),
    close() {
      closed = true;
      link?.detach();
      link = null;
    },
  };
}

/**
 * Said loudly, because the page still works and nothing else shows it: one socket per tab instead of one per
 * browser. Only when the SharedWorker failed; a browser without one falls back quietly, as designed.
 */
function warnFallback(cause: string): void {
  const fix = /failed to start/.test(cause)
    ? 'Check that the worker file is served (with a bundler, write the `worker` option as in the README; without one, serve dist/worker/shared-worker.js, which is self-contained), and that every tab of this name creates the worker with the same options.'
    : /did not answer/.test(cause)
      ? "The worker started but did not answer: is it tabmux's worker entry, and do all tabs of this name create it with the same options (extendedLifetime)?"
      : 'See the error for the cause.';
  console.warn(
    `tabmux: the SharedWorker could not be used (${cause}), so this tab opens a connection of its own instead of sharing one. ${fix}`,
  );
}

function candidates(options: ResolvedOptions): Transport[] {
  const shared = sharedWorkerTransport(options);
  const inPage = inPageTransport(options.WebSocket, options.retryDelay, options.protocol);
  if (options.transport === 'shared-worker') return [shared];
  if (options.transport === 'in-page') return [inPage];
  return [shared, inPage];
}

/** The app's `url` function, checked and made absolute here, in the page, before the hub gets it. */
function checkedUrl(url: UrlFunction): () => Promise<string> {
  return async () => {
    const raw = await url();
    if (typeof raw !== 'string')
      throw new TypeError(`tabmux: the \`url\` function must return a string; got ${typeof raw}`);
    return normalizeUrl(raw);
  };
}

function isOnline(): boolean {
  return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false;
}
