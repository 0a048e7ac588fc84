// Priors from features, as SpEagle makes them (Rayana & Akoglu 2015, §4.2), with absent
// features left out and stated weights:
//
//   s_l(x)  = P(X_l < x) + ½·P(X_l = x)        when a high x is suspicious (else P(X_l > x) + ½·P(X_l = x))
//   prior   = 1 − sqrt( Σ_{l present} w_l · (1 − s_l)² / Σ_{l present} w_l )
//
// s_l is the feature's rank among the nodes of the same kind that have it (ties share
// the mid-rank, so the result does not depend on input order), which makes features of
// any unit comparable and robust to heavy tails. The root-mean-square of (1 − s) is a
// soft AND: a node looks suspicious only when most of what it shows is unusual. A node
// with no present feature gets the uninformative 0.5. Priors are clamped to
// [0.001, 0.999] as the authors' code does, so no single node is certain.
//
// Evidence that is not a population rank (near-duplicate text, membership of a reported
// ring) is an independent observation on top, added in log-odds:
//
//   logit(prior') = logit(prior) + Σ_k v_k · logit(½ + 0.49·e_k),   e_k ∈ [0, 1]
//
// so evidence of 0 or an absent one leaves the prior as it is, and strong evidence moves it.
import type { FeatureTable } from './behaviour';
import { column } from '../columns';

export const PRIOR_MIN = 0.001;
export const PRIOR_MAX = 0.999;

/** Per-feature suspicion ranks s_l (NaN where absent), same shape as the table. */
export function rankSuspicion(t: FeatureTable): Float64Array[] {
  return t.columns.map((values, k) => {
    const high = t.specs[k].high;
    const present: number[] = [];
    for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) present.push(i);
    present.sort((a, b) => values[a] - values[b]);
    const out = column(Float64Array, values.length).fill(Number.NaN);
    const n = present.length;
    for (let a = 0; a < n; ) {
      let b = a;
      while (b + 1 < n && values[present[b + 1]] === values[present[a]]) b++;
      const below = a / n;
      const eq = (b - a + 1) / n;
      const above = (n - b - 1) / n;
      const s = (high ? below : above) + eq / 2;
      for (let k2 = a; k2 <= b; k2++) out[present[k2]] = s;
      a = b + 1;
    }
    return out;
  });
}

/** Weighted soft-AND of the present ranks of row i; 0.5 when none is present. */
export function combineRanks(ranks: readonly Float64Array[], weights: readonly number[], i: number): number {
  let num = 0;
  let den = 0;
  for (let k = 0; k < ranks.length; k++) {
    const s = ranks[k][i];
    if (Number.isNaN(s) || weights[k] <= 0) continue;
    num += weights[k] * (1 - s) ** 2;
    den += weights[k];
  }
  if (den === 0) return 0.5;
  return clampPrior(1 - Math.sqrt(num / den));
}

export function clampPrior(p: number): number {
  return Math.min(PRIOR_MAX, Math.max(PRIOR_MIN, p));
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** logit(prior) plus each evidence e ∈ [0,1] with weight v; absent evidence is simply not passed. */
export function withEvidence(prior: number, evidence: readonly { e: number; v: number }[]): number {
  let lo = priorLogOdds(prior);
  for (const { e, v } of evidence) lo += evidenceLogOdds(e, v);
  return clampPrior(sigmoid(lo));
}

/** The prior's part of withEvidence: logit of the clamped prior. */
export function priorLogOdds(prior: number): number {
  return logit(clampPrior(prior));
}

/** One evidence's part of withEvidence: v · logit(½ + 0.49·e), e clamped to [0, 1]. */
export function evidenceLogOdds(e: number, v: number): number {
  return v * logit(0.5 + 0.49 * Math.min(1, Math.max(0, e)));
}
