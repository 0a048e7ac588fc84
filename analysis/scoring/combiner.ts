// A calibrated combiner learned from decisions: when enough accounts are labelled (the
// policy team's confirmed / dismissed rings, or an imported label file), a logistic
// regression over the unsupervised score's parts learns how much each one matters on
// this data (SpEagle+, Rayana & Akoglu 2015 §4.3, uses labels the same way: as evidence
// beside the unsupervised model, not instead of it); below that, the unsupervised score
// stands.
//
//   x(account) = [ rank s_l and "present" 1/0 per account feature,
//                  log2(1 + posts), mean and max post prior, shares of extreme / early /
//                  deviant ratings, the post-rank suspicion,
//                  prior log-odds, log-odds from posts, from co-action neighbours,
//                  posterior log-odds, ring score, log(1 + days of silence since its last
//                  post, to the newest post seen) ]
//   p(account) = Platt( logistic(x) )
//
// Silence since the last post is an input here only, not in the unsupervised prior: on
// yelpnyc it carries signal (Yelp's filter judges accounts that never came back), on a live
// crawl the freshest accounts are the active ones, so only labels may say what it is worth
// (yelpnyc, split seed 7: with it 0.655 on the held-out 95 %, without 0.650; docs/quality.md).
//
// Labels as network evidence (per-product label rates, cross-fitted) were tried and
// dropped: on yelpnyc they predicted nothing for unlabelled accounts (AUC 0.48).
//
// The logistic fit (L2 = 1, standardised features) uses 3/4 of the labels, chosen by a
// seeded hash of the account id; Platt scaling is fitted on the other 1/4, so the
// probabilities are calibrated on accounts the weights never saw. Labels are only ever
// read for the accounts passed in `labels`: the caller holds back what it evaluates on.
import { applyCalibration, fitPlatt, type PlattCalibration } from '../escalations/calibration';
import { fitLogistic, type LogisticModel, logit as modelLogit } from '../escalations/logistic';
import { memoByObject } from '../memo';
import type { DetectionContext } from '../rings/context';
import { ACCOUNT_FEATURES, REVIEW_FEATURES, reviewFeatureTotals } from './behaviour';
import { logit } from './prior';
import type { AccountScoring } from './scoring';

/** Fewer labelled accounts of either class than this: no combiner, the unsupervised score stands. */
export const MIN_LABELS_PER_CLASS = 20;

export const COMBINER_FEATURES: readonly string[] = [
  ...ACCOUNT_FEATURES.flatMap((f) => [f.name, `${f.name}_present`]),
  'log_posts',
  'mean_post_prior',
  'max_post_prior',
  'extreme_share',
  'early_share',
  'deviant_share',
  'post_rank',
  'prior_log_odds',
  'from_posts',
  'from_neighbours',
  'posterior_log_odds',
  'ring_score',
  'log_dormancy',
];

export interface Combiner {
  model: LogisticModel;
  calibration: PlattCalibration;
  positives: number;
  negatives: number;
}

const clampLo = (x: number) => Math.max(-20, Math.min(20, x));

/** The combiner's inputs for account row i. */
export function combinerRow(ctx: DetectionContext, s: AccountScoring, i: number, ringScore: number, newest = newestPost(ctx)): number[] {
  const x: number[] = [];
  for (let k = 0; k < ACCOUNT_FEATURES.length; k++) {
    const r = s.accountRanks[k][i];
    x.push(Number.isNaN(r) ? 0.5 : r, Number.isNaN(r) ? 0 : 1);
  }
  const idx = ctx.postsByAccount.get(ctx.accounts[i]._id) ?? [];
  const share = (key: string) => {
    const { n, on } = reviewFeatureTotals(s.features, key, idx);
    return n > 0 ? on / n : 0;
  };
  let mean = 0;
  let max = 0;
  let rank = 0;
  let ranked = 0;
  const rankCol = s.reviewRanks[REVIEW_FEATURES.findIndex((f) => f.key === 'Rank')];
  for (const p of idx) {
    mean += s.reviewPriors[p] / idx.length;
    max = Math.max(max, s.reviewPriors[p]);
    if (Number.isNaN(rankCol[p])) continue;
    rank += rankCol[p];
    ranked++;
  }
  x.push(
    Math.log2(1 + idx.length),
    mean,
    max,
    share('EXT'),
    share('ETF'),
    share('DEV'),
    ranked > 0 ? rank / ranked : 0.5,
    logit(s.accountPriors[i]),
    clampLo(s.fromReviews[i]),
    clampLo(s.fromNeighbours[i]),
    clampLo(s.logOdds[i]),
    ringScore,
    idx.length > 0 ? Math.log1p(Math.max(0, newest - ctx.posts[idx[idx.length - 1]].createdAt.getTime()) / 86_400_000) : 0,
  );
  return x;
}

/** The newest post's time in the context (cached: one scan per context). */
export const newestPost = memoByObject((ctx: DetectionContext): number => {
  let t = 0;
  for (const p of ctx.posts) t = Math.max(t, p.createdAt.getTime());
  return t;
});

/** FNV-1a of id and seed → [0, 1): a stable, seedable split. */
export function hashUnit(id: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

/** Trains on the labelled rows; null when either class has fewer than MIN_LABELS_PER_CLASS. */
export function trainCombiner(rows: readonly { id: string; x: number[]; y: boolean }[], seed = 42): Combiner | null {
  const positives = rows.filter((r) => r.y).length;
  const negatives = rows.length - positives;
  if (positives < MIN_LABELS_PER_CLASS || negatives < MIN_LABELS_PER_CLASS) return null;
  // Salted: the caller may have chosen these very rows by hashUnit(id, seed) < f (evaluate
  // does, with the same default seed), and an unsalted split would then put them all on
  // one side and never train.
  const side = (r: { id: string }) => hashUnit(`${r.id}\u0000platt`, seed) < 0.75;
  const fit = rows.filter(side);
  const held = rows.filter((r) => !side(r));
  const both = (set: typeof rows) => set.some((r) => r.y) && set.some((r) => !r.y);
  if (!both(fit) || !both(held)) return null;
  const model = fitLogistic(
    fit.map((r) => r.x),
    fit.map((r) => (r.y ? 1 : 0)),
    { l2: 1 },
  );
  const calibration = fitPlatt(
    held.map((r) => modelLogit(model, r.x)),
    held.map((r) => (r.y ? 1 : 0)),
  );
  return { model, calibration, positives, negatives };
}

export function applyCombiner(c: Combiner, x: readonly number[]): number {
  return applyCalibration(c.calibration, modelLogit(c.model, x));
}
