// The co-review window Δ, estimated from the data as CooRnet estimates its "coordination
// interval": a low quantile of the time between consecutive posts on the same product.
// Coordinated accounts post faster than the crowd, so the fast tail marks them.
import { postProducts } from './products';
import type { DetectPost, GraphOptions } from './types';
import { column } from '../columns';

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Δ in ms: the `windowQuantile` of same-product inter-arrival gaps, clamped to [min, max];
 * 0 when no product has two posts (nothing to pair).
 * Times known only to `resolutionMs` (e.g. dates without a time) cannot show a gap finer
 * than that: when the resolution is at least the largest Δ allowed, Δ is 0 — co-action
 * means "at the same time as the source can tell it" (the same date) — instead of the
 * clamp, which would pair reviews a day apart; otherwise Δ is at least one unit.
 */
export function estimateCoordinationWindow(
  posts: readonly DetectPost[],
  opts: Pick<GraphOptions, 'windowQuantile' | 'minWindowMs' | 'maxWindowMs'>,
  resolutionMs = 1,
  /** postProducts of each post, when the caller has them already (same order as posts). */
  productsOf?: readonly (readonly string[])[],
): number {
  if (resolutionMs >= opts.maxWindowMs) return 0;
  const times = new Map<string, number[]>();
  for (let i = 0; i < posts.length; i++) {
    const p = posts[i];
    for (const prod of productsOf ? productsOf[i] : postProducts(p)) {
      let list = times.get(prod);
      if (!list) {
        list = [];
        times.set(prod, list);
      }
      list.push(p.createdAt.getTime());
    }
  }
  let n = 0;
  for (const list of times.values()) n += list.length - 1;
  // No product with two posts: these posts make no co-review, so no Δ is needed (0). The clamp
  // here was the Δ of every other source's co-reviews too, and paired date-only reviews a day
  // apart beside a crawl whose posts shared no product.
  if (n === 0) return 0;
  // Typed arrays sort numerically without a comparator call per comparison.
  const gaps = column(Float64Array, n);
  let k = 0;
  for (const list of times.values()) {
    const sorted = Float64Array.from(list).sort();
    for (let i = 1; i < sorted.length; i++) gaps[k++] = sorted[i] - sorted[i - 1];
  }
  gaps.sort();
  const q = quantile(gaps, opts.windowQuantile);
  return Math.min(opts.maxWindowMs, Math.max(opts.minWindowMs, resolutionMs, q));
}
