// Merging the parts of one campaign. A large ring can come out of Louvain as two or three
// groups with few or no edges between them (each member pairs only with its next
// neighbours in a crowded bucket, and the ring's own wave discounts its co-reviews). The
// parts still carry the campaign's signature: they push the same products in the same
// time window. A part joins a ring when
//   - they share most of their support products (Jaccard ≥ minProductJaccard),
//   - their posts on those products overlap in time (some pair within `overlapMs`),
//   - the part looks coordinated on its own (its ring score ≥ minPartScore), and
//   - the merged group still scores as a ring.
// Groups are indexed by product, so a ring only looks at groups on its own products.
import type { GroupFacts } from './indicators';
import type { DetectionContext } from './context';

export interface MergeOptions {
  minProductJaccard: number;
  overlapMs: number;
  minPartScore: number;
}

export const DEFAULT_MERGE_OPTIONS: MergeOptions = { minProductJaccard: 0.5, overlapMs: 12 * 3_600_000, minPartScore: 0.5 };

export interface MergeGroup {
  members: string[];
  score: number;
  isRing: boolean;
  facts: GroupFacts;
}

export function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 0;
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const x of sb) if (sa.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

/** True when some post of `x` and some post of `y` on a common product are within `overlapMs`. */
export function overlapInTime(x: GroupFacts, y: GroupFacts, ctx: DetectionContext, overlapMs: number): boolean {
  const common = new Set(x.products.filter((p) => y.products.includes(p)));
  const times = (f: GroupFacts) =>
    f.posts
      .filter((i) => ctx.productsOfPost[i].some((p) => common.has(p)))
      .map((i) => ctx.posts[i].createdAt.getTime())
      .sort((a, b) => a - b);
  const tx = times(x);
  const ty = times(y);
  // Two sorted lists: advance the earlier one (linear).
  let i = 0;
  let j = 0;
  while (i < tx.length && j < ty.length) {
    if (Math.abs(tx[i] - ty[j]) <= overlapMs) return true;
    if (tx[i] < ty[j]) i++;
    else j++;
  }
  return false;
}

/**
 * Parts of `groups` (indices) that carry ring `r`'s signature, best product overlap first.
 * `byProduct` maps a product to the indices of the groups that support it.
 */
export function signatureParts(
  r: number,
  groups: readonly MergeGroup[],
  byProduct: ReadonlyMap<string, number[]>,
  ctx: DetectionContext,
  options: Partial<MergeOptions> = {},
): number[] {
  const opts = { ...DEFAULT_MERGE_OPTIONS, ...options };
  const ring = groups[r];
  const seen = new Set<number>([r]);
  const out: { g: number; j: number }[] = [];
  for (const p of ring.facts.products) {
    for (const g of byProduct.get(p) ?? []) {
      if (seen.has(g)) continue;
      seen.add(g);
      const part = groups[g];
      if (part.score < opts.minPartScore) continue;
      const j = jaccard(ring.facts.products, part.facts.products);
      if (j < opts.minProductJaccard) continue;
      if (!overlapInTime(ring.facts, part.facts, ctx, opts.overlapMs)) continue;
      out.push({ g, j });
    }
  }
  return out.sort((x, y) => y.j - x.j || x.g - y.g).map((x) => x.g);
}
