// Verified near-duplicate pairs: the candidate visits of the band buckets
// (near-duplicates.ts) checked once per pair of posts against a PairSet and the MinHash
// estimate, kept as three typed columns in visiting order. The first bucket that pairs two
// posts decides the pair's discount; coactions.ts applies the hits to its evidence table
// in the same order. Pure and over typed arrays only, so the band part can run in a worker
// thread over signatures it was sent (near-duplicate-thread.ts) with the same answers.
import { forEachSignatureBucket } from './near-duplicates';
import { grown, PairSet } from './pair-set';

/** Near-duplicate candidate visits checked against the verified set at a time (13 bytes each). */
const VISIT_BATCH = 1 << 20;

/** A URL, code or text band shared by n accounts: full weight up to `common`, then common/n. */
export function commonDiscount(n: number, common: number): number {
  return n <= common ? 1 : common / n;
}

/**
 * Minimum-aware estimate: the share of equal positions when it is at least `min`, else
 * some value below `min` (stops once `min` is out of reach: most candidate pairs from a
 * shared band are not near-duplicates, and a full comparison of them was a third of the
 * near-duplicate step).
 */
export function minhashJaccardAtLeast(a: ArrayLike<number>, b: ArrayLike<number>, min: number): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  const need = equalNeeded(n, min);
  let eq = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) eq++;
    else if (eq + (n - 1 - i) < need) return (eq + (n - 1 - i)) / n;
  }
  return eq / n;
}

/** The fewest equal positions e of n with e / n ≥ min, in the same floating-point division. */
function equalNeeded(n: number, min: number): number {
  let need = Math.max(0, Math.ceil(min * n));
  while (need > 0 && (need - 1) / n >= min) need--;
  while (need <= n && need / n < min) need++;
  return need;
}

/**
 * The low bytes of signatures of one length n (a multiple of 4), four positions to a
 * 32-bit word. Equal values have equal low bytes, so the equal bytes of two signatures
 * bound their equal values from above, and four positions compare in one XOR: a pair whose
 * bytes cannot reach minJaccard is not a near-duplicate (most candidate pairs of a shared
 * band are not; their comparison position by position was half of the band step). Chance
 * byte equalities (1 in 256 per position) only send a pair on to the full comparison.
 */
export class SignatureWords {
  private readonly words: Int32Array;
  private readonly perSig: number;
  /** 1 for the signatures of length n (the others have no words). */
  private readonly usable: Uint8Array;

  constructor(
    sigs: readonly ArrayLike<number>[],
    readonly n: number,
  ) {
    this.perSig = n >>> 2;
    this.words = new Int32Array(sigs.length * this.perSig);
    this.usable = new Uint8Array(sigs.length);
    for (let j = 0; j < sigs.length; j++) {
      const s = sigs[j];
      if (s.length !== n) continue;
      this.usable[j] = 1;
      for (let w = 0; w < this.perSig; w++) {
        const r = 4 * w;
        this.words[j * this.perSig + w] = (s[r] & 0xff) | ((s[r + 1] & 0xff) << 8) | ((s[r + 2] & 0xff) << 16) | (s[r + 3] << 24);
      }
    }
  }

  /**
   * False when signatures j and k cannot have `need` equal positions; true when they may
   * (or either is not of length n). Reads the words alone, not the signatures.
   */
  mayReach(j: number, k: number, need: number): boolean {
    if (!this.usable[j] || !this.usable[k]) return true;
    const words = this.words;
    const m = this.perSig;
    const x = j * m;
    const y = k * m;
    let eq = 0;
    for (let w = 0; w < m; w++) {
      eq += zeroBytes(words[x + w] ^ words[y + w]);
      if (eq + 4 * (m - 1 - w) < need) return false;
    }
    return eq >= need;
  }
}

/** How many of the four bytes of v are 0 (high bit of each byte set where the byte is 0, then counted). */
function zeroBytes(v: number): number {
  const t = ~(((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v | 0x7f7f7f7f);
  return Math.imul((t >>> 7) & 0x01010101, 0x01010101) >>> 24;
}

export interface VisitOptions {
  /** Each post is paired with at most this many later posts of its bucket. */
  maxNeighbours: number;
  /** Buckets of more accounts than this are boilerplate: skipped. */
  maxBucketAccounts: number;
  /** commonDiscount's `common`. */
  commonBucketAccounts: number;
  minJaccard: number;
}

/** Pairs (px[h] < py[h], post indices) at similarity ≥ minJaccard, with similarity × bucket discount, in visiting order. */
export interface NearDuplicateHits {
  px: Int32Array;
  py: Int32Array;
  simD: Float64Array;
  size: number;
}

/**
 * The buckets `forEach` visits (post indices ascending), each post paired with its next
 * `maxNeighbours` posts of another account (accOf: post → account, −1 for none), every
 * pair of posts checked once: `similarity(px, py)` the first time the pair is visited.
 */
export function verifiedPairs(
  forEach: (visit: (bucket: Int32Array) => void) => void,
  accOf: Int32Array,
  accounts: number,
  posts: number,
  opts: VisitOptions,
  similarity: (px: number, py: number) => number,
): NearDuplicateHits {
  const verified = new PairSet(posts);
  const seenAt = new Int32Array(accounts);
  let stamp = 0;
  const live = new Int32Array(posts);
  const k = opts.maxNeighbours;
  // Visits are buffered and checked against `verified` a batch at a time (PairSet.addAll:
  // the same answers as one add() each, in table order), then handled in visiting order.
  const batchX = new Int32Array(VISIT_BATCH);
  const batchY = new Int32Array(VISIT_BATCH);
  const batchD = new Float64Array(VISIT_BATCH);
  const isNew = new Uint8Array(VISIT_BATCH);
  let batched = 0;
  const hits: NearDuplicateHits = { px: new Int32Array(1024), py: new Int32Array(1024), simD: new Float64Array(1024), size: 0 };
  const flush = () => {
    verified.addAll(batchX, batchY, batched, isNew);
    for (let v = 0; v < batched; v++) {
      if (!isNew[v]) continue;
      const sim = similarity(batchX[v], batchY[v]);
      if (sim < opts.minJaccard) continue;
      if (hits.size === hits.px.length) {
        hits.px = grown(hits.px, 2 * hits.px.length);
        hits.py = grown(hits.py, 2 * hits.py.length);
        hits.simD = grown(hits.simD, 2 * hits.simD.length);
      }
      hits.px[hits.size] = batchX[v];
      hits.py[hits.size] = batchY[v];
      hits.simD[hits.size++] = sim * batchD[v];
    }
    batched = 0;
  };
  forEach((bucket) => {
    let m = 0;
    let n = 0;
    stamp++;
    for (let b = 0; b < bucket.length; b++) {
      const i = bucket[b];
      const acc = accOf[i];
      if (acc < 0) continue;
      live[m++] = i;
      if (seenAt[acc] !== stamp) {
        seenAt[acc] = stamp;
        n++;
      }
    }
    if (n < 2 || n > opts.maxBucketAccounts) return;
    const d = commonDiscount(n, opts.commonBucketAccounts);
    // forNearPairs without a window, inlined over the indices (bucket order is post order).
    for (let i = 0; i < m; i++) {
      const px = live[i];
      const ax = accOf[px];
      for (let j = i + 1; j < m && j - i <= k; j++) {
        const py = live[j];
        if (ax === accOf[py]) continue;
        batchX[batched] = px;
        batchY[batched] = py;
        batchD[batched] = d;
        if (++batched === VISIT_BATCH) flush();
      }
    }
  });
  flush();
  return hits;
}

/** Signatures of the banded posts in one Int32Array (CSR: post j's values at offsets[j] … offsets[j + 1]). */
export interface PackedSignatures {
  offsets: Int32Array;
  values: Int32Array;
}

export function packSignatures(sigs: readonly ArrayLike<number>[]): PackedSignatures {
  const offsets = new Int32Array(sigs.length + 1);
  for (let j = 0; j < sigs.length; j++) offsets[j + 1] = offsets[j] + sigs[j].length;
  const values = new Int32Array(offsets[sigs.length]);
  for (let j = 0; j < sigs.length; j++) {
    const s = sigs[j];
    const o = offsets[j];
    for (let r = 0; r < s.length; r++) values[o + r] = s[r];
  }
  return { offsets, values };
}

export function unpackSignatures({ offsets, values }: PackedSignatures): Int32Array[] {
  const out = new Array<Int32Array>(offsets.length - 1);
  for (let j = 0; j < out.length; j++) out[j] = values.subarray(offsets[j], offsets[j + 1]);
  return out;
}

/** The band part's input: posts `banded` (ascending) with signatures `sigs`, accOf (post → account, −1 for none). */
export interface SignatureInput {
  banded: Int32Array;
  sigs: readonly ArrayLike<number>[];
  accOf: Int32Array;
  /** Number of accounts and of posts (the ranges of accOf's values and of post indices). */
  accounts: number;
  posts: number;
  opts: VisitOptions;
}

/** The band part of the near-duplicate step, verified by the MinHash estimate. */
export function signatureHits({ banded, sigs, accOf, accounts, posts, opts }: SignatureInput): NearDuplicateHits {
  const at = new Int32Array(posts).fill(-1);
  for (let j = 0; j < banded.length; j++) at[banded[j]] = j;
  // The signatures' usual length (all of them, from minhash.ts); others compare in full.
  const n = sigs.length > 0 ? sigs[0].length : 0;
  const words = n > 0 && n % 4 === 0 ? new SignatureWords(sigs, n) : undefined;
  const need = equalNeeded(n, opts.minJaccard);
  return verifiedPairs(
    (visit) => forEachSignatureBucket(banded, sigs, visit),
    accOf,
    accounts,
    posts,
    opts,
    // 0 for a pair the words rule out: below minJaccard either way, and verifiedPairs keeps only pairs at or above it.
    (px, py) => (words && !words.mayReach(at[px], at[py], need) ? 0 : minhashJaccardAtLeast(sigs[at[px]], sigs[at[py]], opts.minJaccard)),
  );
}
