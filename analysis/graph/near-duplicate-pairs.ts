// Verified near-duplicate pairs: the candidate visits of the band buckets
// (near-duplicates.ts) checked against the MinHash estimate (signatureHits) or, for text
// compared as strings, once per pair against a PairSet of visited pairs (verifiedPairs),
// kept as three typed columns in visiting order. The first bucket that pairs two
// posts decides the pair's discount; coactions.ts applies the hits to its evidence table
// in the same order. Pure and over typed arrays only, so the band part can run in a worker
// thread over signatures it was sent (near-duplicate-thread.ts) with the same answers.
import { forEachSignatureBucket } from './near-duplicates';
import { PairSet } from './pair-set';
import { column, grown } from '../columns';

/** Near-duplicate candidate visits checked against the verified set at a time, at most (17 bytes each). */
const VISIT_BATCH = 1 << 20;
/** The first batch's size (batches double up to VISIT_BATCH). */
const FIRST_BATCH = 1 << 12;

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
    this.words = column(Int32Array, sigs.length * this.perSig);
    this.usable = column(Uint8Array, sigs.length);
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

  /**
   * The number of positions where signatures j and k (both of length n) are equal, exactly:
   * only positions whose low bytes are equal are compared in full (−1 when either is not of
   * length n).
   */
  equalPositions(j: number, k: number, sigs: readonly ArrayLike<number>[]): number {
    if (!this.usable[j] || !this.usable[k]) return -1;
    const words = this.words;
    const m = this.perSig;
    const x = j * m;
    const y = k * m;
    const a = sigs[j];
    const b = sigs[k];
    let eq = 0;
    for (let w = 0; w < m; w++) {
      const v = words[x + w] ^ words[y + w];
      // High bit of each zero byte (as zeroBytes), one byte at a time.
      let t = ~(((v & 0x7f7f7f7f) + 0x7f7f7f7f) | v | 0x7f7f7f7f);
      while (t !== 0) {
        const bit = 31 - Math.clz32(t);
        const r = 4 * w + (bit >>> 3);
        if (a[r] === b[r]) eq++;
        t &= ~(1 << bit);
      }
    }
    return eq;
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
  /**
   * With a `part`: the number of the bucket each hit was first visited in, counting every
   * bucket of the whole run. Within a bucket pairs are visited in (px, py) order, so
   * (bucket, px, py) orders hits as the whole run visits them (mergePartHits).
   */
  bucket?: Float64Array;
}

/**
 * One of `of` disjoint parts of the pairs: pair (x, y), x < y, belongs to part
 * postPart(x, of). A function of the pair, so every visit of a pair falls in the same part
 * and the part that first visits it is the one that checks it; of its first post only, so a
 * part skips the other parts' posts' rows of visits whole.
 */
export interface PairPart {
  index: number;
  of: number;
}

/** The part of post x's pairs (a mix: neighbouring posts spread over the parts). */
export function postPart(x: number, of: number): number {
  return (Math.imul(x, 0x9e3779b1) >>> 0) % of;
}

type BucketWalk = (visit: (bucket: Int32Array) => void) => void;

/**
 * The candidate visits of the buckets `forEach` gives (post indices ascending): each post
 * paired with its next `maxNeighbours` posts of another account (accOf: post → account,
 * −1 for none), in buckets of 2 … maxBucketAccounts accounts, as
 * `candidate(px, py, discount, bucket)` with px < py and `bucket` the bucket's number
 * among all of `forEach`'s. With `part`, only pairs whose first post is in it.
 */
function forEachCandidate(
  forEach: BucketWalk,
  accOf: Int32Array,
  accounts: number,
  posts: number,
  opts: VisitOptions,
  part: PairPart | undefined,
  candidate: (px: number, py: number, d: number, bucket: number) => void,
): void {
  const seenAt = column(Int32Array, accounts);
  let stamp = 0;
  const live = column(Int32Array, posts);
  const k = opts.maxNeighbours;
  let buckets = 0;
  forEach((bucket) => {
    let m = 0;
    let n = 0;
    stamp++;
    const bucketNo = buckets++;
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
      if (part && postPart(px, part.of) !== part.index) continue;
      const ax = accOf[px];
      for (let j = i + 1; j < m && j - i <= k; j++) {
        const py = live[j];
        if (ax !== accOf[py]) candidate(px, py, d, bucketNo);
      }
    }
  });
}

/** An empty hit list (with bucket numbers when `numbered`). */
function noHits(numbered: boolean): NearDuplicateHits {
  const hits: NearDuplicateHits = { px: column(Int32Array, 1024), py: column(Int32Array, 1024), simD: column(Float64Array, 1024), size: 0 };
  if (numbered) hits.bucket = column(Float64Array, 1024);
  return hits;
}

function pushHit(hits: NearDuplicateHits, px: number, py: number, simD: number, bucket: number): void {
  if (hits.size === hits.px.length) {
    hits.px = grown(hits.px, 2 * hits.px.length);
    hits.py = grown(hits.py, 2 * hits.py.length);
    hits.simD = grown(hits.simD, 2 * hits.simD.length);
    if (hits.bucket) hits.bucket = grown(hits.bucket, 2 * hits.bucket.length);
  }
  if (hits.bucket) hits.bucket[hits.size] = bucket;
  hits.px[hits.size] = px;
  hits.py[hits.size] = py;
  hits.simD[hits.size++] = simD;
}

/**
 * The candidate pairs of the buckets `forEach` gives (forEachCandidate), every pair of
 * posts checked once: `similarity(px, py)` the first time the pair is visited, every
 * visited pair remembered. For a costly similarity (texts compared as strings).
 */
export function verifiedPairs(
  forEach: BucketWalk,
  accOf: Int32Array,
  accounts: number,
  posts: number,
  opts: VisitOptions,
  similarity: (px: number, py: number) => number,
): NearDuplicateHits {
  // Sized by the work that comes, not by the posts: most windows have few posts without a
  // signature (none in a co-action import), and 17 MB of batch arrays plus a table for every
  // post, allocated for nothing, brought V8's next full garbage collection nearer (it starts
  // one per 64 MB of ArrayBuffer memory grown since the last).
  const verified = new PairSet(1024);
  // Visits are buffered and checked against `verified` a batch at a time (PairSet.addAll:
  // the same answers as one add() each, in table order, whatever the batch size), then
  // handled in visiting order. Batches double from FIRST_BATCH up to VISIT_BATCH.
  let cap = FIRST_BATCH;
  let batchX = column(Int32Array, cap);
  let batchY = column(Int32Array, cap);
  let batchD = column(Float64Array, cap);
  let isNew = column(Uint8Array, cap);
  let batched = 0;
  const hits = noHits(false);
  const flush = () => {
    verified.addAll(batchX, batchY, batched, isNew);
    for (let v = 0; v < batched; v++) {
      if (!isNew[v]) continue;
      const sim = similarity(batchX[v], batchY[v]);
      if (sim >= opts.minJaccard) pushHit(hits, batchX[v], batchY[v], sim * batchD[v], 0);
    }
    batched = 0;
  };
  forEachCandidate(forEach, accOf, accounts, posts, opts, undefined, (px, py, d) => {
    batchX[batched] = px;
    batchY[batched] = py;
    batchD[batched] = d;
    if (++batched < cap) return;
    flush();
    if (cap < VISIT_BATCH) {
      cap *= 2;
      batchX = column(Int32Array, cap);
      batchY = column(Int32Array, cap);
      batchD = column(Float64Array, cap);
      isNew = column(Uint8Array, cap);
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

/** `alloc` makes the arrays (shared memory for worker threads that read them together). */
export function packSignatures(sigs: readonly ArrayLike<number>[], alloc: (length: number) => Int32Array = (n) => column(Int32Array, n)): PackedSignatures {
  const offsets = alloc(sigs.length + 1);
  for (let j = 0; j < sigs.length; j++) offsets[j + 1] = offsets[j] + sigs[j].length;
  const values = alloc(offsets[sigs.length]);
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
  /** Only this part of the pairs (a worker's share; mergePartHits joins the parts); default all. */
  part?: PairPart;
}

/**
 * The band part of the near-duplicate step, verified by the MinHash estimate: the pairs
 * verifiedPairs would give, in the same order with the same discounts, but only the hits
 * are remembered. A pair's similarity depends on the pair alone, so a pair below
 * minJaccard is below it at every visit and may be checked again, and a hit is one at its
 * first visit; rechecking a dissimilar pair costs a few words of SignatureWords (most
 * fail in the first dozen), remembering every visited pair cost a probe of a table of all
 * of them (3 × medium, 58.7M visits: 17.1 / 14.6 s → 15.0 / 12.1 s in isolation, and the table
 * of hundreds of MB at 1M posts is gone).
 */
export function signatureHits({ banded, sigs, accOf, accounts, posts, opts, part }: SignatureInput): NearDuplicateHits {
  const at = column(Int32Array, posts).fill(-1);
  for (let j = 0; j < banded.length; j++) at[banded[j]] = j;
  // The signatures' usual length (all of them, from minhash.ts); others compare in full.
  const n = sigs.length > 0 ? sigs[0].length : 0;
  const words = n > 0 && n % 4 === 0 ? new SignatureWords(sigs, n) : undefined;
  const need = equalNeeded(n, opts.minJaccard);
  const min = opts.minJaccard;
  // Row-local: a post's visits come in rows (px, py₁ … py₂₅), most of them (77 % at 3 × medium)
  // pairs found already, so a row's probes share a cache line (pair-set.ts).
  const found = new PairSet(1 << 16, 'rowLocal');
  const hits = noHits(part !== undefined);
  forEachCandidate((visit) => forEachSignatureBucket(banded, sigs, visit), accOf, accounts, posts, opts, part, (px, py, d, bucket) => {
    if (found.has(px, py)) return;
    const x = at[px];
    const y = at[py];
    // Ruled out by the words: below minJaccard either way.
    if (words && !words.mayReach(x, y, need)) return;
    const sim = minhashJaccardAtLeast(sigs[x], sigs[y], min);
    if (sim < min) return;
    found.add(px, py);
    pushHit(hits, px, py, sim * d, bucket);
  });
  return hits;
}

/**
 * The hits of the parts of one run (signatureHits with parts 0 … of − 1) as the whole run
 * gives them: in the order of their first visits, (bucket, px, py). Parts are disjoint, so
 * this is a merge of lists each already in that order.
 */
export function mergePartHits(parts: readonly NearDuplicateHits[]): NearDuplicateHits {
  let total = 0;
  for (const h of parts) total += h.size;
  const out: NearDuplicateHits = { px: column(Int32Array, total), py: column(Int32Array, total), simD: column(Float64Array, total), size: total };
  const bucket = parts.map((h) => {
    if (!h.bucket) throw new Error('mergePartHits: a part without bucket numbers');
    return h.bucket;
  });
  const px = parts.map((h) => h.px);
  const py = parts.map((h) => h.py);
  const at = column(Int32Array, parts.length);
  for (let o = 0; o < total; o++) {
    let best = -1;
    for (let k = 0; k < parts.length; k++) {
      const v = at[k];
      if (v >= parts[k].size) continue;
      if (best >= 0) {
        const w = at[best];
        const b = bucket[k][v] - bucket[best][w] || px[k][v] - px[best][w] || py[k][v] - py[best][w];
        if (b >= 0) continue;
      }
      best = k;
    }
    const v = at[best]++;
    out.px[o] = px[best][v];
    out.py[o] = py[best][v];
    out.simD[o] = parts[best].simD[v];
  }
  return out;
}
