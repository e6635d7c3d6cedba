// Compile-time tests, checked by `tsc --noEmit`: a wrong listener or event name must not compile.
import { createClient } from './create-client.js';

const client = createClient({ url: 'ws://example.com' });
client.on('status', (status) => status.state satisfies string);
client.on('error', (error) => error.code satisfies string);
client.on('message', (message: unknown) => message);
// @ts-expect-error -- a status listener takes a Status, not a number
client.on('status', (status: number) => status);
// @ts-expect-error -- no such event
client.on('statuss', () => {});
// @ts-expect-error -- url is required
createClient({});
// @ts-expect-error -- transport is one of three names
createClient({ url: 'ws://x', transport: 'pigeon' });
