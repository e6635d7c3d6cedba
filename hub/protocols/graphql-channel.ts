// A GraphQL operation as a channel name: the same operation and variables give the same name in every tab.

/** The operation a graphql-ws `subscribe` carries. */
export interface GraphqlOperation {
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>>;
  readonly operationName?: string;
}

/**
 * The channel of a GraphQL subscription: tabs subscribing to the same `query` with equal `variables` (in any key
 * order) get the same name, and so share one server-side subscription. Without variables the name is the query.
 */
export function graphqlChannel(
  query: string,
  variables?: Readonly<Record<string, unknown>>,
  operationName?: string,
): string {
  if (typeof query !== 'string' || query.trim() === '')
    throw new TypeError('tabmux: graphqlChannel needs a GraphQL document as its `query`');
  const empty = variables === undefined || Object.keys(variables).length === 0;
  if (empty && operationName === undefined) return query;
  return JSON.stringify({
    query,
    ...(!empty && { variables: sorted(variables) }),
    ...(operationName !== undefined && { operationName }),
  });
}

/** The operation a channel name stands for: a `graphqlChannel` key, or a bare query. */
export function operationOf(channel: string): GraphqlOperation {
  if (channel.startsWith('{"query":')) {
    try {
      const operation = JSON.parse(channel) as GraphqlOperation;
      if (typeof operation.query === 'string') return operation;
    } catch {
      // Not a key after all: a query that happens to start like one.
    }
  }
  return { query: channel };
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
  );
}
