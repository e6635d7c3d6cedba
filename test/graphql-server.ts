// A real graphql-ws server (the `graphql-ws` package over `ws`) with a small schema, on a free loopback port, that
// records every client frame: what e2e and integration tests of the graphql-ws protocol run against.
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';

export interface GraphqlTestServer {
  /** `ws://127.0.0.1:<port>/graphql` */
  readonly url: string;
  /** Client frames received, decoded, oldest first. */
  readonly received: Record<string, unknown>[];
  /** Sockets opened over the server's life, and open now. */
  connections(): { total: number; open: number };
  /** Client `subscribe` frames for operations whose query contains `field`. */
  subscribes(field: string): Record<string, unknown>[];
  /** Client `complete` frames. */
  completes(): Record<string, unknown>[];
  /** Emits `n` to every `ticks(topic)` subscription; resolves with how many received it. */
  tick(topic: string, n: number): number;
  /** Ends every `ticks(topic)` subscription from the server's side (graphql-ws sends `complete`). */
  endTopic(topic: string): void;
  /** Sends graphql-ws's `ping` to every socket, as a server keeping its connections alive does. */
  pingAll(): void;
  close(): Promise<void>;
}

export interface GraphqlTestServerOptions {
  /** Tokens accepted as `connection_init`'s `payload.token`; others are refused (4403). `null`: no auth. @default null */
  readonly tokens?: readonly string[] | null;
}

/** A minimal async queue per subscription, fed by `tick` and ended by `endTopic`. */
function createTopics() {
  const listeners = new Map<string, Set<{ push(n: number): void; end(): void }>>();
  return {
    subscribe(topic: string): AsyncIterableIterator<number> {
      const queue: number[] = [];
      let wake: (() => void) | null = null;
      let done = false;
      const set = listeners.get(topic) ?? new Set();
      listeners.set(topic, set);
      const listener = {
        push: (n: number) => (queue.push(n), wake?.()),
        end: () => ((done = true), wake?.()),
      };
      set.add(listener);
      const iterator: AsyncIterableIterator<number> = {
        [Symbol.asyncIterator]: () => iterator,
        async next() {
          while (queue.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
          if (queue.length > 0) return { value: queue.shift()!, done: false };
          set.delete(listener);
          return { value: undefined, done: true };
        },
        async return() {
          done = true;
          set.delete(listener);
          return { value: undefined, done: true };
        },
      };
      return iterator;
    },
    tick(topic: string, n: number): number {
      const set = listeners.get(topic) ?? new Set();
      for (const listener of set) listener.push(n);
      return set.size;
    },
    end(topic: string): void {
      for (const listener of listeners.get(topic) ?? []) listener.end();
    },
  };
}

// The copy of graphql that graphql-ws loads (Node resolves it to the CommonJS build): a schema from another copy, as
// a bundler's resolution of `import 'graphql'` would give, is refused as "from another module or realm".
const { GraphQLBoolean, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } =
  createRequire(import.meta.url)('graphql') as typeof import('graphql');

export async function startGraphqlServer(options: GraphqlTestServerOptions = {}): Promise<GraphqlTestServer> {
  const topics = createTopics();
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        hello: {
          type: GraphQLString,
          args: { name: { type: GraphQLString } },
          resolve: (_, args: { name?: string }) => `Hello, ${args.name ?? 'world'}`,
        },
      },
    }),
    mutation: new GraphQLObjectType({
      name: 'Mutation',
      fields: {
        tick: {
          type: GraphQLInt,
          args: {
            topic: { type: new GraphQLNonNull(GraphQLString) },
            n: { type: new GraphQLNonNull(GraphQLInt) },
          },
          resolve: (_, args: { topic: string; n: number }) => topics.tick(args.topic, args.n),
        },
      },
    }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        ticks: {
          type: GraphQLInt,
          args: { topic: { type: new GraphQLNonNull(GraphQLString) } },
          subscribe: (_, args: { topic: string }) => topics.subscribe(args.topic),
          resolve: (n: number) => n,
        },
        failing: {
          type: GraphQLBoolean,
          subscribe: () => {
            throw new Error('this subscription always fails');
          },
        },
      },
    }),
  });

  const http: Server = createServer((_, response) => response.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, path: '/graphql' });
  const received: Record<string, unknown>[] = [];
  let total = 0;
  wss.on('connection', (ws: WebSocket) => {
    total++;
    ws.on('message', (raw) => received.push(JSON.parse(String(raw)) as Record<string, unknown>));
  });
  const tokens = options.tokens ?? null;
  const cleanup = useServer(
    {
      schema,
      onConnect: (ctx) =>
        tokens === null || tokens.includes(String((ctx.connectionParams as { token?: unknown })?.token)),
    },
    wss,
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (!address || typeof address !== 'object') throw new Error('no address');

  const ofType = (type: string) => received.filter((frame) => frame['type'] === type);
  return {
    url: `ws://127.0.0.1:${address.port}/graphql`,
    received,
    connections: () => ({ total, open: wss.clients.size }),
    subscribes: (field) =>
      ofType('subscribe').filter((frame) =>
        String((frame['payload'] as { query?: unknown })?.query).includes(field),
      ),
    completes: () => ofType('complete'),
    tick: (topic, n) => topics.tick(topic, n),
    endTopic: (topic) => topics.end(topic),
    pingAll() {
      for (const ws of wss.clients) ws.send(JSON.stringify({ type: 'ping' }));
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      await cleanup.dispose();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}
