// What the account score is computed from (rings/accounts computes it; the explanations
// and the learned combiner read it). Its own module so that scoring/ does not import rings/.
import type { BehaviourFeatures } from './behaviour';

/** Everything the account score is computed from, for explanations and for the learned combiner. */
export interface AccountScoring {
  features: BehaviourFeatures;
  /** Weight of each account feature in the account's prior (ACCOUNT_FEATURES order). */
  accountWeights: readonly number[];
  accountRanks: Float64Array[];
  reviewRanks: Float64Array[];
  reviewPriors: Float64Array;
  accountPriors: Float64Array;
  /** Per account: posterior log-odds, and the parts of it from its reviews and from co-action neighbours. */
  logOdds: Float64Array;
  fromReviews: Float64Array;
  fromNeighbours: Float64Array;
  iterations: number;
  /** Per account: co-share occasions on its graph edges (crowd-discounted), and S, their repeated part (rings/accounts repeatedCoShares). */
  coShares: Float64Array;
  coShareRepeats: Float64Array;
}
