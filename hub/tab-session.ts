// One tab's session: every call a tab makes of its hub, checked, acting only for that tab.
import { owe } from './catch-up.js';
import type { createChannelLinger } from './channel-linger.js';
import type { Connection } from './connection-types.js';
import { BadRequest, refused } from './errors.js';
import type { HubCore, Tab } from './hub-core.js';
import { channelProblem, isSeq } from '../protocol/channel-name.js';
import type { SendResult, Stats } from '../protocol/public-types.js';
import type { TabSession } from '../protocol/session-types.js';

/** What a session needs of the hub besides its shared state. */
export interface SessionOps {
  readonly connection: Connection;
  readonly linger: ReturnType<typeof createChannelLinger>;
  /** A tab's message, built by the protocol: a builder that throws refuses it. */
  deliver(build: () => unknown, onSent?: () => void): SendResult;
  subscribeServer(channel: string): void;
  networkChanged(): void;
  detach(tab: Tab): void;
  stats(): Stats;
}

/** The door of one tab; nothing on it names the tab, so a tab can only ever act as itself. */
export function openSession(core: HubCore, tab: Tab, ops: SessionOps): TabSession {
  const { channels, requests, protocol, counters } = core;
  const { connection, deliver } = ops;
  const bad: (message: string) => never = (message) => {
    counters.badRequests++;
    throw new BadRequest(message);
  };
  const checkChannel: (channel: unknown) => asserts channel is string = (channel) => {
    const problem = channelProblem(channel);
    if (problem) bad(problem);
  };
  const left = () => refused('closed', 'this tab has left the hub');
  return {
    send: (data) => (tab.attached ? deliver(() => (protocol.send ? protocol.send(data) : data)) : left()),
    subscribe(request) {
      if (typeof request !== 'object' || request === null) bad('subscribe expects { channel, last, after }');
      const { channel, last, after } = request;
      checkChannel(channel);
      if (typeof last !== 'boolean') bad('`last` must be a boolean');
      if (after !== null && !isSeq(after, 0)) bad('`after` must be a sequence number or null');
      if (!tab.attached) return;
      ops.linger.stop(channel);
      if (last) tab.noLast.delete(channel);
      else tab.noLast.add(channel);
      if (channels.add(channel, tab, after)) return ops.subscribeServer(channel);
      // A tab back from the back/forward cache (or a new page of the same tab) says what it saw: it is owed
      // what came since, from the channel's buffer. One that saw nothing gets the latest message.
      const owed = after === null ? null : channels.catchUp(channel, { afterSeq: after });
      const latest = channels.latest(channel);
      if (owed) {
        if (owed.gap || owed.messages.length > 0) counters.catchUps++;
        owe(core, tab, channel, owed);
      } else if (last && latest) tab.queue.message(channel, latest.seq, latest.data, undefined, true);
    },
    unsubscribe(channel) {
      checkChannel(channel);
      tab.noLast.delete(channel);
      if (tab.attached && channels.remove(channel, tab)) ops.linger.start(channel);
    },
    publish(channel, data) {
      checkChannel(channel);
      return tab.attached ? deliver(() => protocol.publish(channel, data)) : left();
    },
    request(requestId, data) {
      if (typeof requestId !== 'string' || requestId === '') bad('a request id must be a non-empty string');
      if (!tab.attached) return left();
      const started = requests.start(tab, requestId);
      if (!started) bad(`request ${JSON.stringify(requestId)} is already waiting for its reply`);
      const result = deliver(
        () => protocol.request(started.hubId, data),
        () => (started.pending.sent = true),
      );
      if (result.outcome === 'refused') requests.cancel(tab, requestId);
      return result;
    },
    cancelRequest(requestId) {
      if (typeof requestId !== 'string') bad('a request id must be a string');
      requests.cancel(tab, requestId);
    },
    stats: ops.stats,
    reconnect: () => void (tab.attached && connection.reconnect()),
    network(online) {
      if (typeof online !== 'boolean') bad('`online` must be a boolean');
      tab.online = online;
      if (tab.attached) ops.networkChanged();
    },
    wake: () => void (tab.attached && connection.wake()),
    debug(on) {
      if (typeof on !== 'boolean') bad('`debug` expects a boolean');
      tab.debug = on;
    },
    detach: () => ops.detach(tab),
  };
}
