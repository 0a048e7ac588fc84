// Near-duplicate fingerprints: MinHash over word shingles, with LSH banding so that
// "same template, different words" posts meet in a bucket without all-pairs comparison.
//
// Parameters. k = 3-word shingles after normalisation (lower case, diacritics and
// punctuation removed). H = 128 hashes, split into b = 32 bands of r = 4 rows. Two texts
// with Jaccard similarity s share at least one band with probability
//
//     P(s) = 1 − (1 − s^r)^b                        (the LSH S-curve)
//
//     s     0.2    0.3    0.4    0.5    0.6    0.7    0.8
//     P   0.050  0.229  0.563  0.873  0.988  1.000  1.000
//
// The curve's steepest point is near (1/b)^(1/r) = 0.42: pairs at s ≥ 0.5 collide with
// probability ≥ 0.87 (≥ 0.99 at 0.6), while unrelated texts (s ≈ 0 for 3-word shingles)
// practically never do. Candidates from shared buckets are then checked with the signature
// estimate, so false candidates cost one comparison each, not a false group.
//
// The estimator's standard error is sqrt(s(1−s)/H) ≤ 0.044 at H = 128.

export const MINHASH_SHINGLE = 3;
export const MINHASH_HASHES = 128;
export const LSH_BANDS = 32;
export const LSH_ROWS = 4;
/** Texts shorter than this (in words) get a signature but no band keys: "Love it!" from many
 * genuine users is identical text, not a coordinated template. */
export const LSH_MIN_WORDS = 6;

/** Probability that two texts of Jaccard `s` share a band, for b bands of r rows. */
export function lshCollisionProbability(s: number, bands = LSH_BANDS, rows = LSH_ROWS): number {
  return 1 - (1 - s ** rows) ** bands;
}

/** Normalised words for shingling. */
export function shingleWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/https?:\/\/\S+/g, ' ')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** FNV-1a over UTF-16 code units, 32-bit. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: a fast, well-mixing permutation of 32-bit integers. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Distinct 32-bit hashes of the text's k-word shingles (one shingle of all words if shorter). */
export function shingleHashes(text: string, k = MINHASH_SHINGLE): Uint32Array {
  const words = shingleWords(text);
  if (words.length === 0) return new Uint32Array(0);
  const set = new Set<number>();
  if (words.length < k) set.add(fnv1a(words.join(' ')));
  else for (let i = 0; i + k <= words.length; i++) set.add(fnv1a(words.slice(i, i + k).join(' ')));
  return Uint32Array.from(set);
}

export interface MinHasher {
  readonly hashes: number;
  /** Signature as signed 32-bit integers (stored compactly as BSON int32); [] for no words. */
  signature(text: string): number[];
}

/**
 * h_i(x) = fmix32(x XOR seed_i): one xor and the finaliser per hash and shingle. The seeds
 * come from a fixed generator, so signatures are comparable across processes and runs.
 */
export function createMinHasher(hashes = MINHASH_HASHES, seed = 0x5eed): MinHasher {
  const seeds = new Uint32Array(hashes);
  let s = seed >>> 0;
  for (let i = 0; i < hashes; i++) {
    s = fmix32((s + 0x9e3779b9) >>> 0);
    seeds[i] = s;
  }
  const mins = new Uint32Array(hashes);
  return {
    hashes,
    signature(text: string): number[] {
      const sh = shingleHashes(text);
      if (sh.length === 0) return [];
      mins.fill(0xffffffff);
      for (let j = 0; j < sh.length; j++) {
        const x = sh[j];
        for (let i = 0; i < hashes; i++) {
          const h = fmix32((x ^ seeds[i]) >>> 0);
          if (h < mins[i]) mins[i] = h;
        }
      }
      return Array.from(mins, (v) => v | 0);
    },
  };
}

const defaultHasher = createMinHasher();

/** MinHash signature with the default parameters. */
export function minhashSignature(text: string | undefined | null): number[] {
  return text ? defaultHasher.signature(text) : [];
}

/** Fraction of equal positions: an unbiased estimate of the shingle sets' Jaccard similarity. */
export function jaccardEstimate(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  let eq = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) eq++;
  return eq / n;
}

/** Exact Jaccard similarity of two texts' shingle sets (for tests and verification). */
export function exactJaccard(a: string, b: string, k = MINHASH_SHINGLE): number {
  const sa = new Set(shingleHashes(a, k));
  const sb = new Set(shingleHashes(b, k));
  if (sa.size === 0 && sb.size === 0) return 0;
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

/**
 * The key of band `b` of a signature as a number: the band's r values hashed to 52 bits
 * (two 32-bit mixes), exact in a double, so unrelated bands collide by chance about once
 * per 4·10^15 pairs rather than once per 4·10^9. Keys of different bands are compared only
 * band by band (analysis/graph/near-duplicates), so the band index is not part of the key.
 */
export function lshBandKey(signature: ArrayLike<number>, b: number, rows = LSH_ROWS): number {
  let h1 = 0x9747b28c ^ b;
  let h2 = 0x2545f491 ^ Math.imul(b, 0x27d4eb2d);
  for (let r = 0; r < rows; r++) {
    const v = signature[b * rows + r];
    h1 = fmix32((h1 ^ v) >>> 0);
    h2 = fmix32((Math.imul(h2, 31) + v) >>> 0);
  }
  return h1 * 0x100000 + (h2 >>> 12);
}

/** Band keys "<band>:<hex of lshBandKey>" of a signature (string form, for small in-memory groupings). */
export function lshBands(signature: ArrayLike<number>, bands = LSH_BANDS, rows = LSH_ROWS): string[] {
  if (signature.length < bands * rows) return [];
  const out: string[] = new Array(bands);
  for (let b = 0; b < bands; b++) out[b] = `${b}:${lshBandKey(signature, b, rows).toString(16).padStart(13, '0')}`;
  return out;
}

/** Signature and band keys for a text; no bands for texts under LSH_MIN_WORDS words. */
export function fingerprint(text: string | undefined | null): { minhash: number[]; lshBands: string[] } {
  const minhash = minhashSignature(text);
  const words = text ? shingleWords(text).length : 0;
  return { minhash, lshBands: words >= LSH_MIN_WORDS ? lshBands(minhash) : [] };
}

export interface Fingerprinted<Id> {
  id: Id;
  minhash: ArrayLike<number>;
  lshBands: readonly string[];
}

/**
 * Groups of near-duplicate items (estimated Jaccard ≥ `threshold`), via band buckets:
 * only items sharing a bucket are compared, each against the bucket's members in order
 * until it joins one of their groups (union-find), so a bucket of m items costs O(m) to
 * O(m²) comparisons in the worst case, capped by `maxCompare` per item. Singletons are
 * left out. Groups and their members come back in input order: deterministic.
 */
export function nearDuplicateGroups<Id>(
  items: readonly Fingerprinted<Id>[],
  { threshold = 0.5, maxCompare = 64 }: { threshold?: number; maxCompare?: number } = {},
): Id[][] {
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const buckets = new Map<string, number[]>();
  items.forEach((item, i) => {
    for (const key of item.lshBands) {
      const bucket = buckets.get(key);
      if (bucket) bucket.push(i);
      else buckets.set(key, [i]);
    }
  });
  for (const bucket of buckets.values()) {
    if (bucket.length < 2) continue;
    for (let x = 1; x < bucket.length; x++) {
      const i = bucket[x];
      // Compare against earlier members of other groups only; stop at the first match.
      let compared = 0;
      for (let y = 0; y < x && compared < maxCompare; y++) {
        const j = bucket[y];
        if (find(i) === find(j)) continue;
        compared++;
        if (jaccardEstimate(items[i].minhash, items[j].minhash) >= threshold) {
          union(i, j);
          break;
        }
      }
    }
  }
  const groups = new Map<number, Id[]>();
  items.forEach((item, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(item.id);
    else groups.set(r, [item.id]);
  });
  return [...groups.values()].filter((g) => g.length > 1);
}
