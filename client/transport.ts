// A way to reach a hub. The client tries its transports in order and uses the first that attaches.
import { SESSION_METHODS } from '../protocol/session-methods.js';
import type {
  AttachReply,
  AttachRequest,
  HubEvent,
  RemoteSession,
  TabProviders,
  TabSession,
} from '../protocol/session-types.js';

export type TransportName = 'shared-worker' | 'in-page';

/** One tab's attachment to a hub, whatever carries it. */
export interface HubLink {
  readonly reply: AttachReply;
  /** This tab's session. A call the hub never answers fails (HubLostError or TimeoutError) instead of hanging. */
  readonly session: RemoteSession;
  /** Says goodbye and lets go of the transport; the hub lives on for other tabs. */
  detach(): void;
}

export interface LinkHandlers {
  events(batch: readonly HubEvent[]): void;
  /** The hub died or stopped answering; the client attaches again. */
  lost(reason: string): void;
  /** The hub refused something this tab posted (it reaches the hub only by hand). */
  refused(message: string): void;
}

export interface Transport {
  readonly name: TransportName;
  canBeUsed(): boolean;
  /** `again`: the tab is attaching after it lost its hub, which may have just ended. */
  attach(
    request: Omit<AttachRequest, 'tabLock'>,
    handlers: LinkHandlers,
    providers: TabProviders,
    again: boolean,
  ): Promise<HubLink>;
}

/** A session whose every method goes through `call` (which may add a timeout, or a port). */
export function remoteSession(
  call: <K extends keyof TabSession>(method: K, args: Parameters<TabSession[K]>) => Promise<unknown>,
): RemoteSession {
  return Object.fromEntries(
    SESSION_METHODS.map((method) => [method, (...args: never) => call(method, args)]),
  ) as unknown as RemoteSession;
}
