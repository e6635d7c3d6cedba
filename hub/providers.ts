// Asking the tabs for what only they have (a token, a URL): the newest tab first, and never waiting on a dead one.
import type { HubEnvironment, TimerHandle } from './environment.js';

/** A function a tab lent the hub. */
export type Provider = () => unknown;

/** How long a tab may take to answer before the next tab is asked too. */
export const PATIENCE_MS = 1000;

/**
 * Asks providers for a string, the first answer winning. One that fails is passed over at once; one that has not
 * answered within `PATIENCE_MS` (a frozen or hung tab) gets company: the next is asked too, its own answer still
 * welcome. A provider that kept the hub waiting is asked last from then on, so it costs that wait once.
 */
export function createAsker(env: Pick<HubEnvironment, 'setTimeout' | 'clearTimeout'>) {
  const slow = new WeakSet<Provider>();

  return function ask(providers: readonly Provider[], what: string): Promise<string> {
    const order = [...providers.filter((p) => !slow.has(p)), ...providers.filter((p) => slow.has(p))];
    return new Promise<string>((resolve, reject) => {
      let next = 0;
      let waiting = 0;
      let done = false;
      let lastError: unknown = new Error(`no tab offers ${what}`);

      function askNext(): void {
        const provider = order[next++];
        if (done) return;
        if (!provider) {
          if (waiting === 0) fail();
          return;
        }
        waiting++;
        let handedOn = false;
        let timer: TimerHandle | null = env.setTimeout(() => {
          timer = null;
          slow.add(provider);
          handedOn = true;
          askNext();
        }, PATIENCE_MS);
        const settled = () => {
          waiting--;
          if (timer !== null) env.clearTimeout(timer);
          timer = null;
        };
        Promise.resolve()
          .then(provider)
          .then(
            (value) => {
              settled();
              if (done) return;
              if (typeof value === 'string') {
                slow.delete(provider);
                done = true;
                return resolve(value);
              }
              failed(new TypeError(`${what} must be a string; got ${typeof value}`));
            },
            (error: unknown) => {
              settled();
              failed(error);
            },
          );
        function failed(error: unknown): void {
          if (done) return;
          lastError = error;
          if (handedOn) {
            if (waiting === 0 && next >= order.length) fail();
          } else {
            handedOn = true;
            askNext();
          }
        }
      }

      function fail(): void {
        done = true;
        reject(lastError instanceof Error ? lastError : new Error(String(lastError)));
      }

      askNext();
    });
  };
}
