// Binary data that only one tab reads is moved to it, not copied: a 64 KiB frame copied costs a serialisation in
// the hub and a copy in the tab.

/** The buffer `data` can be moved as: a whole `ArrayBuffer`, or a typed array or `DataView` spanning all of one. */
export function movableBuffer(data: unknown): ArrayBuffer | null {
  if (data instanceof ArrayBuffer) return data;
  if (!ArrayBuffer.isView(data) || !(data.buffer instanceof ArrayBuffer)) return null;
  // A view of part of a buffer shares it with other views (a codec slicing one frame into messages).
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data.buffer : null;
}

type ViewConstructor = new (buffer: ArrayBuffer) => ArrayBufferView;

/** A copy of binary `data` (as `movableBuffer` accepts it) for the hub to keep when the original is moved. */
export function copyOfBinary<T>(data: T): T {
  if (data instanceof ArrayBuffer) return data.slice(0) as T;
  const view = data as ArrayBufferView;
  return new (view.constructor as ViewConstructor)((view.buffer as ArrayBuffer).slice(0)) as T;
}
