// A set of pairs of non-negative 31-bit integers (post or account indices) in one
// Int32Array with open addressing: two slots per pair, linear probing, at most half full,
// doubled when it gets there. A JS Set of the pairs as numbers x·n + y boxed every key
// beyond 2^31 as a heap number (~28 bytes and a hash per entry) and held at most 2^24
// entries per Set; here a pair costs 16–32 bytes and no allocation. The near-duplicate
// step checks ≈ 100 candidate visits per post against it (coactions.ts).
export class PairSet {
  private table: Int32Array;
  private mask: number;
  private count = 0;

  constructor(expected = 16) {
    const slots = 1 << Math.max(4, Math.ceil(Math.log2(2 * expected + 1)));
    this.table = new Int32Array(2 * slots).fill(-1);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  has(x: number, y: number): boolean {
    const t = this.table;
    for (let s = pairSlot(x, y) & this.mask; ; s = (s + 1) & this.mask) {
      const a = t[2 * s];
      if (a === -1) return false;
      if (a === x && t[2 * s + 1] === y) return true;
    }
  }

  /** Adds (x, y); true when it was not there yet. Order matters: (x, y) ≠ (y, x). */
  add(x: number, y: number): boolean {
    if (x < 0 || y < 0 || x > 0x7fffffff || y > 0x7fffffff) throw new RangeError(`PairSet: (${x}, ${y}) outside 0 … 2^31 − 1`);
    const t = this.table;
    let s = pairSlot(x, y) & this.mask;
    for (; ; s = (s + 1) & this.mask) {
      const a = t[2 * s];
      if (a === -1) break;
      if (a === x && t[2 * s + 1] === y) return false;
    }
    t[2 * s] = x;
    t[2 * s + 1] = y;
    if (++this.count * 2 > this.mask + 1) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.table;
    const slots = 2 * (this.mask + 1);
    this.table = new Int32Array(2 * slots).fill(-1);
    this.mask = slots - 1;
    const t = this.table;
    for (let i = 0; i < old.length; i += 2) {
      const x = old[i];
      if (x === -1) continue;
      const y = old[i + 1];
      let s = pairSlot(x, y) & this.mask;
      while (t[2 * s] !== -1) s = (s + 1) & this.mask;
      t[2 * s] = x;
      t[2 * s + 1] = y;
    }
  }
}

/** murmur3's finaliser over both halves: neighbouring pairs land far apart. */
function pairSlot(x: number, y: number): number {
  let h = Math.imul(x, 0x9e3779b1) ^ y;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
