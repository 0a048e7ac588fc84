// Probability calibration of model scores: Platt scaling (a one-feature logistic fit on
// the log-odds) and isotonic regression (pool-adjacent-violators). Both are fitted on
// data the model was not trained on.
import { fitLogistic, sigmoid } from './logistic';

export interface PlattCalibration {
  kind: 'platt';
  a: number;
  b: number;
}

export interface IsotonicCalibration {
  kind: 'isotonic';
  /** Ascending score thresholds (block upper ends) and the calibrated probability of each block. */
  x: number[];
  y: number[];
}

export type Calibration = PlattCalibration | IsotonicCalibration;

/**
 * Platt (1999): p = σ(a·s + b) fitted by maximum likelihood on (score, label) pairs, with
 * Platt's smoothed targets (N₊+1)/(N₊+2) and 1/(N₋+2) so that perfectly separated
 * calibration sets do not push a to infinity.
 */
export function fitPlatt(scores: readonly number[], labels: readonly number[]): PlattCalibration {
  const nPos = labels.reduce((s, v) => s + v, 0);
  const nNeg = labels.length - nPos;
  const hi = (nPos + 1) / (nPos + 2);
  const lo = 1 / (nNeg + 2);
  // Smoothed targets as fractional labels: each row counted as a positive with weight t and a negative with 1−t.
  const X: number[][] = [];
  const y: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const t = labels[i] === 1 ? hi : lo;
    X.push([scores[i]], [scores[i]]);
    y.push(1, 0);
    w.push(t, 1 - t);
  }
  const m = fitLogistic(X, y, { l2: 0, standardise: false, sampleWeights: w, maxIter: 100 });
  return { kind: 'platt', a: m.weights[0], b: m.intercept };
}

/** Isotonic (non-decreasing) fit of labels on scores by pool-adjacent-violators; ties pooled first. */
export function fitIsotonic(scores: readonly number[], labels: readonly number[]): IsotonicCalibration {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const blocks: { x: number; sum: number; n: number }[] = [];
  for (let k = 0; k < order.length; ) {
    let sum = 0;
    let n = 0;
    const s = scores[order[k]];
    while (k < order.length && scores[order[k]] === s) {
      sum += labels[order[k]];
      n++;
      k++;
    }
    blocks.push({ x: s, sum, n });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sum / a.n <= b.sum / b.n) break;
      blocks.splice(blocks.length - 2, 2, { x: b.x, sum: a.sum + b.sum, n: a.n + b.n });
    }
  }
  return { kind: 'isotonic', x: blocks.map((b) => b.x), y: blocks.map((b) => b.sum / b.n) };
}

export function applyCalibration(c: Calibration, score: number): number {
  if (c.kind === 'platt') return sigmoid(c.a * score + c.b);
  if (c.x.length === 0) return 0.5;
  // Step function: the first block whose upper end is ≥ score.
  let lo = 0;
  let hi = c.x.length - 1;
  if (score >= c.x[hi]) return c.y[hi];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c.x[mid] >= score) hi = mid;
    else lo = mid + 1;
  }
  return c.y[lo];
}
