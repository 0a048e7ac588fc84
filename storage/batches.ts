// An async stream in arrays, so a reader of many items pays one await per batch: a
// for-await over 200k items, each handed through a generator or two, costs more than
// what is done with them (importers/readers.ts, post-window.ts).

/** The items in arrays of up to `size` (the last one shorter). */
export async function* inBatches<T>(items: AsyncIterable<T>, size: number): AsyncIterable<T[]> {
  let out: T[] = [];
  for await (const x of items) {
    out.push(x);
    if (out.length >= size) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
