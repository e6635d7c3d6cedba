// One tab of one contender, chosen by `?c=`. Each adapter is written as its library's README suggests.
import { WebSocket as PartySocket } from 'partysocket';
import { Tab } from 'tab-election';
import { createClient } from '../../client/index.js';
import { createRecorder, type Sample } from './recorder.js';

const params = new URLSearchParams(location.search);
const contender = params.get('c') ?? '';
const url = params.get('ws') ?? '';
const channel = params.get('channel') ?? 'bench';
const name = params.get('name') ?? 'bench';
const recorder = createRecorder();

/** Handles one frame of the reference server's wire protocol (the per-tab and leader contenders parse it). */
function onFrame(text: string): void {
  onMessage(JSON.parse(text) as Message);
}
interface Message {
  type?: string;
  channel?: string;
  data?: Sample;
  messages?: Message[];
}
function onMessage(message: Message): void {
  if (message.type === 'batch') for (const item of message.messages ?? []) onMessage(item);
  else if (message.type === 'message' && message.channel === channel && message.data)
    recorder.record(message.data);
}
const subscribe = JSON.stringify({ type: 'subscribe', channel });

let ceilingPort: MessagePort | null = null;
recorder.state.startedAt = recorder.now();
const adapters: Record<string, () => void> = {
  'tabmux-shared': () => tabmux('shared-worker'),
  'tabmux-in-page': () => tabmux('in-page'),
  // Behind a proxy that refuses upgrades (bench/run.ts): the first refused socket moves the hub to HTTP.
  'tabmux-http': () => tabmux('shared-worker', { after: 1 }),
  plain() {
    const socket = new WebSocket(url);
    socket.onopen = () => socket.send(subscribe);
    socket.onmessage = (event: MessageEvent<string>) => onFrame(event.data);
  },
  partysocket() {
    const socket = new PartySocket(url);
    socket.addEventListener('open', () => socket.send(subscribe));
    socket.addEventListener('message', (event: MessageEvent<string>) => onFrame(event.data));
  },
  leader() {
    // tab-election elects one leader tab, which holds the socket and relays every frame over BroadcastChannel.
    const relay = new BroadcastChannel(`relay-${name}`);
    relay.onmessage = (event: MessageEvent<string>) => onFrame(event.data);
    const tab = new Tab(name);
    void tab.waitForLeadership(() => {
      const socket = new WebSocket(url);
      socket.onopen = () => socket.send(subscribe);
      socket.onmessage = (event: MessageEvent<string>) => {
        relay.postMessage(event.data);
        onFrame(event.data);
      };
      return {};
    });
  },
  relay() {
    recordBatches(
      new SharedWorker(new URL('./relay-worker.ts', import.meta.url), { type: 'module', name }),
    ).postMessage({ url, channel });
  },
  ceiling() {
    ceilingPort = recordBatches(
      new SharedWorker(new URL('./ceiling-worker.ts', import.meta.url), { type: 'module', name }),
    );
  },
};

/** Records each batch of samples a reference worker posts; returns its port. */
function recordBatches(worker: SharedWorker): MessagePort {
  worker.port.onmessage = (event: MessageEvent<Sample[]>) => {
    for (const sample of event.data) recorder.record(sample);
  };
  return worker.port;
}

function tabmux(transport: 'shared-worker' | 'in-page', fallback?: { after: number }): void {
  const client = createClient({
    url,
    transport,
    name,
    heartbeat: { interval: 0 },
    ...(fallback && { fallback }),
  });
  client.subscribe(channel, (data) => recorder.record(data as Sample));
  // For the heap phase: more clients of the same hub from this tab, each an attach and, closed, a detach.
  window.makeClient = (hubUrl, hubName) =>
    createClient({ url: hubUrl, transport, name: hubName, heartbeat: { interval: 0 } });
}

const adapter = adapters[contender];
if (!adapter) throw new Error(`unknown contender ${contender}`);
adapter();

declare global {
  interface Window {
    bench: {
      summary: typeof recorder.summary;
      reset: typeof recorder.reset;
      state: typeof recorder.state;
      /** The ceiling only: the worker streams `count` messages at `rate` per second (0: as fast as it can). */
      ceiling(count: number, rate: number): void;
    };
    makeClient: (url: string, name: string) => ReturnType<typeof createClient>;
  }
}
window.bench = {
  summary: recorder.summary,
  reset: recorder.reset,
  state: recorder.state,
  ceiling: (count, rate) => ceilingPort?.postMessage({ count, rate }),
};
