// Small helpers every stage of the world generator uses.
import type { Rng } from '../rng';

/** Creation time with a daily rhythm: fewer posts at night (UTC-ish audience). */
export function dayTime(rng: Rng, from: number, to: number): number {
  for (let i = 0; i < 20; i++) {
    const t = rng.float(from, to);
    const h = new Date(t).getUTCHours();
    const w = 0.35 + 0.65 * Math.sin(((h - 6) / 24) * Math.PI) ** 2;
    if (rng.next() < w) return Math.floor(t);
  }
  return Math.floor(rng.float(from, to));
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// Cumulative weights for fast weighted picks at scale.
export function cumulative(w: number[]): Float64Array {
  const out = new Float64Array(w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    s += w[i];
    out[i] = s;
  }
  return out;
}
export function pickCum<T>(rng: Rng, items: T[], cum: Float64Array): T {
  const r = rng.next() * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return items[lo];
}
