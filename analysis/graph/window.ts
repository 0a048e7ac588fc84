// The co-review window Δ, estimated from the data as CooRnet estimates its "coordination
// interval": a low quantile of the time between consecutive posts on the same product.
// Coordinated accounts post faster than the crowd, so the fast tail marks them.
import { postProducts } from './products';
import type { DetectPost, GraphOptions } from './types';

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Δ in ms: the `windowQuantile` of same-product inter-arrival gaps, clamped to [min, max].
 * Times known only to `resolutionMs` (e.g. dates without a time) cannot show a gap finer
 * than that: when the resolution is at least the largest Δ allowed, Δ is 0 — co-action
 * means "at the same time as the source can tell it" (the same date) — instead of the
 * clamp, which would pair reviews a day apart; otherwise Δ is at least one unit.
 */
export function estimateCoordinationWindow(
  posts: readonly DetectPost[],
  opts: Pick<GraphOptions, 'windowQuantile' | 'minWindowMs' | 'maxWindowMs'>,
  resolutionMs = 1,
): number {
  if (resolutionMs >= opts.maxWindowMs) return 0;
  const times = new Map<string, number[]>();
  for (const p of posts) {
    for (const prod of postProducts(p)) {
      let list = times.get(prod);
      if (!list) {
        list = [];
        times.set(prod, list);
      }
      list.push(p.createdAt.getTime());
    }
  }
  const gaps: number[] = [];
  for (const list of times.values()) {
    list.sort((a, b) => a - b);
    for (let i = 1; i < list.length; i++) gaps.push(list[i] - list[i - 1]);
  }
  if (gaps.length === 0) return opts.maxWindowMs;
  gaps.sort((a, b) => a - b);
  const q = quantile(gaps, opts.windowQuantile);
  return Math.min(opts.maxWindowMs, Math.max(opts.minWindowMs, resolutionMs, q));
}
