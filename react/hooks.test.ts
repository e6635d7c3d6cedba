// The hooks' first render and bad input, rendered on the server (no DOM): effects and live updates are tested in a
// real browser by examples/react-dashboard.
import { createElement, StrictMode } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, expect, test } from 'vitest';
import { createClient, type Client } from '../client/index.js';
import { NodeWebSocket } from '../test/helpers.js';
import { TabmuxProvider, useChannel, usePublish, useRequest, useStatus, useTabmux } from './index.js';

let client: Client | undefined;
afterEach(() => {
  client?.close();
  client = undefined;
});

const render = (component: () => unknown, withClient = true) => {
  const Component = () => {
    component();
    return null;
  };
  client ??= createClient({ url: 'ws://127.0.0.1:1/', WebSocket: NodeWebSocket, transport: 'in-page' });
  return renderToString(
    withClient
      ? createElement(StrictMode, null, createElement(TabmuxProvider, { client }, createElement(Component)))
      : createElement(Component),
  );
};

test('a hook outside the provider throws an error that names the provider', () => {
  expect(() => render(() => useStatus(), false)).toThrow(/must be used inside <TabmuxProvider client=\{…\}>/);
  expect(() => render(() => useChannel('A'), false)).toThrow(/TabmuxProvider/);
});

test('a channel that is not a non-empty string throws at the call, as the client does', () => {
  expect(() => render(() => useChannel(''))).toThrow(
    /tabmux\/react: a channel name must be a non-empty string/,
  );
  expect(() => render(() => useChannel(5 as unknown as string))).toThrow(TypeError);
});

test('the first render sees the status now and no message yet', () => {
  let seen: unknown[] = [];
  render(() => {
    seen = [useStatus().state, useChannel('A'), useTabmux() === client];
  });
  expect(seen).toEqual(['connecting', undefined, true]);
});

test('the provider refuses something that is not a client', () => {
  expect(() => renderToString(createElement(TabmuxProvider, { client: {} as Client }))).toThrow(
    /needs the client that createClient\(\) returned/,
  );
});

test('usePublish and useRequest: their first render, and a bad channel refused at the call', () => {
  let seen: unknown[] = [];
  render(() => {
    const publish = usePublish('A');
    const { pending, result, error, request, reset } = useRequest();
    seen = [typeof publish, pending, result, error, typeof request, typeof reset];
  });
  expect(seen).toEqual(['function', false, undefined, undefined, 'function', 'function']);
  expect(() => render(() => usePublish(''))).toThrow(
    /tabmux\/react: a channel name must be a non-empty string/,
  );
});
