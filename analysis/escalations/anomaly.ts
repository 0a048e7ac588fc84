// Anomaly score for customers nobody has labelled: robust z-scores (median and MAD) of
// behaviour features, so that one extreme customer cannot hide by inflating the spread.

export interface RobustStats {
  median: number[];
  /** Scale: 1.4826·MAD (consistent with σ for normal data); falls back to 1.2533·mean absolute deviation, then 1. */
  scale: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function robustStats(rows: readonly number[][]): RobustStats {
  const d = rows[0]?.length ?? 0;
  const med: number[] = [];
  const scale: number[] = [];
  for (let j = 0; j < d; j++) {
    const col = rows.map((r) => r[j]);
    const m = median(col);
    const dev = col.map((v) => Math.abs(v - m));
    const mad = median(dev);
    let s = 1.4826 * mad;
    if (!(s > 1e-12)) {
      const meanAbs = dev.reduce((a, b) => a + b, 0) / Math.max(1, dev.length);
      s = meanAbs > 1e-12 ? 1.2533 * meanAbs : 1;
    }
    med.push(m);
    scale.push(s);
  }
  return { median: med, scale };
}

export function robustZ(x: readonly number[], stats: RobustStats): number[] {
  return x.map((v, j) => (v - stats.median[j]) / stats.scale[j]);
}

/**
 * 0–1 anomaly score: the largest upward robust z over the features (only "more than usual"
 * is suspicious: more refunds, more claims), squashed as z/(z+3), so z = 3 → 0.5.
 * Returns the score and the feature that drove it.
 */
export function anomalyScore(x: readonly number[], stats: RobustStats): { score: number; feature: number; z: number } {
  const z = robustZ(x, stats);
  let best = 0;
  let feature = -1;
  for (let j = 0; j < z.length; j++) {
    if (z[j] > best) {
      best = z[j];
      feature = j;
    }
  }
  return { score: best / (best + 3), feature, z: best };
}
