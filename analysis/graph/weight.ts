// Edge weight: a sum of saturating per-reason terms, boosted a little when the two
// accounts were created close together.
//
//   w = (Σ_k α_k · log2(1 + v_k)) · (1 + β · creation)
//
// v_k is the raw value of reason k (co_review: Σ over shared products of the crowd- and
// rating-discounted contribution, each ≤ 1; co_share: the same for shared objects — a
// retweeted or quoted tweet, a URL, hashtag or image hash (CooRTweet's co-share); near_duplicate: Σ verified Jaccard; shared_url
// and shared_code: count of shared items, discounted when common; reply and mention:
// interactions, +2 when mutual; same_handle: 1). log2(1+v) makes one unit count 1 and
// repeated co-actions count less and less, so no single reason dominates.
// creation ∈ [0,1] (1 − |Δcreated| / window) only supports an edge that exists already:
// accounts created together but never acting together are not linked.
import type { Reason, Reasons } from './types';

export const REASON_WEIGHTS: Record<Exclude<Reason, 'creation'>, number> = {
  co_review: 1.0,
  co_share: 1.0,
  near_duplicate: 1.5,
  shared_url: 1.0,
  shared_code: 1.5,
  reply: 0.5,
  mention: 0.5,
  same_handle: 1.0,
};

export const CREATION_BOOST = 0.3;

/** The table as entries once: Object.entries per edge was ~300 MB of garbage per 100k posts. */
const WEIGHTED = Object.entries(REASON_WEIGHTS) as [keyof typeof REASON_WEIGHTS, number][];

export function edgeWeight(reasons: Reasons): number {
  let w = 0;
  for (const [k, alpha] of WEIGHTED) {
    const v = reasons[k];
    if (v !== undefined && v > 0) w += alpha * Math.log2(1 + v);
  }
  return w * (1 + CREATION_BOOST * (reasons.creation ?? 0));
}
