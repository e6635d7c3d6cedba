// While the hub is on the HTTP fallback: does a WebSocket get through to the server now? One socket, one ping, any
// answer from the server (a frame, or a close with a code of its own) says yes.
import { CloseCode } from '../protocol/close-codes.js';
import { encodeFrame, type Codec } from './codec.js';
import type { ConnectionSettings } from './connection-types.js';
import type { HubEnvironment } from './environment.js';
import { closeSocket } from './socket-close.js';

/** Opens a probe socket to `url`; `done(answered)` is called once. Returns a function that abandons the probe. */
export function probeSocket(
  url: string,
  context: {
    readonly env: HubEnvironment;
    readonly codec: Codec;
    readonly settings: ConnectionSettings;
    readonly subprotocols: readonly string[];
  },
  done: (answered: boolean) => void,
): () => void {
  const { env, codec, settings } = context;
  let finished = false;
  let opened = false;
  const ws = new env.WebSocket(url, [...context.subprotocols]);
  const stop = (): boolean => {
    if (finished) return false;
    finished = true;
    env.clearTimeout(timer);
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    closeSocket(ws, CloseCode.Normal, 'probe');
    return true;
  };
  const finish = (answered: boolean) => stop() && done(answered);
  const timer = env.setTimeout(() => finish(false), settings.reconnect.connectTimeout);
  ws.onopen = () => {
    opened = true;
    const ping = encodeFrame(codec, settings.heartbeat.ping, settings.maxMessageBytes);
    if (!('frame' in ping)) return finish(false);
    ws.send(ping.frame);
  };
  ws.onmessage = () => finish(true);
  ws.onclose = (event: { code: number }) => finish(opened && event.code !== CloseCode.Abnormal);
  ws.onerror = () => {};
  return () => void stop();
}
