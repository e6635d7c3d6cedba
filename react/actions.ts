// The hooks that act: publishing on a channel, and a request with its state (pending, result, error).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RequestOptions, SendResult } from '../client/index.js';
import { channelProblem } from '../protocol/channel-name.js';
import { useTabmux } from './provider.js';

/**
 * A function that publishes `data` on `channel`, the same function from render to render (for effects' and
 * memos' dependency lists); it resolves as `client.publish` does: `sent`, `queued` or `refused`, never throwing.
 */
export function usePublish<T = unknown>(channel: string): (data: T) => Promise<SendResult> {
  const client = useTabmux();
  const problem = channelProblem(channel);
  if (problem) throw new TypeError(`tabmux/react: ${problem}`);
  return useCallback((data: T) => client.publish(channel, data), [client, channel]);
}

/** Where a `useRequest` stands: its latest call's reply or error, and whether one is under way. */
export interface RequestState<T> {
  readonly pending: boolean;
  /** The latest call's reply, until the next call is made (or `reset`). */
  readonly result: T | undefined;
  /** The latest call's error (a `TabmuxError`: `request-timeout`, `connection-closed`, `server-error`, …). */
  readonly error: Error | undefined;
}

export interface RequestHook<T> extends RequestState<T> {
  /**
   * Sends a request. Its reply becomes `result` (its error `error`) unless a later call was made meanwhile: the
   * latest call's outcome wins, and nothing is set after the component unmounted. The promise it returns resolves
   * with the reply and rejects with the error; leaving it unawaited is fine (the error is in `error`).
   */
  request(data: unknown, options?: RequestOptions): Promise<T>;
  /** Forgets the result and the error; a call still under way no longer changes the state. */
  reset(): void;
}

const IDLE = { pending: false, result: undefined, error: undefined } as const;

/** A request with its state, like react-use-websocket's messages: `const { request, pending, result } = useRequest()`. */
export function useRequest<T = unknown>(): RequestHook<T> {
  const client = useTabmux();
  const [state, setState] = useState<RequestState<T>>(IDLE);
  const latest = useRef(0);
  const mounted = useRef(false);
  // In StrictMode effects run twice: mounted again after the first cleanup.
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const request = useCallback(
    (data: unknown, options?: RequestOptions) => {
      const call = ++latest.current;
      const current = () => mounted.current && call === latest.current;
      setState((previous) => ({ ...previous, pending: true }));
      const reply = client.request<T>(data, options).then(
        (result) => {
          if (current()) setState({ pending: false, result, error: undefined });
          return result;
        },
        (error: unknown) => {
          if (current())
            setState({
              pending: false,
              result: undefined,
              error: error instanceof Error ? error : new Error(String(error)),
            });
          throw error;
        },
      );
      // The state holds the error: an unawaited call is not an unhandled rejection.
      reply.catch(() => {});
      return reply;
    },
    [client],
  );
  const reset = useCallback(() => {
    latest.current++;
    setState(IDLE);
  }, []);
  return { ...state, request, reset };
}
