// The pipeline's working columns: typed arrays sized by the input (pair tables, weight
// indices, per-account and per-node arrays), allocated where V8 does not count them as
// external memory.
//
// V8 counts the bytes of every ArrayBuffer as the isolate's external memory, and each time
// that count has grown 64 MB since the last full garbage collection it starts one
// (Heap::ReportExternalMemoryPressure; `--trace-incremental-marking` names the reason
// "external memory pressure"). A full collection traces the whole heap, and the pipeline's heap is the
// input's post objects: at 961k posts (10 × the medium world) 1.6–2.4 GB, 1.8–3.8 s a
// collection, 9 of the run's 10–11 started this way by the columns the pipeline allocates
// on the way (≈ 290 MB at 3 ×, ≈ 1 GB at 10 ×), 13–22 s of a 90–100 s run. A
// SharedArrayBuffer's memory is not counted per isolate (V8's
// BackingStore::PerIsolateAccountingLength is 0 for shared memory), so the columns live in
// one: they are zeroed, read and written as any typed array, and freed the same way, when
// the array object is collected. Below MIN_BYTES the count grows too little to matter.
// The price: fewer full GCs collect dead columns later, so peak RSS is higher (10 × medium
// 4.6 → 6.0–6.3 GB, for 112–125 s → 98–104 s; docs/benchmarks.md).
//
// A shared column cannot be in a postMessage transfer list (it is shared, not moved); code
// that transfers arrays lists only their plain ArrayBuffers (`transferable`).

/** Smaller columns are plain typed arrays. */
const MIN_BYTES = 4096;

type Column = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

interface ColumnType<T extends Column> {
  new (length: number): T;
  new (buffer: ArrayBufferLike): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** A zeroed `Type` array of `length` elements (as `new Type(length)`; chain `.fill` for another value). */
export function column<T extends Column>(Type: ColumnType<T>, length: number): T {
  const bytes = length * Type.BYTES_PER_ELEMENT;
  return bytes < MIN_BYTES ? new Type(length) : new Type(new SharedArrayBuffer(bytes));
}

/** A copy of typed array `a` with room for `length` elements, the new ones `fill` (0 by default). */
export function grown<T extends Column>(a: T, length: number, fill = 0): T {
  const out = column(a.constructor as ColumnType<T>, length);
  out.set(a as ArrayLike<number>);
  if (fill !== 0) out.fill(fill, a.length);
  return out;
}

/** A copy of a[0 … end) as a column (shared from 4 KB on, as `column` makes it); `a.slice` would make a plain array. */
export function sliced<T extends Column>(a: T, end = a.length): T {
  const out = column(a.constructor as ColumnType<T>, end);
  out.set(a.subarray(0, end) as ArrayLike<number>);
  return out;
}

/** The buffers of `arrays` a postMessage can move: shared ones are passed as they are. */
export function transferable(arrays: readonly Column[]): ArrayBuffer[] {
  return arrays.flatMap((a) => (a.buffer instanceof ArrayBuffer ? [a.buffer] : []));
}
