// Ranking and calibration metrics for scores against 0/1 labels.
// No maintained JS package does these (DESIGN.md §6), so they live here, small and tested.
// Every ranking metric is tie-correct: tied scores count as one threshold, so the result
// does not depend on the order of the input arrays.

export type Label = number | boolean;

function toBinary(labels: readonly Label[]): number[] {
  return labels.map((l, i) => {
    const v = typeof l === 'boolean' ? (l ? 1 : 0) : l;
    if (v !== 0 && v !== 1) throw new Error(`label at index ${i} is ${String(l)}; expected 0/1 or boolean`);
    return v;
  });
}

function checkLengths(scores: readonly number[], labels: readonly Label[]): void {
  if (scores.length !== labels.length) {
    throw new Error(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new Error(`score at index ${i} is not a finite number`);
  }
}

/** Indices sorted by score descending, ties kept together (stable by index). */
function descending(scores: readonly number[]): number[] {
  return scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
}

/**
 * Area under the ROC curve = probability that a random positive outranks a random
 * negative, ties counting one half (Mann–Whitney U with mid-ranks).
 * NaN when there are no positives or no negatives.
 */
export function rocAuc(scores: readonly number[], labels: readonly Label[]): number {
  checkLengths(scores, labels);
  const y = toBinary(labels);
  const nPos = y.reduce((s, v) => s + v, 0);
  const nNeg = y.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1; // 1-based mid-rank of the tie group
    for (let k = i; k <= j; k++) if (y[order[k]] === 1) rankSumPos += midRank;
    i = j + 1;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Average precision: Σ over distinct score thresholds of (recall gain) × precision at that
 * threshold (the step-wise PR-AUC, as scikit-learn computes it). NaN without positives.
 */
export function averagePrecision(scores: readonly number[], labels: readonly Label[]): number {
  checkLengths(scores, labels);
  const y = toBinary(labels);
  const nPos = y.reduce((s, v) => s + v, 0);
  if (nPos === 0) return Number.NaN;
  const order = descending(scores);
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    let groupTp = 0;
    for (let k = i; k <= j; k++) groupTp += y[order[k]];
    tp += groupTp;
    seen += j - i + 1;
    if (groupTp > 0) ap += (groupTp / nPos) * (tp / seen);
    i = j + 1;
  }
  return ap;
}

/** Expected number of positives among the top k when ties at the cut are broken at random. */
function positivesInTopK(scores: readonly number[], y: readonly number[], k: number): number {
  const order = descending(scores);
  const kk = Math.min(Math.max(0, Math.floor(k)), order.length);
  if (kk === 0) return 0;
  const cut = scores[order[kk - 1]];
  let above = 0;
  let groupSize = 0;
  let groupPos = 0;
  let takenAbove = 0;
  for (const i of order) {
    if (scores[i] > cut) {
      above += y[i];
      takenAbove++;
    } else if (scores[i] === cut) {
      groupSize++;
      groupPos += y[i];
    }
  }
  const slots = kk - takenAbove;
  return above + (groupPos * slots) / groupSize;
}

/** Fraction of positives among the k highest scores (ties at the cut shared pro rata). */
export function precisionAtK(scores: readonly number[], labels: readonly Label[], k: number): number {
  checkLengths(scores, labels);
  const y = toBinary(labels);
  const kk = Math.min(Math.max(0, Math.floor(k)), y.length);
  if (kk === 0) return Number.NaN;
  return positivesInTopK(scores, y, kk) / kk;
}

/** Fraction of all positives found among the k highest scores (ties shared pro rata). */
export function recallAtK(scores: readonly number[], labels: readonly Label[], k: number): number {
  checkLengths(scores, labels);
  const y = toBinary(labels);
  const nPos = y.reduce((s, v) => s + v, 0);
  if (nPos === 0) return Number.NaN;
  return positivesInTopK(scores, y, k) / nPos;
}

/** Mean squared error of probabilities against 0/1 outcomes (lower is better). */
export function brierScore(probs: readonly number[], labels: readonly Label[]): number {
  checkLengths(probs, labels);
  const y = toBinary(labels);
  if (y.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (probs[i] - y[i]) ** 2;
  return s / y.length;
}

export interface CalibrationBin {
  /** 0-based bin index; bin b covers [b/bins, (b+1)/bins), the last one includes 1. */
  bin: number;
  lower: number;
  upper: number;
  /** Mean predicted probability in the bin. */
  predicted: number;
  /** Observed fraction of positives in the bin. */
  observed: number;
  count: number;
}

/**
 * Reliability table with `bins` equal-width bins over [0, 1]. Empty bins are left out
 * (their means are undefined, and NaN cannot be stored).
 */
export function calibrationTable(probs: readonly number[], labels: readonly Label[], bins = 10): CalibrationBin[] {
  checkLengths(probs, labels);
  const y = toBinary(labels);
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`bins must be a positive integer, got ${bins}`);
  const sumP = new Array<number>(bins).fill(0);
  const sumY = new Array<number>(bins).fill(0);
  const count = new Array<number>(bins).fill(0);
  for (let i = 0; i < y.length; i++) {
    const p = Math.min(1, Math.max(0, probs[i]));
    const b = Math.min(bins - 1, Math.floor(p * bins));
    sumP[b] += probs[i];
    sumY[b] += y[i];
    count[b]++;
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    out.push({
      bin: b,
      lower: b / bins,
      upper: (b + 1) / bins,
      predicted: sumP[b] / count[b],
      observed: sumY[b] / count[b],
      count: count[b],
    });
  }
  return out;
}
