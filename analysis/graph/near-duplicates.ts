// Candidate buckets for near-duplicate text: posts sharing an LSH band (analysis/nlp/minhash).
// Band keys are numbers derived from each post's MinHash signature, one band at a time:
// a Float64Array of the band's keys, sorted natively, shows which keys repeat, and only
// the posts with a repeated key go into a (small) map. Memory is two typed arrays of the
// posts' count per band instead of 32 strings per post in one map, which at ≈1M posts
// passed V8's 2^24-entry Map limit (17.4 keys per post) and took 2.9 KB of heap per post.
//
// Posts without a full signature fall back to string keys: stored band keys when present
// (older stores, tests), else the normalised text itself when long enough (exact copies).
import { LSH_BANDS, LSH_ROWS, lshBandKey } from '../nlp/minhash';
import type { DetectPost } from './types';

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

/** String keys of a post without a full signature: stored band keys, else an exact-text key. */
export function fallbackKeys(p: DetectPost): readonly string[] {
  const bands = p.enrichment?.lshBands;
  if (bands && bands.length > 0) return bands;
  const norm = normalisedText(p);
  return norm.length >= MIN_EXACT_CHARS ? [`exact:${norm}`] : [];
}

/**
 * Calls `visit` with the indices (ascending) of every group of ≥ 2 posts sharing a band key,
 * band by band, then the fallback groups. Deterministic for a given input order.
 */
export function forEachBandBucket(posts: readonly DetectPost[], visit: (bucket: readonly number[]) => void): void {
  const banded: number[] = [];
  const fallback = new Map<string, number[]>();
  const rows = LSH_ROWS;
  posts.forEach((p, i) => {
    const sig = p.enrichment?.minhash;
    if (sig && sig.length >= LSH_BANDS * rows && hasBands(p)) banded.push(i);
    else {
      for (const k of fallbackKeys(p)) {
        const list = fallback.get(k);
        if (list) list.push(i);
        else fallback.set(k, [i]);
      }
    }
  });
  const keys = new Float64Array(banded.length);
  for (let b = 0; b < LSH_BANDS; b++) {
    for (let j = 0; j < banded.length; j++) keys[j] = lshBandKey(posts[banded[j]].enrichment?.minhash as ArrayLike<number>, b, rows);
    const sorted = keys.slice().sort();
    const repeated = new Set<number>();
    for (let j = 1; j < sorted.length; j++) if (sorted[j] === sorted[j - 1]) repeated.add(sorted[j]);
    if (repeated.size === 0) continue;
    const buckets = new Map<number, number[]>();
    for (let j = 0; j < banded.length; j++) {
      if (!repeated.has(keys[j])) continue;
      const list = buckets.get(keys[j]);
      if (list) list.push(banded[j]);
      else buckets.set(keys[j], [banded[j]]);
    }
    for (const list of buckets.values()) visit(list);
  }
  for (const list of fallback.values()) if (list.length >= 2) visit(list);
}
