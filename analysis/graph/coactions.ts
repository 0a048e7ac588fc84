// Co-actions between accounts (the QUT coordination toolkit's co-post, co-link,
// co-similarity and co-reply networks, CooRTweet's co-share, plus co-review). Every kind
// is found through buckets (product, shared object, URL, code, text band, handle), never
// all pairs: inside a bucket
// posts are sorted by time and each is paired with at most `maxNeighbours` later posts
// (and, for co-review, only within Δ). A huge organic burst therefore costs O(n·k),
// and its pairs are discounted by the crowd they happened in.
import { normaliseHandle, parseMention, referenceKey } from './handles';
import { commonDiscount, minhashJaccardAtLeast, type VisitOptions, verifiedPairs } from './near-duplicate-pairs';
import { type HitsJob, startSignatureHits } from './near-duplicate-thread';
import { type BandedSplit, forEachFallbackBucket, normalisedText, splitBanded } from './near-duplicates';
import { BucketBuilder, type Buckets } from './buckets';
import { PairEvidenceTable } from './pair-evidence';
import { PairIndex } from './pair-set';
import { postCodes, postProducts, postUrls } from './products';
import type { DetectAccount, DetectPost, GraphOptions } from './types';
import { column } from '../columns';

export interface CoActionInput {
  /** Sorted by (createdAt, _id). */
  posts: readonly DetectPost[];
  /** Sorted by _id; index = account index. */
  accounts: readonly DetectAccount[];
  accountIndex: ReadonlyMap<string, number>;
  /** Post index → account index (graph/build indexAccounts); from accountIndex when absent. */
  accountOf?: Int32Array;
  /** postProducts of each post, when the caller has them already. */
  productsOf?: readonly (readonly string[])[];
  windowMs: number;
  opts: GraphOptions;
  /** A post's time as its source can tell it (graph/resolution); default: createdAt exactly. */
  timeOf?: (post: DetectPost) => number;
  /** The near-duplicate step, already started (startNearDuplicates) by a caller with other work to do meanwhile. */
  nearDuplicates?: NearDuplicateJob;
}

export interface NearDuplicateJob {
  split: BandedSplit;
  /** Post index → account index, −1 for none. */
  accOf: Int32Array;
  visit: VisitOptions;
  bands: HitsJob;
}

/**
 * Starts the near-duplicate step's band part (near-duplicate-thread.ts: in a worker for
 * large inputs) over posts sorted as collectCoActions takes them.
 */
export function startNearDuplicates(
  posts: readonly DetectPost[],
  accounts: readonly DetectAccount[],
  accOf: Int32Array,
  opts: GraphOptions,
): NearDuplicateJob {
  const split = splitBanded(posts);
  const visit: VisitOptions = {
    maxNeighbours: opts.maxNeighbours,
    maxBucketAccounts: opts.commonBucketAccounts * IGNORE_FACTOR,
    commonBucketAccounts: opts.commonBucketAccounts,
    minJaccard: opts.minJaccard,
  };
  return { split, accOf, visit, bands: startSignatureHits({ banded: split.banded, sigs: split.sigs, accOf, accounts: accounts.length, posts: posts.length, opts: visit }, opts.nearDuplicateThread) };
}

const LOG2_3 = Math.log2(3);

/** Pairs of two accounts in a crowd of `crowd` count log2(3)/log2(1+crowd): 1 for a pair alone. */
export function crowdDiscount(crowd: number): number {
  return LOG2_3 / Math.log2(1 + Math.max(2, crowd));
}

/**
 * A URL, code or text band shared by more than `IGNORE_FACTOR` × common accounts is
 * boilerplate (its pairs would weigh < 1/IGNORE_FACTOR each): skipped, which also keeps
 * templated organic text from costing O(bucket · k) work per band.
 */
export const IGNORE_FACTOR = 10;


/** Two ratings that agree are stronger co-review evidence than two that differ. */
export function ratingAgreement(r1: number | undefined, r2: number | undefined): number {
  if (r1 === undefined || r2 === undefined) return 0.8;
  const d = Math.abs(r1 - r2);
  return d === 0 ? 1 : d === 1 ? 0.6 : 0.3;
}

/** Estimated Jaccard similarity of two MinHash signatures (share of equal positions). */
export function minhashJaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  let eq = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) eq++;
  return eq / n;
}

/** A bucket's posts (time-sorted) with each post's account and time. */
interface BucketView {
  posts: Int32Array;
  acc: Int32Array;
  time: Float64Array;
}

/**
 * Calls visit(x, y, i, j) for the bucket's posts x = posts[lo + i], y = posts[lo + j], i < j,
 * of different accounts, j among the next `k` within `windowMs`.
 */
function forNearPairs(b: BucketView, lo: number, hi: number, windowMs: number, k: number, visit: (x: number, y: number, i: number, j: number) => void): void {
  const { posts, acc, time } = b;
  for (let i = lo; i < hi; i++) {
    const x = posts[i];
    for (let j = i + 1; j < hi && j - i <= k && time[posts[j]] - time[x] <= windowMs; j++) {
      const y = posts[j];
      if (acc[x] !== acc[y]) visit(x, y, i - lo, j - lo);
    }
  }
}

/** Distinct accounts among posts[lo .. hi): `seen` (one slot per account) stamped with `stamp`, unique per call. */
function distinctAccounts(b: BucketView, lo: number, hi: number, seen: Int32Array, stamp: number): number {
  let n = 0;
  for (let i = lo; i < hi; i++) {
    const a = b.acc[b.posts[i]];
    if (seen[a] !== stamp) {
      seen[a] = stamp;
      n++;
    }
  }
  return n;
}

/** Collects every co-action pair, in the order first seen; deterministic for inputs sorted as documented. */
export function collectCoActions(input: CoActionInput): PairEvidenceTable {
  const { posts, accounts, accountIndex, windowMs, opts } = input;
  const accOfPost = input.accountOf ?? Int32Array.from(posts, (p) => accountIndex.get(p.accountId) ?? -1);
  const nearDuplicates = input.nearDuplicates ?? startNearDuplicates(posts, accounts, accOfPost, opts);
  const timeOf = input.timeOf ?? ((p: DetectPost) => p.createdAt.getTime());
  // Posts are told apart by _id (a post listed twice is one post behind a pair). The same
  // map finds the post a reply answers: its last listing (one hashing of every id in all).
  const lastById = new Map<string, number>();
  const canonical = column(Int32Array, posts.length);
  for (let i = 0; i < posts.length; i++) {
    const prev = lastById.get(posts[i]._id);
    canonical[i] = prev === undefined ? i : canonical[prev];
    lastById.set(posts[i]._id, i);
  }
  const table = new PairEvidenceTable(posts.length, opts.maxEvidencePosts, canonical);
  const time = column(Float64Array, posts.length);
  const byProduct = new BucketBuilder();
  const byUrl = new BucketBuilder();
  const byCode = new BucketBuilder();
  const byObject = new BucketBuilder();
  const productsOf = input.productsOf ?? posts.map(postProducts);
  for (let idx = 0; idx < posts.length; idx++) {
    const p = posts[idx];
    if (accOfPost[idx] < 0) continue;
    time[idx] = timeOf(p);
    for (const prod of productsOf[idx]) byProduct.add(prod, idx);
    for (const u of postUrls(p)) byUrl.add(u, idx);
    for (const c of postCodes(p)) byCode.add(c, idx);
    for (const o of postObjects(p)) byObject.add(o, idx);
  }
  const view = (b: Buckets): BucketView => ({ posts: b.posts, acc: accOfPost, time });
  const seen = column(Int32Array, accounts.length).fill(-1);
  let stamp = 0;

  // Co-review: same product within Δ, discounted by how many others posted around then.
  const products = byProduct.finish();
  const productView = view(products);
  for (let product = 0; product < products.count; product++) {
    const lo = products.start[product];
    const hi = products.start[product + 1];
    const crowd = windowCrowds(productView, lo, hi, windowMs);
    forNearPairs(productView, lo, hi, windowMs, opts.maxNeighbours, (x, y, i, j) => {
      const c = crowdDiscount(Math.max(crowd[i], crowd[j])) * ratingAgreement(posts[x].rating, posts[y].rating);
      const e = table.id(accOfPost[x], accOfPost[y]);
      table.coReview.raise(e, product, c);
      table.addPost(e, x);
      table.addPost(e, y);
    });
  }

  // Shared objects, URLs and codes: buckets of at least two accounts and not boilerplate,
  // each pair's evidence discounted by how common the key is (commonDiscount).
  const common = (builder: BucketBuilder, pairWindowMs: number, add: (e: number, x: number, y: number, d: number) => void) => {
    const buckets = builder.finish();
    const b = view(buckets);
    for (let k = 0; k < buckets.count; k++) {
      const lo = buckets.start[k];
      const hi = buckets.start[k + 1];
      if (hi - lo < 2) continue;
      const n = distinctAccounts(b, lo, hi, seen, stamp++);
      if (n < 2 || n > opts.commonBucketAccounts * IGNORE_FACTOR) continue;
      const d = commonDiscount(n, opts.commonBucketAccounts);
      forNearPairs(b, lo, hi, pairWindowMs, opts.maxNeighbours, (x, y) => {
        const e = table.id(accOfPost[x], accOfPost[y]);
        add(e, x, y, d);
        table.addPost(e, x);
        table.addPost(e, y);
      });
    }
  };

  // Co-share (CooRTweet): the same object shared within the co-share window. Discounted
  // by how common the object is, like a shared URL (a campaign hashtag or a big news
  // domain is shared by hundreds of accounts, and chance co-shares of it mean little), not
  // by the crowd within the window: dozens of accounts posting one link within seconds
  // is CooRnet's coordinated link sharing itself, not an organic crowd to discount.
  const occasions = new PairIndex();
  common(byObject, opts.coShareWindowMs, (e, x, y, d) => table.coShare.raise(e, occasions.id(Math.min(x, y), Math.max(x, y)), d));
  // Shared URLs and codes: any time in the window, discounted when the link is common.
  common(byUrl, Number.POSITIVE_INFINITY, (e, _x, _y, d) => {
    table.sharedUrl[e] += d;
  });
  common(byCode, Number.POSITIVE_INFINITY, (e, _x, _y, d) => {
    table.sharedCode[e] += d;
  });

  // Near-duplicate text: posts sharing an LSH band (near-duplicates.ts), verified by the
  // MinHash estimate once per pair of posts (the first band bucket that pairs them decides
  // its discount; near-duplicate-pairs.ts). The band part has been running since the start
  // (in a worker for large inputs); posts without a full signature meet here by string key.
  const { split, accOf, visit } = nearDuplicates;
  const signatureOf = (i: number) => {
    const m = posts[i].enrichment?.minhash;
    return m && m.length > 0 ? m : undefined;
  };
  const fallbackHits = verifiedPairs((v) => forEachFallbackBucket(split.fallback, v), accOf, accounts.length, posts.length, visit, (px, py) => {
    const mx = signatureOf(px);
    const my = signatureOf(py);
    return mx && my ? minhashJaccardAtLeast(mx, my, opts.minJaccard) : textSimilarity(posts[px], posts[py]);
  });
  const bandHits = nearDuplicates.bands.join();
  // At most one new pair of accounts per hit: room made at once (doubling the table pair by pair cost rehashes and full GCs).
  table.reserve(table.size + bandHits.size + fallbackHits.size);
  for (const hits of [bandHits, fallbackHits]) {
    for (let h = 0; h < hits.size; h++) {
      const px = hits.px[h];
      const py = hits.py[h];
      const e = table.id(accOf[px], accOf[py]);
      table.nearDuplicate[e] += hits.simD[h] * productAffinity(productsOf[px], productsOf[py]);
      table.addPost(e, px);
      table.addPost(e, py);
    }
  }

  // Replies and mentions (directed counts; mutuality is rewarded in the weight).
  // Built only when some post mentions an account: most windows have no mentions.
  const parentAccount = (id: string) => {
    const k = lastById.get(id);
    return k !== undefined && accOfPost[k] >= 0 ? accOfPost[k] : undefined;
  };
  let byReference: Map<string, number> | undefined;
  for (let pi = 0; pi < posts.length; pi++) {
    const p = posts[pi];
    const from = accOfPost[pi];
    if (from < 0) continue;
    const to = p.replyToAccountId !== undefined ? accountIndex.get(p.replyToAccountId) : p.parentId ? parentAccount(p.parentId) : undefined;
    if (to !== undefined && to !== from) {
      const e = table.id(from, to);
      if (from === table.a[e]) table.replyAB[e]++;
      else table.replyBA[e]++;
      table.addPost(e, pi);
    }
    const mentions = p.enrichment?.mentions;
    if (mentions && mentions.length > 0 && !byReference) {
      byReference = new Map<string, number>();
      for (const [i, a] of accounts.entries()) byReference.set(referenceKey(a.platform, a.handle), i);
    }
    for (const m of mentions ?? []) {
      const ref = parseMention(m);
      const target = ref ? byReference?.get(referenceKey(ref.platform, ref.handle)) : undefined;
      if (target === undefined || target === from) continue;
      const e = table.id(from, target);
      if (from === table.a[e]) table.mentionAB[e]++;
      else table.mentionBA[e]++;
      table.addPost(e, pi);
    }
  }

  // The same distinctive handle on two platforms: one operator, one ring across platforms.
  const byHandle = new Map<string, number[]>();
  accounts.forEach((a, i) => {
    const h = normaliseHandle(a.handle);
    if (h.length < 6) return;
    const list = byHandle.get(h);
    if (list) list.push(i);
    else byHandle.set(h, [i]);
  });
  for (const list of byHandle.values()) {
    if (list.length < 2 || list.length > 4) continue;
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        if (accounts[list[i]].platform !== accounts[list[j]].platform) table.sameHandle[table.id(list[i], list[j])] = 1;
      }
    }
  }
  return table;
}

/** Posts within ±Δ of each of the bucket's posts posts[from .. to) (time-sorted; two pointers). */
function windowCrowds(b: BucketView, from: number, to: number, windowMs: number): Int32Array {
  const t = (k: number) => b.time[b.posts[from + k]];
  const n = to - from;
  const out = column(Int32Array, n);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    while (t(lo) < t(i) - windowMs) lo++;
    while (hi + 1 < n && t(hi + 1) <= t(i) + windowMs) hi++;
    out[i] = hi - lo + 1;
  }
  return out;
}


/**
 * Near-duplicate texts about the same product are what a ring writes; the same phrasing
 * about different products is mostly a common way of writing, so it counts a quarter;
 * without product information on either side it counts half.
 */
export function productAffinity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0.5;
  for (const x of a) if (b.includes(x)) return 1;
  return 0.25;
}

function textSimilarity(x: DetectPost, y: DetectPost): number {
  const mx = x.enrichment?.minhash;
  const my = y.enrichment?.minhash;
  if (mx && my && mx.length > 0 && my.length > 0) return minhashJaccard(mx, my);
  return normalisedText(x) === normalisedText(y) ? 1 : 0;
}

/** A post's shared objects ("<kind>:<id>"), without duplicates or empty ids. */
export function postObjects(p: DetectPost): string[] {
  const objects = p.objects;
  if (!objects) return [];
  // Imports store them sorted and distinct: then the list itself (a copy, which callers may keep).
  let plain = true;
  for (let i = 0; i < objects.length && plain; i++) plain = objects[i] !== '' && (i === 0 || objects[i - 1] < objects[i]);
  return plain ? objects.slice() : [...new Set(objects.filter(Boolean))];
}
