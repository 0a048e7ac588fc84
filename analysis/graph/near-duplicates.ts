// Candidate buckets for near-duplicate text: posts sharing an LSH band (analysis/nlp/minhash).
// Band keys are numbers derived from each post's MinHash signature, one band at a time:
// an open-addressing table of typed arrays groups the band's keys (one pass, no sort, no
// Map or Set of boxed doubles), and the posts with a repeated key are laid out group by
// group in one Int32Array. Memory is a few typed arrays of the posts' count, reused band
// after band, instead of 32 strings per post in one map, which at ≈1M posts passed V8's
// 2^24-entry Map limit (17.4 keys per post) and took 2.9 KB of heap per post; the sort and
// the Map/Set of the previous numeric version took 48 % of the pipeline at 288k posts.
//
// Posts without a full signature fall back to string keys: stored band keys when present
// (older stores, tests), else the normalised text itself when long enough (exact copies).
import { LSH_BANDS, LSH_ROWS, lshBandKey } from '../nlp/minhash';
import type { DetectPost } from './types';
import { column } from '../columns';

/** Texts shorter than this (normalised characters) are too short for an exact-copy key. */
const MIN_EXACT_CHARS = 20;

/** Whether a post's text was long enough for band keys (set at enrichment; older stores kept the keys). */
function hasBands(p: DetectPost): boolean {
  const e = p.enrichment;
  return e?.lsh ?? (e?.lshBands?.length ?? 0) > 0;
}

export function normalisedText(p: DetectPost): string {
  return `${p.title ?? ''} ${p.text ?? ''}`.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

const NO_KEYS: readonly string[] = Object.freeze([]);

/** String keys of a post without a full signature: stored band keys, else an exact-text key. */
export function fallbackKeys(p: DetectPost): readonly string[] {
  const bands = p.enrichment?.lshBands;
  if (bands && bands.length > 0) return bands;
  if (!p.title && !p.text) return NO_KEYS; // shares and ratings: nothing to normalise
  const norm = normalisedText(p);
  return norm.length >= MIN_EXACT_CHARS ? [`exact:${norm}`] : [];
}

/** A window's posts split for the near-duplicate step: full signatures (band keys from them) and the rest (string keys). */
export interface BandedSplit {
  /** Indices (ascending) of the posts with a full signature and band keys. */
  banded: Int32Array;
  /** Their signatures, same order. */
  sigs: ArrayLike<number>[];
  /** Fallback key → indices (ascending) of the other posts with that key. */
  fallback: Map<string, number[]>;
}

export function splitBanded(posts: readonly DetectPost[]): BandedSplit {
  const bandedList: number[] = [];
  const sigs: ArrayLike<number>[] = [];
  const fallback = new Map<string, number[]>();
  posts.forEach((p, i) => {
    const sig = p.enrichment?.minhash;
    if (sig && sig.length >= LSH_BANDS * LSH_ROWS && hasBands(p)) {
      bandedList.push(i);
      sigs.push(sig as ArrayLike<number>);
    } else {
      for (const k of fallbackKeys(p)) {
        const list = fallback.get(k);
        if (list) list.push(i);
        else fallback.set(k, [i]);
      }
    }
  });
  return { banded: Int32Array.from(bandedList), sigs, fallback };
}

/**
 * Calls `visit` with the indices (ascending) of every group of ≥ 2 posts sharing a band key,
 * band by band (within a band, groups in the order of their first post), then the fallback
 * groups. Deterministic for a given input order. The bucket array is reused after `visit`
 * returns: copy it to keep it.
 */
export function forEachBandBucket(posts: readonly DetectPost[], visit: (bucket: Int32Array) => void): void {
  const { banded, sigs, fallback } = splitBanded(posts);
  forEachSignatureBucket(banded, sigs, visit);
  forEachFallbackBucket(fallback, visit);
}

/** The fallback groups of ≥ 2 posts, in the order their keys were first seen. */
export function forEachFallbackBucket(fallback: ReadonlyMap<string, readonly number[]>, visit: (bucket: Int32Array) => void): void {
  for (const list of fallback.values()) if (list.length >= 2) visit(Int32Array.from(list));
}

/**
 * The band-key groups of `forEachBandBucket` for posts `banded` (ascending) with signatures
 * `sigs` (same order, each ≥ LSH_BANDS × LSH_ROWS long): what a worker thread runs over
 * signatures it holds (graph/near-duplicate-pairs).
 */
export function forEachSignatureBucket(banded: Int32Array, sigs: readonly ArrayLike<number>[], visit: (bucket: Int32Array) => void): void {
  const rows = LSH_ROWS;
  const n = banded.length;
  // Keys are computed KEY_CHUNK bands at a time, post by post: one band at a time read one
  // cache line of every signature per band, scattered (posts in time order, signatures in
  // allocation order), 8× slower than reading a signature's neighbouring bands together.
  const chunkKeys = column(Float64Array, n * KEY_CHUNK);
  const keys = column(Float64Array, n);
  // Open addressing (linear probing) from a key to its first post j + 1; ≤ 50 % full.
  const mask = (1 << Math.max(4, Math.ceil(Math.log2(2 * n + 1)))) - 1;
  const table = column(Int32Array, mask + 1);
  const first = column(Int32Array, n); // j of the first post with the same key
  const count = column(Int32Array, n); // posts per key, at the key's first j
  const start = column(Int32Array, n); // where the key's group begins in `members`
  const members = column(Int32Array, n);
  const cursor = column(Int32Array, n);
  for (let b = 0; b < LSH_BANDS; b++) {
    const c = b % KEY_CHUNK;
    if (c === 0) {
      const width = Math.min(KEY_CHUNK, LSH_BANDS - b);
      for (let j = 0; j < n; j++) for (let w = 0; w < width; w++) chunkKeys[j * KEY_CHUNK + w] = lshBandKey(sigs[j], b + w, rows);
    }
    table.fill(0);
    count.fill(0);
    let repeated = 0;
    for (let j = 0; j < n; j++) {
      const key = chunkKeys[j * KEY_CHUNK + c];
      keys[j] = key;
      let s = keySlot(key) & mask;
      for (;;) {
        const t = table[s];
        if (t === 0) {
          table[s] = j + 1;
          first[j] = j;
          count[j] = 1;
          break;
        }
        if (keys[t - 1] === key) {
          first[j] = t - 1;
          if (++count[t - 1] === 2) repeated++;
          break;
        }
        s = (s + 1) & mask;
      }
    }
    if (repeated === 0) continue;
    let filled = 0;
    for (let j = 0; j < n; j++) {
      if (first[j] === j && count[j] >= 2) {
        start[j] = filled;
        filled += count[j];
      }
    }
    cursor.set(start);
    for (let j = 0; j < n; j++) {
      const f = first[j];
      if (count[f] >= 2) members[cursor[f]++] = banded[j];
    }
    for (let j = 0; j < n; j++) if (first[j] === j && count[j] >= 2) visit(members.subarray(start[j], start[j] + count[j]));
  }
}

/** Bands whose keys are computed together (8 doubles per post of memory). */
const KEY_CHUNK = 8;

/** A 52-bit integer key mixed to 32 bits for a table slot. */
function keySlot(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4_294_967_296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
