// Helpers the channel specs share: what the server received, and what a tab's handlers got.
import type { Page } from '@playwright/test';
import type { TestServer } from '../testing/test-server.js';
import { expect } from './fixtures.js';

/** The control messages of `type` the server received for `channel`. */
export function controls(server: TestServer, type: string, channel: string) {
  return server.received.filter(
    (m) =>
      typeof m === 'object' &&
      m !== null &&
      (m as { type?: unknown }).type === type &&
      (m as { channel?: unknown }).channel === channel,
  );
}

export const subscribes = (server: TestServer, channel: string) =>
  controls(server, 'subscribe', channel).length + controls(server, 'resume', channel).length;

export function follow(page: Page, channel: string, options: { last?: boolean } = {}) {
  return page.evaluate(([c, o]) => window.tab.follow(c, o), [channel, options] as const);
}

export function received(page: Page, channel: string) {
  return page.evaluate((c) => window.tab.received[c] ?? [], channel);
}

/** Waits until the server has `count` subscribers on `channel`. */
export async function subscribers(server: TestServer, channel: string, count: number) {
  await expect.poll(() => server.stats().subscribers[channel] ?? 0).toBe(count);
}
