// A typed emitter (after mitt): listeners per event, each `on` returning the function that removes it.

export type Listener<T> = (payload: T) => void;

export interface Emitter<Events> {
  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void;
  emit<E extends keyof Events>(event: E, payload: Events[E]): void;
  /** Whether `event` has a listener (so that what only a listener would get need not be built). */
  has(event: keyof Events): boolean;
  clear(): void;
}

/** A listener's error must not stop the others, nor vanish: it is thrown again on its own. */
export function rethrowApart(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}

export function createEmitter<Events>(names: readonly (keyof Events)[]): Emitter<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>(names.map((name) => [name, new Set()]));
  return {
    on(event, listener) {
      const set = listeners.get(event);
      if (!set)
        throw new TypeError(
          `tabmux: unknown event ${JSON.stringify(event)}; expected one of ${names.join(', ')}`,
        );
      if (typeof listener !== 'function') throw new TypeError('tabmux: a listener must be a function');
      const entry = (payload: Events[typeof event]) => listener(payload);
      set.add(entry as Listener<never>);
      return () => void set.delete(entry as Listener<never>);
    },
    emit(event, payload) {
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          (listener as Listener<typeof payload>)(payload);
        } catch (error) {
          rethrowApart(error);
        }
      }
    },
    has: (event) => (listeners.get(event)?.size ?? 0) > 0,
    clear() {
      for (const set of listeners.values()) set.clear();
    },
  };
}
