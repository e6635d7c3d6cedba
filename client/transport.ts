import type {
  AttachReply,
  AttachRequest,
  HubEvent,
  SendResult,
  Stats,
  SubscribeRequest,
  TokenProvider,
} from '../worker/protocol.js';

export type TransportName = 'shared-worker' | 'in-page';

/** One tab's attachment to a hub, whatever carries it. */
export interface HubLink {
  readonly reply: AttachReply;
  send(data: unknown): Promise<SendResult>;
  subscribe(request: SubscribeRequest): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  publish(channel: string, data: unknown): Promise<SendResult>;
  request(requestId: string, data: unknown): Promise<SendResult>;
  cancelRequest(requestId: string): void;
  stats(): Promise<Stats>;
  reconnect(): void;
  network(online: boolean): void;
  wake(): void;
  /** Leaves the hub; the hub lives on for other tabs. */
  detach(): void;
}

export interface LinkHandlers {
  events(batch: readonly HubEvent[]): void;
  /** The hub died or stopped answering; the client attaches again. */
  lost(reason: string): void;
  /** The hub refused something this tab posted (it reaches the hub only by hand). */
  refused(message: string): void;
}

/** A way to reach a hub. The client tries its transports in order and uses the first that attaches. */
export interface Transport {
  readonly name: TransportName;
  canBeUsed(): boolean;
  attach(
    request: Omit<AttachRequest, 'tabLock'>,
    handlers: LinkHandlers,
    auth: TokenProvider | undefined,
  ): Promise<HubLink>;
}

/** A call that was under way when the tab's link to the hub ended. */
export class HubLostError extends Error {
  override readonly name = 'HubLostError';
}
