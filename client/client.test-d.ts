// Compile-time tests, checked by `tsc --noEmit`: what should not compile is marked with @ts-expect-error.
import type { Gap, SendResult, Stats, Status, TabmuxError } from './index.js';
import { createClient } from './index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const is = <T extends true>(): T => true as T;

const client = createClient({ url: 'ws://example.com' });

// Listeners get their event's payload type.
client.on('status', (status) => is<Equal<typeof status, Status>>());
client.on('error', (error) => is<Equal<typeof error, TabmuxError>>() && (error.code satisfies string));
client.on('gap', (gap) => is<Equal<typeof gap, Gap>>());
client.on('message', (message) => is<Equal<typeof message, unknown>>());
// @ts-expect-error -- a status listener takes a Status, not a number
client.on('status', (status: number) => status);
// @ts-expect-error -- no such event
client.on('statuss', () => {});

// Without a channel map, a handler's data is unknown unless the call names its type.
client.subscribe(
  'prices',
  (data, meta) => is<Equal<typeof data, unknown>>() && (meta.seq satisfies number | null),
);
client.subscribe<{ eur: number }>('prices', (data) => data.eur satisfies number);
const unsubscribe: () => void = client.subscribe('x', () => {});
unsubscribe();

// A request's reply is what the call says it is.
const answer: Promise<{ total: number }> = client.request<{ total: number }>({ op: 'sum' });
void answer;
void client.request(1).then((reply) => is<Equal<typeof reply, unknown>>());

// A SendResult narrows on `outcome`: only a refusal has a reason and a message.
void client.send(1).then((result: SendResult) => {
  // @ts-expect-error -- `reason` exists only once the outcome is known to be a refusal
  void result.reason;
  if (result.outcome === 'refused') {
    result.reason satisfies
      'not-open' | 'not-encodable' | 'outbox-full' | 'too-large' | 'closed' | 'hub-unreachable';
    result.message satisfies string;
  }
});
void client.stats().then((stats) => is<Equal<typeof stats, Stats>>());

// A channel map types each channel by name, and refuses names it does not have.
interface Channels {
  prices: { eur: number };
  chat: { text: string };
}
const typed = createClient<Channels>({ url: 'ws://example.com' });
typed.subscribe('prices', (data) => data.eur satisfies number);
typed.subscribe('chat', (data) => data.text satisfies string);
void typed.publish('chat', { text: 'hi' });
// @ts-expect-error -- not a channel of the map
typed.subscribe('news', () => {});
// @ts-expect-error -- the wrong data for the channel
void typed.publish('prices', { text: 'hi' });
// @ts-expect-error -- with a map, data types come from the map, not from the call
typed.subscribe<string>('prices', () => {});

// @ts-expect-error -- url is required
createClient({});
// @ts-expect-error -- transport is one of three names
createClient({ url: 'ws://x', transport: 'pigeon' });

// The protocol option: a built-in name, a name with that protocol's options, or a WireProtocol object.
createClient({ url: 'ws://x', protocol: 'graphql-ws' });
createClient({ url: 'ws://x', protocol: { name: 'socket.io', join: 'join', namespace: '/chat' } });
createClient({ url: 'ws://x', protocol: { name: 'graphql-ws', connectionParams: { v: 2 } } });
// @ts-expect-error -- not a built-in protocol
createClient({ url: 'ws://x', protocol: 'graphql' });
// @ts-expect-error -- an option of the other protocol
createClient({ url: 'ws://x', protocol: { name: 'socket.io', connectionParams: {} } });
client.on('end', (end) => end.error satisfies TabmuxError | null);
