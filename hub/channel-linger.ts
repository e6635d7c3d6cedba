// Channels without tabs stay subscribed at the server for `channelLingerMs`, for a tab that comes right back (a
// reload): the server sees no unsubscribe and subscribe, and the channel's buffer survives.
import type { HubEnvironment, TimerHandle } from './environment.js';

export function createChannelLinger(
  env: HubEnvironment,
  lingerMs: number,
  expire: (channel: string) => void,
) {
  const lingering = new Map<string, TimerHandle>();

  function stop(channel: string): void {
    const timer = lingering.get(channel);
    if (timer === undefined) return;
    env.clearTimeout(timer);
    lingering.delete(channel);
  }

  return {
    /** The last tab left `channel`. */
    start(channel: string): void {
      if (lingerMs === 0) return expire(channel);
      stop(channel);
      lingering.set(
        channel,
        env.setTimeout(() => {
          lingering.delete(channel);
          expire(channel);
        }, lingerMs),
      );
    },
    /** A tab came back to `channel`, or the channel ended. */
    stop,
    clear(): void {
      for (const timer of lingering.values()) env.clearTimeout(timer);
      lingering.clear();
    },
  };
}
