// Account scores for every account in the window: SpEagle (Rayana & Akoglu, KDD 2015)
// on the account–review–product network, with ringwatch's co-action evidence on top.
//
//   1. behaviour features of every review, account and product (scoring/behaviour),
//      absent where a node cannot show them;
//   2. priors: the features' population ranks, combined as SpEagle's weighted soft AND
//      (scoring/prior), near-duplicate text among them (SpEagle's content similarity);
//      membership of a reported ring and repeated co-shares are evidence on top, in
//      log-odds;
//   3. loopy belief propagation (scoring/lbp) over
//        account — review   ε = 0.1    an account and what it writes share a class
//        review  — product  ε = 0.1    (SpEagle's ε); a product hears its reviews as a mean
//        account — account  ε = ½ / (1 + w)   co-action edges of the account graph, weight w,
//                                      heard as a w-weighted mean
//      Neighbours move a score both ways: a benign neighbourhood lowers it.
//   4. score = the account's posterior P(suspicious); every indicator says what drove it.
//
// Weights: every behaviour feature 1 (SpEagle's equal weights), except the account's
// summaries of its own reviews' ratings (PR, NR, avgRD, WRD), 0: the review nodes observe
// those ratings and BP brings them to the account; counted in its prior too, each rating
// would count twice (scoring/behaviour ⁵; yelpnyc 0.636 → 0.647, docs/quality.md). Coordination evidence
// (ring membership, repeated co-shares) weighs 2: set for ring membership on the simulator
// and used for co-shares too, where on german-elections-2021 it lifts the toolkit network's
// accounts surfaced from 55 % (rings only) to 82 % (docs/quality.md). ring_membership 2 and the
// two mean-not-sum choices were set on the simulator's text worlds, where summed product
// messages let popular products certify ring members' reviews as genuine (account AUC
// 0.79 → 0.999); on yelpnyc they cost 0.008 AUC (docs/quality.md). ugfraud's demo makes ε
// of account–review near-deterministic (1e-5) with 2 rounds; that saturates heavy
// reviewers (ties at 0 and 1) and was no better on yelpnyc, so the paper's ε is used.
import type { Indicator } from '../../storage/types';
import type { AccountGraph } from '../graph/build';
import { describeResolution } from '../graph/resolution';
import { ACCOUNT_FEATURES, behaviourFeatures, type FeatureSpec, PRODUCT_FEATURES, REVIEW_FEATURES, columnTotals, reviewColumn } from '../scoring/behaviour';
import { applyCombiner, combinerRow, trainCombiner } from '../scoring/combiner';
import { beliefPropagation, type LbpOptions, type MrfEdges } from '../scoring/lbp';
import { clampPrior, combineRanks, evidenceLogOdds, priorLogOdds, rankSuspicion, sigmoid } from '../scoring/prior';
import type { AccountScoring } from '../scoring/scoring';
import { adjacency } from './adjacency';
import { type DetectionContext, round } from './context';
import { column, sliced } from '../columns';

export interface AccountScore {
  accountId: string;
  score: number;
  /** The account's prior (own behaviour and evidence, before propagation). */
  own: number;
  /** When the score comes from a learned combiner: the unsupervised score. */
  unsupervised?: number;
  ringId?: string;
  indicators: Indicator[];
  evidencePosts: string[];
}

export interface AccountScoreOptions {
  /** Weight per feature name (behaviour features); missing = 1, 0 turns one off. */
  weights: Readonly<Record<string, number>>;
  /** Weight of each kind of evidence in log-odds. */
  evidence: { ring_membership: number; co_share: number };
  epsAccountReview: number;
  epsReviewProduct: number;
  lbp: Partial<LbpOptions>;
}

export const DEFAULT_ACCOUNT_SCORE_OPTIONS: AccountScoreOptions = {
  weights: {},
  evidence: { ring_membership: 2, co_share: 2 },
  epsAccountReview: 0.1,
  epsReviewProduct: 0.1,
  lbp: {},
};

/**
 * Repeated co-shares are coordination evidence in their own right (CooRTweet; Giglietto et
 * al. 2020: accounts sharing the same object within seconds, again and again): with S the
 * account's repeated co-shares (repeatedCoShares, summed over its graph edges),
 * e = 1 − exp(−S / 2), 0.63 at two occasions with one partner. Co-reviews are not: on
 * review sites same-day reviews are common.
 */
export function coShareEvidence(occasions: number): number {
  return 1 - Math.exp(-occasions / 2);
}

/**
 * What one partner's co-share occasions c (crowd-discounted) add to S: c · min(1, c / 2).
 * Repetition with the same partner is what tells coordination from chance (CooRTweet's
 * and the coordination-network-toolkit's minimum of 2 co-shares a pair): from the second
 * occasion on they count in full, a lone one counts half. Summed as they were, five lone
 * co-shares with five accounts outweighed two with one, and the more chance co-shares a
 * wider window lets in, the more they did (german-elections-2021, docs/quality.md).
 */
export function repeatedCoShares(c: number): number {
  return c * Math.min(1, c / 2);
}

/** ε of a co-action edge of weight w: ½ (no coupling) at w = 0, ¼ at w = 1, ⅛ at w = 3. */
export function coActionEps(weight: number): number {
  return 0.5 / (1 + Math.max(0, weight));
}

const weightsOf = (specs: readonly FeatureSpec[], w: Readonly<Record<string, number>>) => specs.map((s) => w[s.name] ?? s.weight ?? 1);

/**
 * Per account row, summed over its graph edges in the node's own order (one pass instead
 * of one per use): near-duplicate pairs per post with text (DUP; NaN without text), the
 * co-share occasions (crowd-discounted) and S, their repeated part that coShareEvidence reads.
 */
function edgeSums(ctx: DetectionContext, graph: AccountGraph): { duplicates: Float64Array; coShares: Float64Array; coShareRepeats: Float64Array } {
  const nA = ctx.accounts.length;
  const duplicates = column(Float64Array, nA).fill(Number.NaN);
  const coShares = column(Float64Array, nA);
  const coShareRepeats = column(Float64Array, nA);
  const adj = adjacency(graph);
  for (let i = 0; i < nA; i++) {
    let withText = 0;
    for (const k of ctx.accountPosts[i]) withText += ctx.withText[k];
    let dup = 0;
    let co = 0;
    let repeats = 0;
    const u = adj.index.get(ctx.accounts[i]._id);
    if (u !== undefined) {
      for (let k = adj.offsets[u]; k < adj.offsets[u + 1]; k++) {
        dup += adj.attrs[k].reasons.near_duplicate ?? 0;
        const c = adj.attrs[k].reasons.co_share ?? 0;
        co += c;
        repeats += repeatedCoShares(c);
      }
    }
    coShares[i] = co;
    coShareRepeats[i] = repeats;
    if (withText > 0) duplicates[i] = dup / withText;
  }
  return { duplicates, coShares, coShareRepeats };
}

/** The numbers behind the scores (pure); `scoreAccounts` turns them into explained scores. */
export function computeAccountScoring(
  ctx: DetectionContext,
  graph: AccountGraph,
  ringOf: ReadonlyMap<string, { ringId: string; score: number }>,
  resolutionOf: (postIndex: number) => number,
  options: Partial<AccountScoreOptions> = {},
): AccountScoring {
  const opts = { ...DEFAULT_ACCOUNT_SCORE_OPTIONS, ...options };
  const { duplicates, coShares, coShareRepeats } = edgeSums(ctx, graph);
  const features = behaviourFeatures(ctx, resolutionOf, duplicates);
  const nA = ctx.accounts.length;
  const nR = ctx.posts.length;
  const nP = features.productIds.length;

  const reviewRanks = rankSuspicion(features.reviews);
  const accountRanks = rankSuspicion(features.accounts);
  const productRanks = rankSuspicion(features.products);
  const rw = weightsOf(REVIEW_FEATURES, opts.weights);
  const aw = weightsOf(ACCOUNT_FEATURES, opts.weights);
  const pw = weightsOf(PRODUCT_FEATURES, opts.weights);

  const priors = column(Float64Array, nA + nR + nP);
  const accountPriors = column(Float64Array, nA);
  for (let i = 0; i < nA; i++) {
    // withEvidence, unrolled: co-share evidence first, then ring membership.
    let lo = priorLogOdds(combineRanks(accountRanks, aw, i));
    const coShare = coShareEvidence(coShareRepeats[i]);
    if (coShare > 0) lo += evidenceLogOdds(coShare, opts.evidence.co_share);
    const ring = ringOf.get(ctx.accounts[i]._id);
    if (ring) lo += evidenceLogOdds(ring.score, opts.evidence.ring_membership);
    accountPriors[i] = clampPrior(sigmoid(lo));
    priors[i] = accountPriors[i];
  }
  const reviewPriors = column(Float64Array, nR);
  for (let r = 0; r < nR; r++) priors[nA + r] = reviewPriors[r] = combineRanks(reviewRanks, rw, r);
  for (let p = 0; p < nP; p++) priors[nA + nR + p] = combineRanks(productRanks, pw, p);

  // Edges: account–review, review–product, account–account. Sources a node hears that
  // are correlated are taken as a weighted mean, not a sum (fractional weights, lbp.ts):
  // a product's reviews (one crowd reacting to one product: a popular product would
  // otherwise certify every review on it) and an account's co-action neighbours (they
  // act together: a dense cluster would drive itself to certainty).
  // Product rows are in features.productIds' (sorted) order; ctx numbers products as first seen.
  const productRow = column(Int32Array, ctx.productList.length);
  for (let row = 0; row < nP; row++) {
    const num = ctx.productIndex.get(features.productIds[row]);
    if (num !== undefined) productRow[num] = row;
  }
  const { productOffsets, productIdsOfPost, postAccount } = ctx;
  const productDegree = column(Float64Array, nP);
  for (let k = 0; k < productIdsOfPost.length; k++) productDegree[productRow[productIdsOfPost[k]]]++;
  // The graph's edges as rows, in the graph's order; an endpoint outside the accounts is −1.
  const ga = column(Int32Array, graph.size);
  const gb = column(Int32Array, graph.size);
  const gw = column(Float64Array, graph.size);
  const strength = column(Float64Array, nA);
  let g = 0;
  graph.forEachEdge((_e, attr, src, tgt) => {
    const x = ctx.accountIndex.get(src) ?? -1;
    const y = ctx.accountIndex.get(tgt) ?? -1;
    ga[g] = x;
    gb[g] = y;
    gw[g++] = attr.weight;
    strength[Math.max(x, 0)] += attr.weight;
    strength[Math.max(y, 0)] += attr.weight;
  });
  let m = productIdsOfPost.length;
  for (let r = 0; r < nR; r++) if (postAccount[r] >= 0) m++;
  for (let e = 0; e < g; e++) if (ga[e] >= 0 && gb[e] >= 0) m++;
  const a = column(Int32Array, m);
  const b = column(Int32Array, m);
  const eps = column(Float64Array, m);
  const intoA = column(Float64Array, m);
  const intoB = column(Float64Array, m);
  const kind = column(Uint8Array, m); // 0 account–review, 1 review–product, 2 account–account
  let e = 0;
  for (let r = 0; r < nR; r++) {
    const acc = postAccount[r];
    if (acc >= 0) {
      a[e] = acc;
      b[e] = nA + r;
      eps[e] = opts.epsAccountReview;
      intoA[e] = 1;
      intoB[e++] = 1;
    }
    for (let k = productOffsets[r]; k < productOffsets[r + 1]; k++) {
      const row = productRow[productIdsOfPost[k]];
      a[e] = nA + r;
      b[e] = nA + nR + row;
      eps[e] = opts.epsReviewProduct;
      kind[e] = 1;
      intoA[e] = 1;
      intoB[e++] = 1 / productDegree[row];
    }
  }
  for (let k = 0; k < g; k++) {
    const x = ga[k];
    const y = gb[k];
    if (x < 0 || y < 0) continue;
    a[e] = x;
    b[e] = y;
    eps[e] = coActionEps(gw[k]);
    kind[e] = 2;
    intoA[e] = gw[k] / strength[x];
    intoB[e++] = gw[k] / strength[y];
  }
  const edges: MrfEdges = { a, b, eps, intoA, intoB };
  const bp = beliefPropagation(priors, edges, opts.lbp);

  const fromReviews = column(Float64Array, nA);
  const fromNeighbours = column(Float64Array, nA);
  for (let k = 0; k < m; k++) {
    if (kind[k] === 0) fromReviews[a[k]] += bp.ba[k];
    else if (kind[k] === 2) {
      fromNeighbours[b[k]] += bp.ab[k] * intoB[k];
      fromNeighbours[a[k]] += bp.ba[k] * intoA[k];
    }
  }
  return {
    features,
    accountWeights: aw,
    accountRanks,
    reviewRanks,
    reviewPriors,
    accountPriors,
    logOdds: sliced(bp.logOdds, nA),
    fromReviews,
    fromNeighbours,
    iterations: bp.iterations,
    coShares,
    coShareRepeats,
  };
}

/** How the scores were made: unsupervised, or by a combiner learned from labels. */
export interface ScoringSummary {
  learned: boolean;
  labelledPositives: number;
  labelledNegatives: number;
  lbpIterations: number;
}

/**
 * Explained scores for every account. With `labels` (account id → suspicious?) and enough
 * of both classes, the score is a calibrated combiner learned from them (scoring/combiner);
 * `unsupervised` then keeps the score the labels did not shape.
 */
export function scoreAccounts(
  ctx: DetectionContext,
  graph: AccountGraph,
  ringOf: ReadonlyMap<string, { ringId: string; score: number }>,
  resolutionOf: (postIndex: number) => number = () => 1,
  options: Partial<AccountScoreOptions> = {},
  labels?: ReadonlyMap<string, boolean>,
): { accounts: AccountScore[]; summary: ScoringSummary } {
  const s = computeAccountScoring(ctx, graph, ringOf, resolutionOf, options);
  const rowOf = (i: number) => combinerRow(ctx, s, i, ringOf.get(ctx.accounts[i]._id)?.score ?? 0);
  const rows: { id: string; x: number[]; y: boolean }[] = [];
  if (labels && labels.size > 0) {
    ctx.accounts.forEach((a, i) => {
      const y = labels.get(a._id);
      if (y !== undefined) rows.push({ id: a._id, x: rowOf(i), y });
    });
  }
  const combiner = rows.length > 0 ? trainCombiner(rows) : null;
  const columns = reviewColumns(s);
  const accounts: AccountScore[] = [];
  for (let i = 0; i < ctx.accounts.length; i++) {
    const acc = ctx.accounts[i];
    const ring = ringOf.get(acc._id);
    const { indicators, evidencePosts } = explain(ctx, graph, s, columns, i, resolutionOf, ring);
    const unsupervised = round(sigmoid(s.logOdds[i]), 4);
    const own = round(s.accountPriors[i], 4);
    if (!combiner) {
      accounts.push({ accountId: acc._id, score: unsupervised, own, ringId: ring?.ringId, indicators, evidencePosts });
      continue;
    }
    const score = round(applyCombiner(combiner, rowOf(i)), 4);
    indicators.push({
      name: 'learned_combiner',
      value: score,
      score,
      explanation: `Score from a model trained on ${combiner.positives + combiner.negatives} labelled accounts (${combiner.positives} suspicious, ${combiner.negatives} not); without it the score would be ${unsupervised}.`,
    });
    accounts.push({ accountId: acc._id, score, own, ringId: ring?.ringId, indicators, evidencePosts, unsupervised });
  }
  const positives = rows.filter((r) => r.y).length;
  return {
    accounts,
    summary: { learned: combiner !== null, labelledPositives: positives, labelledNegatives: rows.length - positives, lbpIterations: s.iterations },
  };
}

/** The review feature columns the explanations total per account (EXT, ETF, ISR). */
interface ReviewColumns {
  ext: Float64Array;
  etf: Float64Array;
  isr: Float64Array;
}

function reviewColumns(s: AccountScoring): ReviewColumns {
  return { ext: reviewColumn(s.features, 'EXT'), etf: reviewColumn(s.features, 'ETF'), isr: reviewColumn(s.features, 'ISR') };
}

const FEATURE_TEXT: Record<string, (v: number, resolution: string) => string> = {
  max_posts_per_day: (v, res) => `Up to ${v} post(s) within one day${res === 'day' ? ' (dates only: on one date)' : ''}.`,
  positive_ratio: (v) => `${Math.round(v * 100)} % of its ratings are 4 or 5 stars.`,
  negative_ratio: (v) => `${Math.round(v * 100)} % of its ratings are 1 or 2 stars.`,
  rating_deviation: (v) => `Its ratings differ from the products' mean rating by ${round(v, 1)} stars on average.`,
  early_rating_deviation: (v) => `Weighted towards its earliest reviews of a product, its ratings differ from the mean by ${round(v, 1)} stars.`,
  active_span: (v, res) => `All its posts fall within ${Math.round(v)} day(s)${res === 'day' ? ' (dates only)' : ''} of each other.`,
  rating_entropy: (v) => `Entropy of its ratings: ${round(v, 2)} bits (low = always the same rating).`,
  gap_entropy: (v) => `Entropy of the gaps between its posts: ${round(v, 2)} bits (low = a regular rhythm).`,
  post_count: (v) => `It wrote ${v} review(s) in the data (throw-away reviewer accounts write few).`,
  account_age: (v) => `The account was ${Math.round(v)} day(s) old at its first post.`,
  duplicate_text: (v) => `Near-duplicate text shared with other accounts: ${round(v, 2)} pair(s) per post with text.`,
};

interface Neighbour {
  id: string;
  w: number;
  posts: string[];
  coShare: number;
}

const byWeight = (x: Neighbour, y: Neighbour) => y.w - x.w || (x.id < y.id ? -1 : 1);

function explain(
  ctx: DetectionContext,
  graph: AccountGraph,
  s: AccountScoring,
  columns: ReviewColumns,
  i: number,
  resolutionOf: (postIndex: number) => number,
  ring: { ringId: string; score: number } | undefined,
): { indicators: Indicator[]; evidencePosts: string[] } {
  const acc = ctx.accounts[i];
  const idx = ctx.accountPosts[i];
  const res = describeResolution(idx.length ? resolutionOf(idx[0]) : 1);
  const out: Indicator[] = [];
  for (let k = 0; k < ACCOUNT_FEATURES.length; k++) {
    const v = s.features.accounts.columns[k][i];
    if (Number.isNaN(v)) continue;
    const text = FEATURE_TEXT[ACCOUNT_FEATURES[k].name](v, res) + (s.accountWeights[k] > 0 ? '' : ' (Shown, not counted on its own: its reviews carry these ratings into the score.)');
    out.push({ name: ACCOUNT_FEATURES[k].name, value: round(v, 3), score: round(s.accountRanks[k][i], 3), explanation: text });
  }
  // The reviews' side: what SpEagle's review nodes saw.
  if (idx.length > 0) {
    const ext = columnTotals(columns.ext, idx);
    if (ext.n > 0) out.push({ name: 'extreme_ratings', value: round(ext.on / ext.n, 3), score: round(ext.on / ext.n, 3), explanation: `${ext.on} of ${ext.n} ratings are 1 or 5 stars.` });
    const etf = columnTotals(columns.etf, idx);
    if (etf.n > 0) out.push({ name: 'early_reviews', value: etf.on, score: round(etf.on / etf.n, 3), explanation: `${etf.on} of ${etf.n} product posts came in the product's first ~2 months of reviews.` });
    if (columnTotals(columns.isr, idx).on > 0) out.push({ name: 'single_post', value: 1, score: 1, explanation: 'The account wrote one post only (SpEagle: singleton reviews are often fake).' });
    let priorSum = 0;
    for (const p of idx) priorSum += s.reviewPriors[p];
    const meanPrior = priorSum / idx.length;
    out.push({
      name: 'review_evidence',
      value: round(meanPrior, 3),
      score: round(sigmoid(s.fromReviews[i]), 3),
      explanation: `Its ${idx.length} post(s) look ${meanPrior > 0.5 ? 'suspicious' : 'ordinary'} on average (post prior ${round(meanPrior, 2)}); through them and their products the score moved ${signed(s.fromReviews[i])} in log-odds.`,
    });
  }
  const top: Neighbour[] = [];
  const adj = adjacency(graph);
  const u = adj.index.get(acc._id);
  if (u !== undefined) {
    for (let k = adj.offsets[u]; k < adj.offsets[u + 1]; k++) {
      const attr = adj.attrs[k];
      top.push({ id: adj.ids[adj.neighbour[k]], w: attr.weight, posts: attr.posts, coShare: attr.reasons.co_share ?? 0 });
    }
    top.sort(byWeight);
  }
  out.push({
    name: 'neighbourhood',
    value: round(s.fromNeighbours[i], 3),
    score: round(sigmoid(s.fromNeighbours[i]), 3),
    explanation:
      top.length > 0
        ? `Linked by co-actions to ${top.length} account(s) (e.g. ${handles(ctx, top.slice(0, 3))}); they moved the score ${signed(s.fromNeighbours[i])} in log-odds.`
        : 'No co-action links to other accounts in the window.',
  });
  const coShares = s.coShares[i];
  if (coShares > 0) {
    const partners: Neighbour[] = [];
    for (let k = 0; k < top.length && partners.length < 3; k++) if (top[k].coShare > 0) partners.push(top[k]);
    out.push({
      name: 'co_share',
      value: round(coShares, 2),
      score: round(coShareEvidence(s.coShareRepeats[i]), 3),
      explanation: `Shared the same objects as other accounts within the co-share window, ${round(coShares, 1)} occasion(s) after crowd discount (e.g. with ${handles(ctx, partners)})${round(s.coShareRepeats[i], 1) < round(coShares, 1) ? `; counted as ${round(s.coShareRepeats[i], 1)}: a partner's first co-share counts half, repeated ones in full` : ''}.`,
    });
  }
  if (ring) {
    out.push({ name: 'ring_membership', value: round(ring.score, 3), score: round(ring.score, 3), explanation: `Member of ring ${ring.ringId} (ring score ${round(ring.score, 2)}).` });
  }
  return { indicators: out, evidencePosts: evidencePosts(ctx, idx, top, s.reviewPriors) };
}

/** The neighbours' handles, comma-separated (ids where an account has none). */
function handles(ctx: DetectionContext, ns: readonly Neighbour[]): string {
  let out = '';
  for (let k = 0; k < ns.length; k++) out += (k > 0 ? ', ' : '') + (ctx.accountById.get(ns[k].id)?.handle ?? ns[k].id);
  return out;
}

/** Appends id unless listed (at most 3 edges' posts and 3 more: a list is cheaper than a Set per account). */
function addOnce(out: string[], id: string): void {
  if (!out.includes(id)) out.push(id);
}

/** Whether post id `id` is one of posts `idx` (a scan; `ids` for accounts of many posts). */
function isOwn(ctx: DetectionContext, idx: readonly number[], ids: ReadonlySet<string> | undefined, id: string): boolean {
  if (ids) return ids.has(id);
  for (const p of idx) if (ctx.posts[p]._id === id) return true;
  return false;
}

/**
 * Up to 10 posts: the account's own posts behind its three strongest edges, then its
 * three posts of highest prior (ties in time order).
 */
function evidencePosts(ctx: DetectionContext, idx: readonly number[], top: readonly Neighbour[], priors: Float64Array): string[] {
  // Module functions, not closures per account (tsx names each closure it creates, per call).
  const out: string[] = [];
  if (top.length > 0) {
    // Whether an edge's post is the account's own: a scan for a few posts, a Set for many.
    let ids: Set<string> | undefined;
    if (idx.length > 16) {
      ids = new Set<string>();
      for (const p of idx) ids.add(ctx.posts[p]._id);
    }
    for (let k = 0; k < top.length && k < 3; k++) for (const id of top[k].posts) if (isOwn(ctx, idx, ids, id)) addOnce(out, id);
  }
  // The first three of idx sorted (stably) by prior, high first, without sorting all of it.
  const best: number[] = [];
  for (const p of idx) {
    let at = best.length;
    while (at > 0 && priors[best[at - 1]] < priors[p]) at--;
    if (at >= 3) continue;
    best.splice(at, 0, p);
    if (best.length > 3) best.pop();
  }
  for (const p of best) addOnce(out, ctx.posts[p]._id);
  return out.length > 10 ? out.slice(0, 10) : out;
}

function signed(x: number): string {
  return `${x >= 0 ? '+' : '−'}${round(Math.abs(x), 2)}`;
}

