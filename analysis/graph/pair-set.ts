// Sets and indices of pairs of non-negative 31-bit integers (post or account indices) in
// typed arrays with open addressing: two Int32 slots per pair, linear probing, at most half
// full, doubled when it gets there. A JS Set or Map of the pairs as numbers x·n + y boxed
// every key beyond 2^31 as a heap number (~28 bytes and a hash per entry, all of it for the
// garbage collector to trace) and held at most 2^24 entries; here a pair costs 16–32 bytes
// (24–48 with its id) and no allocation. The near-duplicate step checks ≈ 100 candidate
// visits per post against a PairSet, and every co-action pair has its id in a PairIndex
// (coactions.ts).
import { column } from '../columns';

export class PairSet {
  protected table: Int32Array;
  protected mask: number;
  protected count = 0;

  /**
   * Row-local layout (rowLocal): the pairs of one x share the block of 8 slots (one 64-byte
   * cache line) x hashes to, y choosing the slot within it, so a loop over (x, y₁), (x, y₂), …
   * probes one or two cache lines instead of a random one per pair. Only for sets where an x
   * has a bounded number of pairs (the near-duplicate step's hits: ≤ 32 bands × 25
   * neighbours): an x with thousands (a hub account's pairs) would fill a run of slots that
   * every probe landing in it scans to its end.
   */
  private readonly slotOf: (x: number, y: number) => number;

  constructor(expected = 16, layout: 'spread' | 'rowLocal' = 'spread') {
    this.slotOf = layout === 'rowLocal' ? rowSlot : pairSlot;
    const slots = 1 << Math.max(4, Math.ceil(Math.log2(2 * expected + 1)));
    this.table = column(Int32Array, 2 * slots).fill(-1);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  has(x: number, y: number): boolean {
    return this.find(x, y) >= 0;
  }

  /** Adds (x, y); true when it was not there yet. Order matters: (x, y) ≠ (y, x). */
  add(x: number, y: number): boolean {
    const s = this.find(x, y);
    if (s >= 0) return false;
    this.put(~s, x, y);
    return true;
  }

  /**
   * add() for pairs x[v], y[v], v < n, marking added[v] (1 new, 0 not): the same answers as
   * calling add() in order, but the table is probed in slot order (a stable partition of
   * the pairs into ranges of the table), so each range's probes hit cache instead of one
   * random cache and TLB miss per pair in a table of hundreds of MB.
   */
  addAll(x: Int32Array, y: Int32Array, n: number, added: Uint8Array): void {
    this.reserve(this.count + n);
    for (let v = 0; v < n; v++) if ((x[v] | y[v]) < 0) throw new RangeError(`pair (${x[v]}, ${y[v]}) outside 0 … 2^31 − 1`);
    const bits = Math.log2(this.mask + 1);
    const shift = Math.max(0, bits - RANGE_BITS);
    const ranges = 1 << (bits - shift);
    const { slotOf, order, sx, sy, ss } = this.scratchFor(n);
    const start = column(Int32Array, ranges + 1);
    for (let v = 0; v < n; v++) {
      const s = this.slotOf(x[v], y[v]) & this.mask;
      slotOf[v] = s;
      start[(s >>> shift) + 1]++;
    }
    for (let r = 0; r < ranges; r++) start[r + 1] += start[r];
    // The pairs laid out range by range (stable), so the probing pass reads them in sequence.
    for (let v = 0; v < n; v++) {
      const k = start[slotOf[v] >>> shift]++;
      order[k] = v;
      sx[k] = x[v];
      sy[k] = y[v];
      ss[k] = slotOf[v];
    }
    const t = this.table;
    for (let k = 0; k < n; k++) {
      const px = sx[k];
      const py = sy[k];
      let s = ss[k];
      for (;;) {
        const a = t[2 * s];
        if (a === -1) {
          t[2 * s] = px;
          t[2 * s + 1] = py;
          this.count++;
          added[order[k]] = 1;
          break;
        }
        if (a === px && t[2 * s + 1] === py) {
          added[order[k]] = 0;
          break;
        }
        s = (s + 1) & this.mask;
      }
    }
  }

  /**
   * addAll's working arrays, kept for the next call: five fresh 4 MB arrays per batch were
   * external memory V8 answers with a full mark-compact every few batches, each tracing the
   * whole heap (at 961k posts, ≈ 45 s of the near-duplicate step's ≈ 80 s; superlinear,
   * since both the batches and the heap grow with the posts).
   */
  private scratch: { slotOf: Int32Array; order: Int32Array; sx: Int32Array; sy: Int32Array; ss: Int32Array } | null = null;

  private scratchFor(n: number): NonNullable<PairSet['scratch']> {
    if (!this.scratch || this.scratch.slotOf.length < n) {
      this.scratch = { slotOf: column(Int32Array, n), order: column(Int32Array, n), sx: column(Int32Array, n), sy: column(Int32Array, n), ss: column(Int32Array, n) };
    }
    return this.scratch;
  }

  /** Room for `n` pairs in all, in one growth (each doubling rehashes every pair, and each new table may cost a full GC). */
  reserve(n: number): void {
    let slots = this.mask + 1;
    while (n * 2 > slots) slots *= 2;
    if (slots > this.mask + 1) this.grow(slots);
  }

  /** The slot holding (x, y), or ~slot of the free slot where it would go. */
  protected find(x: number, y: number): number {
    if (x < 0 || y < 0 || x > 0x7fffffff || y > 0x7fffffff) throw new RangeError(`pair (${x}, ${y}) outside 0 … 2^31 − 1`);
    const t = this.table;
    for (let s = this.slotOf(x, y) & this.mask; ; s = (s + 1) & this.mask) {
      const a = t[2 * s];
      if (a === -1) return ~s;
      if (a === x && t[2 * s + 1] === y) return s;
    }
  }

  /** Stores (x, y) in free slot s; returns the slot it ends up in (the table may have grown). */
  protected put(s: number, x: number, y: number): number {
    this.table[2 * s] = x;
    this.table[2 * s + 1] = y;
    if (++this.count * 2 <= this.mask + 1) return s;
    this.grow();
    return this.find(x, y);
  }

  /** Called for every pair moved by growth. */
  protected moved(_from: number, _to: number): void {}

  protected grow(slots = 2 * (this.mask + 1)): void {
    const old = this.table;
    this.table = column(Int32Array, 2 * slots).fill(-1);
    this.mask = slots - 1;
    const t = this.table;
    for (let i = 0; i < old.length; i += 2) {
      const x = old[i];
      if (x === -1) continue;
      const y = old[i + 1];
      let s = this.slotOf(x, y) & this.mask;
      while (t[2 * s] !== -1) s = (s + 1) & this.mask;
      t[2 * s] = x;
      t[2 * s + 1] = y;
      this.moved(i / 2, s);
    }
  }
}

/** Pairs numbered 0, 1, 2, … in the order they were first added. */
export class PairIndex extends PairSet {
  private ids: Int32Array;
  private grownIds: Int32Array | null = null;

  constructor(expected = 16) {
    super(expected);
    this.ids = column(Int32Array, this.mask + 1);
  }

  /** The pair's number, or −1. */
  get(x: number, y: number): number {
    const s = this.find(x, y);
    return s >= 0 ? this.ids[s] : -1;
  }

  /** The pair's number, added as the next one when new. */
  id(x: number, y: number): number {
    const s = this.find(x, y);
    if (s >= 0) return this.ids[s];
    const id = this.count;
    const at = this.put(~s, x, y); // before reading this.ids: put may grow it
    this.ids[at] = id;
    return id;
  }

  protected override grow(slots = 2 * (this.mask + 1)): void {
    this.grownIds = column(Int32Array, slots);
    super.grow(slots);
    this.ids = this.grownIds;
    this.grownIds = null;
  }

  protected override moved(from: number, to: number): void {
    (this.grownIds as Int32Array)[to] = this.ids[from];
  }
}

/** addAll partitions the table into 2^RANGE_BITS ranges (128 KB each at 2^24 slots). */
const RANGE_BITS = 10;

/** murmur3's finaliser over both halves: neighbouring pairs land far apart. */
function pairSlot(x: number, y: number): number {
  let h = Math.imul(x, 0x9e3779b1) ^ y;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** rowLocal's slot: x's block of 8 (murmur3's finaliser of x), y's slot in it (Fibonacci hashing, top 3 bits). */
function rowSlot(x: number, y: number): number {
  let h = Math.imul(x, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h & ~7) | (Math.imul(y, 0x9e3779b1) >>> 29);
}
