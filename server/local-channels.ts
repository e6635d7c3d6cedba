// The channels this process's sockets follow: one broker listener per channel, fanned out to its sockets, and each
// socket's join (what it missed, then `subscribed`, then live) without losing or repeating what arrives meanwhile.
import type { Broker, StoredMessage } from './broker.js';

/** A socket as a channel sees it. */
export interface Member {
  /** Queues a frame (JSON text) for the socket. */
  send(text: string): void;
}

interface Slot {
  /** Live messages wait here while the member's history is still being sent. */
  waiting: StoredMessage[] | null;
  /**
   * The last number the member was sent. A broker may hand over a message the join already replayed (Redis fills a
   * gap it noticed late): it is not sent again, so each member gets each message once, in order.
   */
  top: number;
}

interface Local {
  readonly name: string;
  readonly members: Map<Member, Slot>;
  readonly listening: Promise<() => Promise<void>>;
}

export type LocalChannels = ReturnType<typeof createLocalChannels>;

export function createLocalChannels(broker: Broker) {
  const channels = new Map<string, Local>();

  /** The wire frame of a message, built once and sent to every member. */
  const frame = (local: Local, message: StoredMessage) =>
    `{"type":"message","channel":${JSON.stringify(local.name)},"seq":${message.seq},"data":${message.data}}`;
  const lastFrame = (local: Local, message: StoredMessage) =>
    `{"type":"message","channel":${JSON.stringify(local.name)},"seq":${message.seq},"data":${message.data},"last":true}`;

  function live(local: Local, message: StoredMessage): void {
    if (channels.get(local.name) !== local) return;
    let text: string | null = null;
    for (const [member, slot] of local.members) {
      if (slot.waiting) slot.waiting.push(message);
      else if (message.seq > slot.top) {
        slot.top = message.seq;
        member.send((text ??= frame(local, message)));
      }
    }
  }

  /** The broker's store lost its history: every follower is told, as by a `subscribed` with head 0. */
  function reset(local: Local): void {
    if (channels.get(local.name) !== local) return;
    const text = JSON.stringify({ type: 'subscribed', channel: local.name, seq: 0 });
    for (const [member, slot] of local.members) {
      slot.top = 0;
      if (slot.waiting) slot.waiting = [];
      else member.send(text);
    }
  }

  function drop(local: Local, member: Member): void {
    if (!local.members.delete(member) || local.members.size > 0) return;
    channels.delete(local.name);
    void local.listening.then((stop) => stop()).catch(() => {});
  }

  return {
    /**
     * Adds `member` to `name`: first what it missed after `after` (or, new to the channel, its latest message marked
     * `last`, unless `withLast` is false), then `subscribed` with the head, then live messages. Rejects, leaving the
     * member out, when the broker fails.
     */
    async join(member: Member, name: string, after: number | null, withLast = true): Promise<void> {
      let local = channels.get(name);
      if (!local) {
        const created: Local = {
          name,
          members: new Map(),
          listening: broker.listen(
            name,
            (message) => live(created, message),
            () => reset(created),
          ),
        };
        local = created;
        channels.set(name, local);
        local.listening.catch(() => channels.get(name) === created && channels.delete(name));
      }
      const slot: Slot = { waiting: [], top: 0 };
      local.members.set(member, slot);
      try {
        await local.listening;
        const { head, messages } = await broker.history(name, after);
        if (local.members.get(member) !== slot) return;
        // The head is the server's, even below `after`: a server that lost its history must say so.
        let top = head;
        for (const message of messages) {
          if (after !== null && message.seq <= after) continue;
          top = Math.max(top, message.seq);
          // A new subscriber's latest message is history, not news: it says so, and is not sent to one that
          // asked for none.
          if (after === null && !withLast) continue;
          member.send(after === null ? lastFrame(local, message) : frame(local, message));
        }
        member.send(JSON.stringify({ type: 'subscribed', channel: name, seq: top }));
        slot.top = top;
        for (const message of slot.waiting ?? [])
          if (message.seq > slot.top) {
            slot.top = message.seq;
            member.send(frame(local, message));
          }
        slot.waiting = null;
      } catch (error) {
        drop(local, member);
        throw error;
      }
    },
    leave(member: Member, name: string): void {
      const local = channels.get(name);
      if (local) drop(local, member);
    },
    /** Channels and subscriptions here, and the `top` channels with the most subscribers. */
    counts(top: number): { channels: number; subscriptions: number; subscribers: Record<string, number> } {
      let subscriptions = 0;
      const sizes: [string, number][] = [];
      for (const [name, local] of channels) {
        subscriptions += local.members.size;
        sizes.push([name, local.members.size]);
      }
      if (sizes.length > top) sizes.sort((a, b) => b[1] - a[1]).length = top;
      return { channels: channels.size, subscriptions, subscribers: Object.fromEntries(sizes) };
    },
    /** Stops every listener. */
    async close(): Promise<void> {
      const all = [...channels.values()];
      channels.clear();
      await Promise.all(all.map((local) => local.listening.then((stop) => stop()).catch(() => {})));
    },
  };
}
