// Account scores for every account in the window, in the spirit of SpEagle (Rayana &
// Akoglu, KDD 2015): each account's own behaviour, then propagated over the account
// graph, then lifted by the ring it belongs to.
//
//   own   = weighted mean of the behaviour indicators present (OWN_WEIGHTS)
//   nbr_t = Σ_e w_e · s_{t-1}(neighbour) / Σ_e w_e,  s_0 = own,  2 rounds
//   reach = 1 − exp(−W / 2), W = the account's weighted degree
//   s     = 1 − (1 − 0.55·own) · (1 − 0.45·reach·nbr) · (1 − 0.9·ring)
//
// where ring is the score of the reported ring the account belongs to (0 if none). An
// account that posted once, alone, is still scored on its own behaviour; one that posted
// once in lock-step with a ring gets its neighbours' and the ring's weight.
import type { Indicator } from '../../storage/types';
import type { AccountGraph } from '../graph/build';
import { clamp01, DAY_MS, type DetectionContext, round, weightedScore } from './context';

export const OWN_WEIGHTS: Readonly<Record<string, number>> = {
  rating_extremity: 0.5,
  rating_deviation: 1,
  burstiness: 1,
  review_count: 0.5,
  early_reviews: 0.5,
  one_product_focus: 0.5,
  account_age: 1,
  duplicate_text: 1.5,
  sentiment_extremity: 0.3,
};

export interface AccountScore {
  accountId: string;
  score: number;
  own: number;
  ringId?: string;
  indicators: Indicator[];
  evidencePosts: string[];
}

export interface OwnBehaviour {
  own: number;
  indicators: Indicator[];
  evidencePosts: string[];
}

/** The account's own behaviour indicators. `duplicates` = near-duplicate weight on its edges. */
export function ownBehaviour(accountId: string, ctx: DetectionContext, duplicates: number): OwnBehaviour {
  const idx = ctx.postsByAccount.get(accountId) ?? [];
  const posts = idx.map((i) => ctx.posts[i]);
  const out: Indicator[] = [];
  const evidence = new Set<string>();
  const rated = posts.filter((p) => p.rating !== undefined);

  if (rated.length > 0) {
    const extreme = rated.filter((p) => p.rating === 1 || p.rating === 5).length;
    out.push({
      name: 'rating_extremity',
      value: round(extreme / rated.length),
      score: extreme / rated.length,
      explanation: `${extreme} of ${rated.length} ratings are 1 or 5 stars.`,
    });
    let dev = 0;
    let n = 0;
    let worst: { id: string; d: number } | undefined;
    idx.forEach((i) => {
      const p = ctx.posts[i];
      if (p.rating === undefined) return;
      for (const prod of ctx.productsOfPost[i]) {
        const st = ctx.products.get(prod);
        if (!st || st.ratingCount < 2) continue;
        const others = (st.ratingSum - p.rating) / (st.ratingCount - 1);
        const d = Math.abs(p.rating - others);
        dev += d;
        n++;
        if (!worst || d > worst.d) worst = { id: p._id, d };
      }
    });
    if (n > 0) {
      const v = dev / n;
      out.push({
        name: 'rating_deviation',
        value: round(v, 2),
        score: clamp01(v / 2.5),
        explanation: `Ratings differ from other reviewers of the same products by ${round(v, 1)} stars on average.`,
      });
      if (worst && worst.d >= 2) evidence.add(worst.id);
    }
  }

  // Burstiness: most posts within any one hour.
  let maxHour = posts.length > 0 ? 1 : 0;
  for (let a = 0, b = 0; b < posts.length; b++) {
    while (posts[b].createdAt.getTime() - posts[a].createdAt.getTime() > 3_600_000) a++;
    maxHour = Math.max(maxHour, b - a + 1);
  }
  out.push({
    name: 'burstiness',
    value: maxHour,
    score: clamp01((maxHour - 1) / 3),
    explanation: `Up to ${maxHour} post(s) within one hour.`,
  });

  out.push({
    name: 'review_count',
    value: posts.length,
    score: clamp01(Math.log2(Math.max(1, posts.length)) / 4),
    explanation: `${posts.length} post(s) in the window.`,
  });

  // Early reviews: share of posts among the first 10% of a product's posts.
  let early = 0;
  let onProducts = 0;
  idx.forEach((i) => {
    for (const prod of ctx.productsOfPost[i]) {
      const st = ctx.products.get(prod);
      if (!st || st.posts.length < 5) continue;
      onProducts++;
      const rank = st.posts.indexOf(i);
      if (rank < Math.max(1, Math.ceil(st.posts.length * 0.1))) {
        early++;
        evidence.add(ctx.posts[i]._id);
      }
    }
  });
  if (onProducts > 0) {
    out.push({
      name: 'early_reviews',
      value: early,
      score: early / onProducts,
      explanation: `${early} of ${onProducts} product posts are among the first 10% on that product.`,
    });
  }

  if (posts.length >= 2) {
    const count = new Map<string, number>();
    for (const i of idx) for (const p of ctx.productsOfPost[i]) count.set(p, (count.get(p) ?? 0) + 1);
    const top = Math.max(0, ...count.values());
    out.push({
      name: 'one_product_focus',
      value: round(top / posts.length),
      score: clamp01(top / posts.length),
      explanation: `${top} of ${posts.length} posts are about the same product.`,
    });
  }

  const acc = ctx.accountById.get(accountId);
  if (acc?.createdAt && posts.length > 0) {
    const ageDays = (posts[0].createdAt.getTime() - acc.createdAt.getTime()) / DAY_MS;
    out.push({
      name: 'account_age',
      value: round(ageDays, 1),
      score: clamp01(1 - ageDays / 365),
      explanation: `The account was ${Math.max(0, Math.round(ageDays))} day(s) old at its first post in the window.`,
    });
  }

  const withText = posts.filter((p) => (p.text && p.text.trim()) || (p.title && p.title.trim()));
  if (withText.length > 0) {
    out.push({
      name: 'duplicate_text',
      value: round(duplicates, 2),
      score: clamp01(duplicates / withText.length),
      explanation: `Near-duplicate text shared with other accounts: ${round(duplicates, 1)} post pair(s) for ${withText.length} post(s) with text.`,
    });
    const sents = withText.map((p) => p.enrichment?.sentiment).filter((s): s is number => s !== undefined);
    if (sents.length > 0) {
      const v = sents.reduce((a, s) => a + Math.abs(s), 0) / sents.length;
      out.push({
        name: 'sentiment_extremity',
        value: round(v),
        score: clamp01(v),
        explanation: `Average absolute sentiment of ${round(v, 2)} (−1..1 scale).`,
      });
    }
  }
  return { own: weightedScore(out, OWN_WEIGHTS), indicators: out, evidencePosts: [...evidence] };
}

export function scoreAccounts(
  ctx: DetectionContext,
  graph: AccountGraph,
  ringOf: ReadonlyMap<string, { ringId: string; score: number }>,
  rounds = 2,
): AccountScore[] {
  const own = new Map<string, OwnBehaviour>();
  for (const a of ctx.accounts) {
    let dup = 0;
    if (graph.hasNode(a._id)) graph.forEachEdge(a._id, (_e, attr) => (dup += attr.reasons.near_duplicate ?? 0));
    own.set(a._id, ownBehaviour(a._id, ctx, dup));
  }
  let current = new Map<string, number>();
  for (const [id, o] of own) current.set(id, o.own);
  const nbrOf = new Map<string, { nbr: number; reach: number; top: { id: string; w: number; posts: string[] }[] }>();
  for (let r = 0; r < rounds; r++) {
    const next = new Map<string, number>();
    for (const a of ctx.accounts) {
      const o = own.get(a._id) as OwnBehaviour;
      let sw = 0;
      let s = 0;
      const top: { id: string; w: number; posts: string[] }[] = [];
      if (graph.hasNode(a._id)) {
        graph.forEachEdge(a._id, (_e, attr, src, tgt) => {
          const other = src === a._id ? tgt : src;
          sw += attr.weight;
          s += attr.weight * (current.get(other) ?? 0);
          top.push({ id: other, w: attr.weight, posts: attr.posts });
        });
      }
      const nbr = sw > 0 ? s / sw : 0;
      const reach = 1 - Math.exp(-sw / 2);
      const ring = ringOf.get(a._id)?.score ?? 0;
      next.set(a._id, combine(o.own, nbr, reach, ring));
      if (r === rounds - 1) nbrOf.set(a._id, { nbr, reach, top: top.sort((x, y) => y.w - x.w || (x.id < y.id ? -1 : 1)).slice(0, 3) });
    }
    current = next;
  }

  return ctx.accounts.map((a) => {
    const o = own.get(a._id) as OwnBehaviour;
    const nb = nbrOf.get(a._id) ?? { nbr: 0, reach: 0, top: [] };
    const ring = ringOf.get(a._id);
    const indicators = [...o.indicators];
    indicators.push({
      name: 'neighbourhood',
      value: round(nb.nbr),
      score: round(nb.nbr * nb.reach),
      explanation:
        nb.top.length > 0
          ? `Linked by co-actions to ${nb.top.length === 3 ? 'at least 3' : nb.top.length} account(s) (e.g. ${nb.top.map((t) => t.id).join(', ')}) whose mean suspicion is ${round(nb.nbr, 2)}.`
          : 'No co-action links to other accounts in the window.',
    });
    if (ring) {
      indicators.push({
        name: 'ring_membership',
        value: round(ring.score),
        score: round(ring.score),
        explanation: `Member of ring ${ring.ringId} (ring score ${round(ring.score, 2)}).`,
      });
    }
    const evidencePosts = [...new Set([...nb.top.flatMap((t) => t.posts).filter((id) => ctx.postsByAccount.has(a._id) && isOwnPost(ctx, a._id, id)), ...o.evidencePosts])].slice(0, 10);
    return {
      accountId: a._id,
      score: round(current.get(a._id) ?? o.own, 4),
      own: round(o.own, 4),
      ringId: ring?.ringId,
      indicators,
      evidencePosts,
    };
  });
}

export function combine(own: number, nbr: number, reach: number, ring: number): number {
  return clamp01(1 - (1 - 0.55 * own) * (1 - 0.45 * reach * nbr) * (1 - 0.9 * ring));
}

function isOwnPost(ctx: DetectionContext, accountId: string, postId: string): boolean {
  for (const i of ctx.postsByAccount.get(accountId) ?? []) if (ctx.posts[i]._id === postId) return true;
  return false;
}
