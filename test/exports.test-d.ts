// The public surface of every entry point, pinned: the exact runtime names each exports, the public types a user
// imports from it, and internals it must not export. Checked by `tsc --noEmit`.
import type * as client from '../client/index.js';
import type * as hub from '../hub/index.js';
import type * as react from '../react/index.js';
import type * as server from '../server/index.js';
import type * as testing from '../testing/index.js';
import type * as workerHost from '../worker/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const is = <T extends true>(): T => true as T;

is<
  Equal<
    keyof typeof client,
    | 'createClient'
    | 'TabmuxError'
    | 'HubLostError'
    | 'CloseCode'
    | 'classifyClose'
    | 'defaultProtocol'
    | 'graphqlChannel'
  >
>();
is<
  Equal<
    keyof typeof hub,
    | 'createHub'
    | 'fullJitter'
    | 'jsonCodec'
    | 'defaultProtocol'
    | 'graphqlWsProtocol'
    | 'socketIoProtocol'
    | 'graphqlChannel'
    | 'loadProtocol'
    | 'PROTOCOL_NAMES'
    | 'CloseCode'
    | 'classifyClose'
    | 'MAX_CHANNEL_LENGTH'
    | 'MAX_SEQ'
  >
>();
is<Equal<keyof typeof workerHost, 'hostSharedWorker'>>();
is<
  Equal<
    keyof typeof server,
    | 'createTabmuxServer'
    | 'httpRoutes'
    | 'memoryBroker'
    | 'redisBroker'
    | 'jwtAccess'
    | 'channelAllowed'
    | 'CloseCode'
    | 'classifyClose'
  >
>();
is<
  Equal<
    keyof typeof react,
    | 'TabmuxProvider'
    | 'useTabmux'
    | 'useChannel'
    | 'useStatus'
    | 'useSubscribe'
    | 'usePublish'
    | 'useRequest'
    | 'createTabmuxHooks'
  >
>();
is<
  Equal<
    keyof typeof testing,
    | 'test'
    | 'expect'
    | 'openTabs'
    | 'waitForStatus'
    | 'clientStatus'
    | 'crashTab'
    | 'expectServerConnections'
    | 'startTestServer'
  >
>();

// The types an app names.
export type ClientTypes = [
  client.Client,
  client.ClientOptions,
  client.Status,
  client.Stats,
  client.SendResult,
  client.Gap,
  client.Reset,
  client.ChannelEnd,
  client.WireProtocol,
  client.TokenProvider,
];
export type HubTypes = [
  hub.Hub,
  hub.HubOptions,
  hub.HubConfig,
  hub.TabSession,
  hub.TabSink,
  hub.Wire.ClientMessage,
];
export type HostTypes = [workerHost.HostOptions, workerHost.LockManagerLike];

// The tab ⇄ hub machinery stays inside: only the session a tab holds is public.
// @ts-expect-error -- internal: how a tab attaches across a port
export type NoAttachRequest = hub.AttachRequest;
// @ts-expect-error -- internal: a session seen through Comlink
export type NoRemoteSession = hub.RemoteSession;
// @ts-expect-error -- internal: the SharedWorker host is tabmux/worker/host, not the pure hub
export type NoHostInHub = typeof hub.hostSharedWorker;
