// Turning tab data into socket frames and back. The default is JSON text; binary frames pass through.

/** What goes on the socket. */
export type Frame = string | ArrayBuffer | ArrayBufferView;

export interface Codec {
  /** Throws when `data` cannot be encoded; the send is then refused with the error's message. */
  encode(data: unknown): Frame;
  /** Throws when the frame cannot be decoded; the tabs then get an `'error'` event. */
  decode(frame: string | ArrayBuffer): unknown;
}

export const jsonCodec: Codec = {
  encode(data) {
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data;
    const text = JSON.stringify(data);
    // JSON.stringify returns undefined for undefined, functions and symbols instead of throwing.
    if (text === undefined) throw new TypeError(`a ${typeof data} cannot be encoded as JSON`);
    return text;
  },
  decode(frame) {
    return typeof frame === 'string' ? (JSON.parse(frame) as unknown) : frame;
  },
};

const encoder = new TextEncoder();

/** Bytes a frame takes on the wire; UTF-8 is measured only when the string might be near `limit`. */
export function frameBytes(frame: Frame, limit: number): number {
  if (typeof frame !== 'string') return frame.byteLength;
  return frame.length * 3 <= limit ? frame.length : encoder.encode(frame).byteLength;
}

/** A message encoded and measured, or why it may not go. */
export type Encoded =
  | { readonly frame: Frame; readonly bytes: number }
  | { readonly problem: 'not-encodable'; readonly error: string }
  | { readonly problem: 'too-large'; readonly bytes: number };

/** The one path from a message to a frame the hub may send: encode, then hold to `maxBytes`. */
export function encodeFrame(codec: Codec, message: unknown, maxBytes: number): Encoded {
  let frame: Frame;
  try {
    frame = codec.encode(message);
  } catch (error) {
    return { problem: 'not-encodable', error: error instanceof Error ? error.message : String(error) };
  }
  const bytes = frameBytes(frame, maxBytes);
  return bytes > maxBytes ? { problem: 'too-large', bytes } : { frame, bytes };
}

/** Says why a frame the hub built itself (`what`: "a subscribe") was not sent. */
export function unsentFrame(
  encoded: Exclude<Encoded, { frame: Frame }>,
  what: string,
  maxBytes: number,
): string {
  return encoded.problem === 'not-encodable'
    ? `${what} could not be encoded: ${encoded.error}`
    : `${what} frame of ${encoded.bytes} bytes is over maxMessageBytes (${maxBytes}); it was not sent`;
}
