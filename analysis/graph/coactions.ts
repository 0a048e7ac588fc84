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
import { PairEvidenceTable } from './pair-evidence';
import { PairIndex } from './pair-set';
import { postCodes, postProducts, postUrls } from './products';
import type { DetectAccount, DetectPost, GraphOptions } from './types';

export interface CoActionInput {
  /** Sorted by (createdAt, _id). */
  posts: readonly DetectPost[];
  /** Sorted by _id; index = account index. */
  accounts: readonly DetectAccount[];
  accountIndex: ReadonlyMap<string, number>;
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
  accountIndex: ReadonlyMap<string, number>,
  opts: GraphOptions,
): NearDuplicateJob {
  const split = splitBanded(posts);
  const accOf = Int32Array.from(posts, (p) => accountIndex.get(p.accountId) ?? -1);
  const visit: VisitOptions = {
    maxNeighbours: opts.maxNeighbours,
    maxBucketAccounts: opts.commonBucketAccounts * IGNORE_FACTOR,
    commonBucketAccounts: opts.commonBucketAccounts,
    minJaccard: opts.minJaccard,
  };
  return { split, accOf, visit, bands: startSignatureHits(split.banded, split.sigs, accOf, accounts.length, posts.length, visit, opts.nearDuplicateThread) };
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

interface Item {
  post: number;
  acc: number;
  t: number;
}

function bucketPush<K>(m: Map<K, Item[]>, key: K, item: Item): void {
  const list = m.get(key);
  if (list) list.push(item);
  else m.set(key, [item]);
}

/** Calls visit(i, j) for items i < j of different accounts, j among the next `k` within `windowMs`. */
function forNearPairs(items: readonly Item[], windowMs: number, k: number, visit: (x: Item, y: Item, i: number, j: number) => void): void {
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length && j - i <= k && items[j].t - items[i].t <= windowMs; j++) {
      if (items[i].acc !== items[j].acc) visit(items[i], items[j], i, j);
    }
  }
}

function distinctAccounts(items: readonly Item[]): number {
  return new Set(items.map((it) => it.acc)).size;
}

/** Collects every co-action pair, in the order first seen; deterministic for inputs sorted as documented. */
export function collectCoActions(input: CoActionInput): PairEvidenceTable {
  const { posts, accounts, accountIndex, windowMs, opts } = input;
  const nearDuplicates = input.nearDuplicates ?? startNearDuplicates(posts, accounts, accountIndex, opts);
  const timeOf = input.timeOf ?? ((p: DetectPost) => p.createdAt.getTime());
  // Posts are told apart by _id (a post listed twice is one post behind a pair).
  const firstById = new Map<string, number>();
  const canonical = Int32Array.from(posts, (p, i) => {
    const first = firstById.get(p._id);
    if (first !== undefined) return first;
    firstById.set(p._id, i);
    return i;
  });
  const table = new PairEvidenceTable(posts.length, opts.maxEvidencePosts, canonical);
  const byProduct = new Map<string, Item[]>();
  const byUrl = new Map<string, Item[]>();
  const byCode = new Map<string, Item[]>();
  const byObject = new Map<string, Item[]>();

  const productsOf: string[][] = posts.map((p) => postProducts(p));
  const itemOf: (Item | undefined)[] = new Array(posts.length);
  posts.forEach((p, idx) => {
    const acc = accountIndex.get(p.accountId);
    if (acc === undefined) return;
    const item = { post: idx, acc, t: timeOf(p) };
    itemOf[idx] = item;
    for (const prod of productsOf[idx]) bucketPush(byProduct, prod, item);
    for (const u of postUrls(p)) bucketPush(byUrl, u, item);
    for (const c of postCodes(p)) bucketPush(byCode, c, item);
    for (const o of postObjects(p)) bucketPush(byObject, o, item);
  });

  // Co-review: same product within Δ, discounted by how many others posted around then.
  let productNo = 0;
  for (const items of byProduct.values()) {
    const product = productNo++;
    const times = items.map((it) => it.t);
    const crowd = windowCrowds(times, windowMs);
    forNearPairs(items, windowMs, opts.maxNeighbours, (x, y, i, j) => {
      const c = crowdDiscount(Math.max(crowd[i], crowd[j])) * ratingAgreement(posts[x.post].rating, posts[y.post].rating);
      const e = table.id(x.acc, y.acc);
      table.coReview.raise(e, product, c);
      table.addPost(e, x.post);
      table.addPost(e, y.post);
    });
  }

  // Co-share (CooRTweet): the same object shared within the co-share window. Discounted
  // by how common the object is, like a shared URL (a campaign hashtag or a big news
  // domain is shared by hundreds of accounts, and chance co-shares of it mean little), not
  // by the crowd within the window: dozens of accounts posting one link within seconds
  // is CooRnet's coordinated link sharing itself, not an organic crowd to discount.
  const occasions = new PairIndex();
  for (const items of byObject.values()) {
    if (items.length < 2) continue;
    const n = distinctAccounts(items);
    if (n < 2 || n > opts.commonBucketAccounts * IGNORE_FACTOR) continue;
    const d = commonDiscount(n, opts.commonBucketAccounts);
    forNearPairs(items, opts.coShareWindowMs, opts.maxNeighbours, (x, y) => {
      const e = table.id(x.acc, y.acc);
      table.coShare.raise(e, occasions.id(Math.min(x.post, y.post), Math.max(x.post, y.post)), d);
      table.addPost(e, x.post);
      table.addPost(e, y.post);
    });
  }

  // Shared URLs and codes: any time in the window, discounted when the link is common.
  const shared = (buckets: Map<string, Item[]>, field: 'sharedUrl' | 'sharedCode') => {
    for (const items of buckets.values()) {
      if (items.length < 2) continue;
      const n = distinctAccounts(items);
      if (n < 2 || n > opts.commonBucketAccounts * IGNORE_FACTOR) continue;
      const d = commonDiscount(n, opts.commonBucketAccounts);
      forNearPairs(items, Number.POSITIVE_INFINITY, opts.maxNeighbours, (x, y) => {
        const e = table.id(x.acc, y.acc);
        table[field][e] += d;
        table.addPost(e, x.post);
        table.addPost(e, y.post);
      });
    }
  };
  shared(byUrl, 'sharedUrl');
  shared(byCode, 'sharedCode');

  // Near-duplicate text: posts sharing an LSH band (near-duplicates.ts), verified by the
  // MinHash estimate once per pair of posts (the first band bucket that pairs them decides
  // its discount; near-duplicate-pairs.ts). The band part has been running since the start
  // (in a worker for large inputs); posts without a full signature meet here by string key.
  const { split, accOf, visit } = nearDuplicates;
  const signatureOf = posts.map((p) => {
    const m = p.enrichment?.minhash;
    return m && m.length > 0 ? m : undefined;
  });
  const fallbackHits = verifiedPairs((v) => forEachFallbackBucket(split.fallback, v), accOf, accounts.length, posts.length, visit, (px, py) => {
    const mx = signatureOf[px];
    const my = signatureOf[py];
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
  const postAccount = new Map<string, number>();
  posts.forEach((p) => {
    const acc = accountIndex.get(p.accountId);
    if (acc !== undefined) postAccount.set(p._id, acc);
  });
  const byReference = new Map<string, number>();
  for (const [i, a] of accounts.entries()) byReference.set(referenceKey(a.platform, a.handle), i);
  for (let pi = 0; pi < posts.length; pi++) {
    const p = posts[pi];
    const from = accountIndex.get(p.accountId);
    if (from === undefined) continue;
    const to = p.replyToAccountId !== undefined ? accountIndex.get(p.replyToAccountId) : p.parentId ? postAccount.get(p.parentId) : undefined;
    if (to !== undefined && to !== from) {
      const e = table.id(from, to);
      if (from === table.a[e]) table.replyAB[e]++;
      else table.replyBA[e]++;
      table.addPost(e, pi);
    }
    for (const m of p.enrichment?.mentions ?? []) {
      const ref = parseMention(m);
      const target = ref ? byReference.get(referenceKey(ref.platform, ref.handle)) : undefined;
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

/** Posts within ±Δ of each post in a time-sorted list (two pointers). */
function windowCrowds(times: readonly number[], windowMs: number): number[] {
  const out = new Array<number>(times.length);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[lo] < times[i] - windowMs) lo++;
    while (hi + 1 < times.length && times[hi + 1] <= times[i] + windowMs) hi++;
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
  return p.objects ? [...new Set(p.objects.filter(Boolean))] : [];
}
