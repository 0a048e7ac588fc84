// Behaviour features of reviews, accounts and products, after SpEagle (Rayana & Akoglu,
// "Collective Opinion Spam Detection: Bridging Review Networks and Metadata", KDD 2015,
// Table 2; the metadata features, since imports may have no text), with one account
// feature more. Where a feature cannot be computed for a node it is absent
// (NaN), never 0: a single-review account has no rating entropy, no gaps, no active span.
//
// | node    | feature | definition                                                    | suspicious |
// |---------|---------|---------------------------------------------------------------|------------|
// | review  | RD      | |r − mean rating of the product|            (product ≥ 2 rated) | high       |
// | review  | EXT     | r ∈ {1, 5}                                                    | high       |
// | review  | DEV     | RD / 4 > β₁ = 0.63                                            | high       |
// | review  | ETF     | 1 − (t − first review of the product) / 7 months > β₃ = 0.69 | high       |
// | review  | ISR     | the account wrote only this one post          (rated posts) ⁴ | high       |
// | review  | Rank    | (1 + posts on the product strictly earlier) / posts on it  ¹  | low        |
// | account | MNR     | most posts within one day                    (≥ 2 posts)      | high       |
// | account | PR, NR  | share of ratings ≥ 4, ≤ 2                                 ⁵   | high       |
// | account | avgRD   | mean RD of its reviews                                    ⁵   | high       |
// | account | WRD     | RD weighted by 1 / Rank^1.5 (Rank as a count here)        ⁵   | high       |
// | account | BST     | active span: last − first post               (≥ 2 posts)  ²   | low        |
// | account | ERD     | entropy of its ratings                       (≥ 2 rated)      | low        |
// | account | ETG     | entropy of gaps binned at 0, ½, 1, 4, 7, 13, 33 days (≥ 1 gap)| low        |
// | account | NP      | its number of reviews (rated posts)           (≥ 1 rated) ³   | low        |
// | account | AGE     | account age at its first post (ringwatch; crawled accounts)   | low        |
// | account | DUP     | near-duplicate pairs with other accounts per post with text   | high       |
// |         |         | (SpEagle's content similarity MCS; given by the caller, which knows the graph) |
// | product | MNR, PR, NR, avgRD, ERD, ETG as for accounts, over the product's posts | as above |
//
// β₁, β₃, the 7-month frame, the gap bins and the WRD exponent are the published values
// (the authors' feature extractor). Times are compared at the source's resolution
// (graph/resolution): at day resolution "within one day" is "on one date".
// Where this departs from the paper, and why (each features' values only ever enter as
// population ranks, scoring/prior):
//   ¹ Rank is the review's place as a share of the product's posts: the 30th review of a
//     40-review restaurant is late, of a 4,000-review one early; a count ranks products'
//     sizes, not earliness. WRD keeps the count, as published.
//   ² SpEagle's BST is 1 − span / 28 days, clamped at 0 beyond; ranked, the clamp only ties
//     every account active longer than four weeks (three quarters of yelpnyc's multi-review
//     accounts), so the span itself is ranked: same order below 28 days, no constant.
//   ³ Filtered reviewers write far fewer reviews (Luca & Zervas, "Fake It Till You Make
//     It", Management Science 2016; SpEagle's ISR says it at the review level only). Present
//     for every reviewer, so a one-review account is ranked on what it shows: one review, its
//     rating, its review's features. Absent for accounts without ratings (social posts):
//     there coordinated accounts are often the busy ones, and a few-posts-is-suspicious
//     feature points the wrong way (on german-elections-2021 it lowered the share of the
//     toolkit's co-share accounts surfaced from 80.9 % to 79.6 %; docs/quality.md).
//   ⁴ ISR, the review-level form of the same evidence, follows the same rule: present for
//     reviews (rated posts), absent for social posts. In co-action data most accounts share
//     once (german-elections-2021: 58,314 accounts, 194,323 posts), and a singleton prior
//     put accounts with one post and one co-share above repeated co-sharers.
//   ⁵ Computed, shown and learned from (scoring/combiner), but weight 0 in the account's
//     prior: they are summaries of the account's own reviews' ratings, which the review
//     nodes observe (RD, EXT, DEV) and belief propagation already brings to the account, one
//     message per review. In the prior too they would count each rating twice (in a
//     Markov random field an observation enters once, at the node that observes it: node
//     potentials are taken as independent evidence), and for a one-review account they
//     are nothing but its one review restated. The account prior keeps what no review can
//     show on its own: bursts, span, rating and gap entropy, the review count, age, text.
import type { DetectionContext } from '../rings/context';
import { column } from '../columns';

export type NodeKind = 'review' | 'account' | 'product';

export interface FeatureSpec {
  /** SpEagle's short name. */
  key: string;
  /** Indicator name as stored and shown. */
  name: string;
  /** True when a high value is suspicious. */
  high: boolean;
  /** Weight in the node's prior unless the options name the feature (default 1); 0 = shown and learned from, not in the prior. */
  weight?: number;
}

export const REVIEW_FEATURES: readonly FeatureSpec[] = [
  { key: 'RD', name: 'rating_deviation', high: true },
  { key: 'EXT', name: 'extreme_rating', high: true },
  { key: 'DEV', name: 'deviant_rating', high: true },
  { key: 'ETF', name: 'early_time_frame', high: true },
  { key: 'ISR', name: 'singleton_review', high: true },
  { key: 'Rank', name: 'review_rank', high: false },
];

export const ACCOUNT_FEATURES: readonly FeatureSpec[] = [
  { key: 'MNR', name: 'max_posts_per_day', high: true },
  // ⁵ Summaries of its reviews' ratings: the review nodes carry them into the account.
  { key: 'PR', name: 'positive_ratio', high: true, weight: 0 },
  { key: 'NR', name: 'negative_ratio', high: true, weight: 0 },
  { key: 'avgRD', name: 'rating_deviation', high: true, weight: 0 },
  { key: 'WRD', name: 'early_rating_deviation', high: true, weight: 0 },
  { key: 'BST', name: 'active_span', high: false },
  { key: 'ERD', name: 'rating_entropy', high: false },
  { key: 'ETG', name: 'gap_entropy', high: false },
  { key: 'NP', name: 'post_count', high: false },
  { key: 'AGE', name: 'account_age', high: false },
  { key: 'DUP', name: 'duplicate_text', high: true },
];

export const PRODUCT_FEATURES: readonly FeatureSpec[] = [
  { key: 'MNR', name: 'max_posts_per_day', high: true },
  { key: 'PR', name: 'positive_ratio', high: true },
  { key: 'NR', name: 'negative_ratio', high: true },
  { key: 'avgRD', name: 'rating_deviation', high: true },
  { key: 'ERD', name: 'rating_entropy', high: false },
  { key: 'ETG', name: 'gap_entropy', high: false },
];

/** Column-wise values, one Float64Array per feature, NaN where absent. */
export interface FeatureTable {
  specs: readonly FeatureSpec[];
  columns: Float64Array[];
}

export interface BehaviourFeatures {
  reviews: FeatureTable;
  accounts: FeatureTable;
  /** Row order = `productIds`. */
  products: FeatureTable;
  productIds: string[];
  /** Rank (1-based, ties shared) of each post on its products, the earliest; as a count. */
  rank: Float64Array;
  /** Per-post |r − product mean| (NaN when undefined), reused by evidence. */
  rd: Float64Array;
}

/** Over the given posts: how many have review feature `key` (n), and its sum over them (on). */
export function reviewFeatureTotals(f: BehaviourFeatures, key: string, posts: readonly number[]): { n: number; on: number } {
  return columnTotals(reviewColumn(f, key), posts);
}

/** The column of review feature `key`. */
export function reviewColumn(f: BehaviourFeatures, key: string): Float64Array {
  return f.reviews.columns[REVIEW_FEATURES.findIndex((s) => s.key === key)];
}

/** reviewFeatureTotals over one column (look the column up once when totalling for every account). */
export function columnTotals(c: Float64Array, posts: readonly number[]): { n: number; on: number } {
  let n = 0;
  let on = 0;
  for (const p of posts) {
    if (Number.isNaN(c[p])) continue;
    n++;
    on += c[p];
  }
  return { n, on };
}

export const DAY_MS = 86_400_000;
const BETA_DEV = 0.63;
const BETA_ETF = 0.69;
const ETF_FRAME_MS = 7 * 30 * DAY_MS;
const WRD_ALPHA = 1.5;
const GAP_EDGES_DAYS = [0, 0.5, 1, 4, 7, 13, 33];

function table(specs: readonly FeatureSpec[], n: number): FeatureTable {
  return { specs, columns: specs.map(() => column(Float64Array, n).fill(Number.NaN)) };
}

function col(t: FeatureTable, key: string): Float64Array {
  const k = t.specs.findIndex((s) => s.key === key);
  if (k < 0) throw new Error(`no feature ${key}`);
  return t.columns[k];
}

/** Shannon entropy (bits) of counts. */
export function entropy(counts: Iterable<number>): number {
  let n = 0;
  const cs: number[] = [];
  for (const c of counts) {
    if (c <= 0) continue;
    cs.push(c);
    n += c;
  }
  let h = 0;
  for (const c of cs) h -= (c / n) * Math.log2(c / n);
  return h;
}

/** entropy() of counts[0 .. length), without the iterator and the copy (same sums, same order). */
function entropyOf(counts: ArrayLike<number>): number {
  let n = 0;
  for (let k = 0; k < counts.length; k++) if (counts[k] > 0) n += counts[k];
  let h = 0;
  for (let k = 0; k < counts.length; k++) {
    const c = counts[k];
    if (c > 0) h -= (c / n) * Math.log2(c / n);
  }
  return h;
}

// Counts reused by every call (gapEntropy and ratingStats run once per account and per
// product, and return before anything else reads them): no array per node.
const gapBins = column(Float64Array, GAP_EDGES_DAYS.length + 1);

/** Entropy of the gaps between consecutive times (sorted), binned as SpEagle bins them; NaN without a gap under 33 days. */
export function gapEntropy(sortedTimes: ArrayLike<number>): number {
  gapBins.fill(0);
  let any = false;
  for (let i = 1; i < sortedTimes.length; i++) {
    const days = (sortedTimes[i] - sortedTimes[i - 1]) / DAY_MS;
    if (days >= 33) continue;
    let j = 0;
    while (j < GAP_EDGES_DAYS.length && days > GAP_EDGES_DAYS[j]) j++;
    gapBins[j]++;
    any = true;
  }
  return any ? entropyOf(gapBins) : Number.NaN;
}

/** Most times within one day; at day resolution (or coarser) that is "on one date". */
export function maxPerDay(sortedTimes: ArrayLike<number>, resolutionMs: number): number {
  let best = sortedTimes.length > 0 ? 1 : 0;
  // Two times on consecutive dates are ≥ 1 day apart at day resolution: the window is
  // half-open so that "one day" never spans two dates.
  const span = resolutionMs >= DAY_MS ? DAY_MS - 1 : DAY_MS;
  for (let a = 0, b = 0; b < sortedTimes.length; b++) {
    while (sortedTimes[b] - sortedTimes[a] > span) a++;
    best = Math.max(best, b - a + 1);
  }
  return best;
}

const ratingCounts = column(Float64Array, 6);

/** Share of ratings above 3 (pr), below 3 (nr) and their entropy (erd, ≥ 2 ratings) over the rated posts among `posts`; null when none is rated. */
function ratingStats(ctx: DetectionContext, posts: readonly number[]): { n: number; pr: number; nr: number; erd: number } | null {
  ratingCounts.fill(0);
  let n = 0;
  let pos = 0;
  let neg = 0;
  for (const i of posts) {
    if (!ctx.rated[i]) continue;
    const r = ctx.ratings[i];
    n++;
    ratingCounts[Math.min(5, Math.max(0, Math.round(r)))]++;
    if (r > 3) pos++;
    else if (r < 3) neg++;
  }
  if (n === 0) return null;
  return { n, pr: pos / n, nr: neg / n, erd: n >= 2 ? entropyOf(ratingCounts) : Number.NaN };
}

/**
 * All behaviour features of a window. `resolutionOf` gives each post's timestamp
 * resolution in ms (graph/resolution); `duplicates` the DUP value per account row (NaN
 * for accounts without text).
 */
export function behaviourFeatures(
  ctx: DetectionContext,
  resolutionOf: (postIndex: number) => number,
  duplicates?: Float64Array,
): BehaviourFeatures {
  const nPosts = ctx.posts.length;
  const reviews = table(REVIEW_FEATURES, nPosts);
  const accounts = table(ACCOUNT_FEATURES, ctx.accounts.length);
  const productIds = [...ctx.products.keys()].sort();
  const products = table(PRODUCT_FEATURES, productIds.length);
  const time = ctx.times;
  // Times of one account's or product's posts, reused (a subarray per node, no array each).
  let scratch = column(Float64Array, 64);
  const timesOf = (posts: readonly number[]) => {
    if (posts.length > scratch.length) scratch = column(Float64Array, Math.max(posts.length, 2 * scratch.length));
    for (let k = 0; k < posts.length; k++) scratch[k] = time[posts[k]];
    return scratch.subarray(0, posts.length);
  };

  // Product means, first times and tie-aware ranks.
  const rank = column(Float64Array, nPosts).fill(Number.NaN);
  const rankShare = column(Float64Array, nPosts).fill(Number.NaN);
  const rd = column(Float64Array, nPosts).fill(Number.NaN);
  const rankCol = col(reviews, 'Rank');
  const rdCol = col(reviews, 'RD');
  const devCol = col(reviews, 'DEV');
  const etfCol = col(reviews, 'ETF');
  const pMNR = col(products, 'MNR');
  const pETG = col(products, 'ETG');
  const pPR = col(products, 'PR');
  const pNR = col(products, 'NR');
  const pERD = col(products, 'ERD');
  const pRD = col(products, 'avgRD');
  productIds.forEach((pid, row) => {
    const st = ctx.products.get(pid);
    if (!st) return;
    const mean = st.ratingCount > 0 ? st.ratingSum / st.ratingCount : Number.NaN;
    const res = st.posts.length > 0 ? resolutionOf(st.posts[0]) : 1;
    let tieStart = 0;
    for (let k = 0; k < st.posts.length; k++) {
      const i = st.posts[k];
      const t = Math.floor(time[i] / res);
      if (k > 0 && t !== Math.floor(time[st.posts[k - 1]] / res)) tieStart = k;
      // A post on several products keeps its best (earliest) rank and largest deviation.
      const r = tieStart + 1;
      if (!(rank[i] <= r)) rank[i] = r;
      if (!(rankShare[i] <= r / st.posts.length)) rankShare[i] = r / st.posts.length;
      if (ctx.rated[i] && st.ratingCount >= 2) {
        const d = Math.abs(ctx.ratings[i] - mean);
        if (!(rd[i] >= d)) rd[i] = d;
      }
      const sinceFirst = Math.floor(time[i] / res) * res - Math.floor(st.first / res) * res;
      const etf = sinceFirst > ETF_FRAME_MS ? 0 : 1 - sinceFirst / ETF_FRAME_MS > BETA_ETF ? 1 : 0;
      etfCol[i] = Number.isNaN(etfCol[i]) ? etf : Math.max(etfCol[i], etf);
    }
    // Product features.
    const times = timesOf(st.posts);
    pMNR[row] = maxPerDay(times, res);
    pETG[row] = gapEntropy(times);
    const rs = ratingStats(ctx, st.posts);
    if (rs) {
      pPR[row] = rs.pr;
      pNR[row] = rs.nr;
      pERD[row] = rs.erd;
      if (rs.n >= 2) {
        let sum = 0;
        for (const i of st.posts) if (ctx.rated[i]) sum += Math.abs(ctx.ratings[i] - mean);
        pRD[row] = sum / rs.n;
      }
    }
  });
  rankCol.set(rankShare);
  rdCol.set(rd);
  const extCol = col(reviews, 'EXT');
  const isrCol = col(reviews, 'ISR');
  for (let i = 0; i < nPosts; i++) {
    if (ctx.rated[i]) extCol[i] = ctx.ratings[i] === 1 || ctx.ratings[i] === 5 ? 1 : 0;
    if (!Number.isNaN(rd[i])) devCol[i] = rd[i] / 4 > BETA_DEV ? 1 : 0;
    // ⁴ Reviews only (rated posts): on social platforms most accounts post once.
    if (ctx.rated[i]) {
      const row = ctx.postAccount[i];
      const own = row >= 0 ? ctx.accountPosts[row].length : (ctx.postsByAccount.get(ctx.posts[i].accountId)?.length ?? 0);
      isrCol[i] = own === 1 ? 1 : 0;
    }
  }

  // Account features.
  const atRes = (t: number, res: number) => Math.floor(t / res) * res;
  const aMNR = col(accounts, 'MNR');
  const aBST = col(accounts, 'BST');
  const aETG = col(accounts, 'ETG');
  const aNP = col(accounts, 'NP');
  const aPR = col(accounts, 'PR');
  const aNR = col(accounts, 'NR');
  const aERD = col(accounts, 'ERD');
  const aRD = col(accounts, 'avgRD');
  const aWRD = col(accounts, 'WRD');
  const aAGE = col(accounts, 'AGE');
  for (let row = 0; row < ctx.accounts.length; row++) {
    const idx = ctx.accountPosts[row];
    if (idx.length === 0) continue;
    const times = timesOf(idx);
    const res = resolutionOf(idx[0]);
    if (idx.length >= 2) {
      aMNR[row] = maxPerDay(times, res);
      aBST[row] = (atRes(times[times.length - 1], res) - atRes(times[0], res)) / DAY_MS;
    }
    aETG[row] = gapEntropy(times);
    const rs = ratingStats(ctx, idx);
    if (rs) {
      aNP[row] = rs.n;
      aPR[row] = rs.pr;
      aNR[row] = rs.nr;
      aERD[row] = rs.erd;
    }
    let sum = 0;
    let n = 0;
    let wsum = 0;
    let w = 0;
    for (const i of idx) {
      if (Number.isNaN(rd[i])) continue;
      sum += rd[i];
      n++;
      const wi = 1 / rank[i] ** WRD_ALPHA;
      wsum += wi * rd[i];
      w += wi;
    }
    if (n > 0) {
      aRD[row] = sum / n;
      aWRD[row] = wsum / w;
    }
    const created = ctx.accounts[row].createdAt;
    if (created) aAGE[row] = Math.max(0, (times[0] - created.getTime()) / DAY_MS);
  }
  if (duplicates) col(accounts, 'DUP').set(duplicates);
  return { reviews, accounts, products, productIds, rank, rd };
}
