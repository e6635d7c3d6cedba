// Set-up that unit test files share through vitest's hooks. (test/redis-server.ts stays free of vitest: the
// Playwright specs start Redis with it too.)
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedis, type RedisProcess } from './redis-server.js';

/** One real redis-server for this test file: started before its tests, killed after them. */
export function useRedis(): RedisProcess {
  let started: RedisProcess | null = null;
  beforeAll(async () => {
    started = await startRedis();
  });
  afterAll(() => started?.kill());
  const redis = () => {
    if (!started) throw new Error('useRedis(): Redis starts in beforeAll; use it inside a test');
    return started;
  };
  return {
    get port() {
      return redis().port;
    },
    get url() {
      return redis().url;
    },
    kill: () => redis().kill(),
    restart: () => redis().restart(),
  };
}

/** Returns `track(item)`: what a test tracks is closed after it, newest first. */
export function closeAfterEach(): <T extends { close(): Promise<void> }>(item: T) => T {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });
  return (item) => {
    open.push(item);
    return item;
  };
}
