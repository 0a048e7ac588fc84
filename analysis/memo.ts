// One value per object, built on first use and dropped with the object: the per-context
// (and per-graph) lookups the group loop and the scores build once and read for every group
// or account (product marks, post signatures, post objects, the newest post's time).

/** `build(key)` once per key object, kept in a WeakMap. */
export function memoByObject<K extends object, V>(build: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key) as V;
    const v = build(key);
    cache.set(key, v);
    return v;
  };
}
