// The rules every channel name and sequence number follows, checked alike by the client, the hub and the server.

/** The longest channel name, in UTF-16 code units. */
export const MAX_CHANNEL_LENGTH = 16_384;

/** The largest sequence number: its successor must still be exact in a double. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER - 1;

/** Why `channel` is not a channel name, or `null` when it is one. */
export function channelProblem(channel: unknown): string | null {
  if (typeof channel !== 'string' || channel === '')
    return `a channel name must be a non-empty string; got ${describe(channel)}`;
  if (channel.length > MAX_CHANNEL_LENGTH)
    return `a channel name must be at most ${MAX_CHANNEL_LENGTH} characters; got one of ${channel.length}`;
  return null;
}

/** Whether `value` is a sequence number from `min` (0 for "none yet", 1 for a message's own) to `MAX_SEQ`. */
export function isSeq(value: unknown, min: 0 | 1): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_SEQ;
}

/** Says what is wrong with a sequence number that `isSeq` refused. */
export function badSeq(value: unknown): string {
  return `sequence number ${describe(value)} is not a whole number from 1 to ${MAX_SEQ}`;
}

function describe(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 80);
  } catch {
    return typeof value;
  }
}
