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
