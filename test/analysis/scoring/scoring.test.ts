// The account score's parts: timestamp resolution, SpEagle's features with absent values,
// rank priors, and belief propagation (exact on trees, centred on graphs).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAccountGraph } from '../../../analysis/graph/build';
import { timeResolution } from '../../../analysis/graph/resolution';
import type { DetectAccount, DetectPost } from '../../../analysis/graph/types';
import { estimateCoordinationWindow } from '../../../analysis/graph/window';
import { computeAccountScoring, repeatedCoShares, scoreAccounts } from '../../../analysis/rings/accounts';
import { buildContext } from '../../../analysis/rings/context';
import { ACCOUNT_FEATURES, behaviourFeatures, REVIEW_FEATURES, DAY_MS, gapEntropy, maxPerDay } from '../../../analysis/scoring/behaviour';
import { beliefPropagation } from '../../../analysis/scoring/lbp';
import { combineRanks, rankSuspicion, sigmoid } from '../../../analysis/scoring/prior';
import { DEFAULT_GRAPH_OPTIONS } from '../../../analysis/graph/types';

const T0 = Date.UTC(2014, 0, 1);

function review(id: string, author: string, product: string, rating: number, t: number): DetectPost {
  return { _id: id, platform: 'yelp' as never, accountId: `yelp:${author}`, author, product, rating, createdAt: new Date(t) };
}

function accountsOf(posts: readonly DetectPost[]): DetectAccount[] {
  return [...new Set(posts.map((p) => p.accountId))].map((id) => ({ _id: id, platform: 'yelp' as never, handle: id.slice(5) }));
}

const dayPosts = fc.array(
  fc.record({ author: fc.integer({ min: 0, max: 12 }), product: fc.integer({ min: 0, max: 4 }), day: fc.integer({ min: 0, max: 40 }), rating: fc.integer({ min: 1, max: 5 }) }),
  { minLength: 2, maxLength: 80 },
);

describe('timestamp resolution', () => {
  it('recognises dates, a constant offset, minutes and exact times', () => {
    const days = [0, 3, 17].map((d) => T0 + d * DAY_MS);
    expect(timeResolution(days)).toBe(DAY_MS);
    expect(timeResolution(days.map((t) => t + 5 * 3_600_000))).toBe(DAY_MS); // local midnight
    expect(timeResolution([...days, T0 + 60_000])).toBe(60_000);
    expect(timeResolution([...days, T0 + 1_234])).toBe(1);
    expect(timeResolution([T0])).toBe(1); // one time says nothing
  });

  it('day-resolution input: co-review only on the same date, bursts per date, ties share a rank (property)', () => {
    fc.assert(
      fc.property(dayPosts, (rows) => {
        const posts = rows.map((r, k) => review(`r${k}`, `u${r.author}`, `p${r.product}`, r.rating, T0 + r.day * DAY_MS));
        expect(estimateCoordinationWindow(posts, DEFAULT_GRAPH_OPTIONS, DAY_MS)).toBe(0);
        const built = buildAccountGraph(posts, accountsOf(posts));
        expect(built.resolutionMs).toBe(rows.some((r) => r.day !== rows[0].day) ? DAY_MS : 1);
        if (built.resolutionMs !== DAY_MS) return;
        // Every co-review edge joins two accounts with posts on one product on one date.
        const sameDate = new Set<string>();
        for (const x of posts) for (const y of posts) {
          if (x.accountId < y.accountId && x.product === y.product && x.createdAt.getTime() === y.createdAt.getTime()) sameDate.add(`${x.accountId}|${y.accountId}`);
        }
        built.graph.forEachEdge((_e, attr, s, t) => {
          if (attr.reasons.co_review) expect(sameDate.has(s < t ? `${s}|${t}` : `${t}|${s}`)).toBe(true);
        });
        // The same beside posts of a finer source that share no product (a crawl and a review import in one store).
        const social = [0, 1, 2].map((k): DetectPost => ({ _id: `s${k}`, platform: 'reddit' as never, accountId: `reddit:s${k}`, author: `s${k}`, createdAt: new Date(T0 + k * 4_321_000) }));
        buildAccountGraph([...posts, ...social], accountsOf([...posts, ...social])).graph.forEachEdge((_e, attr, s, t) => {
          if (attr.reasons.co_review) expect(sameDate.has(s < t ? `${s}|${t}` : `${t}|${s}`)).toBe(true);
        });
        // Most posts "within one day" is the most on one date.
        for (const acc of new Set(posts.map((p) => p.accountId))) {
          const times = posts.filter((p) => p.accountId === acc).map((p) => p.createdAt.getTime()).sort((a, b) => a - b);
          const perDate = new Map<number, number>();
          for (const t of times) perDate.set(t, (perDate.get(t) ?? 0) + 1);
          expect(maxPerDay(times, DAY_MS)).toBe(Math.max(...perDate.values()));
        }
        // Early-review ranks: posts on one date share the rank of the first of them.
        const ctx = buildContext(built.posts, built.accounts);
        const f = behaviourFeatures(ctx, () => DAY_MS);
        ctx.posts.forEach((p, i) => {
          const earlier = ctx.posts.filter((q) => q.product === p.product && q.createdAt < p.createdAt).length;
          expect(f.rank[i]).toBe(earlier + 1);
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('SpEagle features and priors', () => {
  it('a single-review account shows no burst, entropy or gaps: absent, not 0', () => {
    const posts = [review('a', 'solo', 'p', 5, T0), review('b', 'x', 'p', 3, T0 + DAY_MS), review('c', 'x', 'q', 4, T0 + 9 * DAY_MS)];
    const ctx = buildContext(posts, accountsOf(posts));
    const f = behaviourFeatures(ctx, () => DAY_MS);
    const row = ctx.accounts.findIndex((a) => a._id === 'yelp:solo');
    const value = (key: string) => f.accounts.columns[ACCOUNT_FEATURES.findIndex((s) => s.key === key)][row];
    for (const key of ['MNR', 'BST', 'ERD', 'ETG', 'AGE', 'DUP']) expect(value(key)).toBeNaN();
    expect(value('PR')).toBe(1);
    expect(value('NR')).toBe(0);
    // What it does show: one post.
    expect(value('NP')).toBe(1);
    // …and its score is made of what it shows: its indicators name only those.
    const built = buildAccountGraph(posts, accountsOf(posts));
    const scored = scoreAccounts(buildContext(built.posts, built.accounts), built.graph, new Map(), () => DAY_MS);
    const names = scored.accounts.find((s) => s.accountId === 'yelp:solo')?.indicators.map((i) => i.name) ?? [];
    expect(names).toContain('positive_ratio');
    expect(names).not.toContain('active_span');
    expect(names).not.toContain('gap_entropy');
  });

  it('the review count is a reviewer feature: absent for an account whose posts have no rating', () => {
    const posts = [review('a', 'rev', 'p', 5, T0), { ...review('b', 'poster', 'p', 5, T0), rating: undefined }];
    const ctx = buildContext(posts, accountsOf(posts));
    const f = behaviourFeatures(ctx, () => DAY_MS);
    const np = (id: string) => f.accounts.columns[ACCOUNT_FEATURES.findIndex((s) => s.key === 'NP')][ctx.accounts.findIndex((a) => a._id === id)];
    expect(np('yelp:rev')).toBe(1);
    expect(np('yelp:poster')).toBeNaN();
    // So is its review-level form, ISR: a one-post social account is not "a singleton review".
    const isr = f.reviews.columns[REVIEW_FEATURES.findIndex((s) => s.key === 'ISR')];
    expect(isr[ctx.posts.findIndex((p) => p.accountId === 'yelp:rev')]).toBe(1);
    expect(isr[ctx.posts.findIndex((p) => p.accountId === 'yelp:poster')]).toBeNaN();
  });

  it('active spans are ranked as they are: no 28-day clamp ties the long-active accounts', () => {
    const posts = [30, 60, 400].flatMap((days, k) => [review(`a${k}`, `u${k}`, 'p', 4, T0), review(`b${k}`, `u${k}`, 'q', 4, T0 + days * DAY_MS)]);
    const ctx = buildContext(posts, accountsOf(posts));
    const f = behaviourFeatures(ctx, () => DAY_MS);
    const k = ACCOUNT_FEATURES.findIndex((s) => s.key === 'BST');
    const span = (u: string) => f.accounts.columns[k][ctx.accounts.findIndex((a) => a._id === `yelp:${u}`)];
    expect([span('u0'), span('u1'), span('u2')]).toEqual([30, 60, 400]);
    const ranks = rankSuspicion(f.accounts)[k];
    const rankOf = (u: string) => ranks[ctx.accounts.findIndex((a) => a._id === `yelp:${u}`)];
    // Shorter is more suspicious, and all three are told apart.
    expect(rankOf('u0')).toBeGreaterThan(rankOf('u1'));
    expect(rankOf('u1')).toBeGreaterThan(rankOf('u2'));
  });

  it("an account's ratings count once: through its reviews, not again in its own prior", () => {
    // Two accounts alike in everything but their ratings (same dates, products, entropy 0):
    // 'loud' rates 5, 5 where the crowd rates 3; 'calm' rates 3, 3.
    const crowd = ['p', 'q'].flatMap((prod) => [0, 1, 2, 3].map((k) => review(`${prod}${k}`, `c${prod}${k}`, prod, 3, T0 + k * DAY_MS)));
    const posts = [
      ...crowd,
      review('l1', 'loud', 'p', 5, T0 + 10 * DAY_MS),
      review('l2', 'loud', 'q', 5, T0 + 12 * DAY_MS),
      review('m1', 'calm', 'p', 3, T0 + 10 * DAY_MS),
      review('m2', 'calm', 'q', 3, T0 + 12 * DAY_MS),
    ];
    const built = buildAccountGraph(posts, accountsOf(posts));
    const ctx = buildContext(built.posts, built.accounts);
    const s = computeAccountScoring(ctx, built.graph, new Map(), () => DAY_MS);
    const row = (u: string) => ctx.accounts.findIndex((a) => a._id === `yelp:${u}`);
    const value = (key: string, u: string) => s.features.accounts.columns[ACCOUNT_FEATURES.findIndex((f) => f.key === key)][row(u)];
    // The summaries are computed and differ…
    expect(value('avgRD', 'loud')).toBeGreaterThan(value('avgRD', 'calm'));
    expect(value('PR', 'loud')).toBe(1);
    // …but the priors are equal: the ratings are the reviews' evidence…
    expect(s.accountPriors[row('loud')]).toBe(s.accountPriors[row('calm')]);
    // …and reach the account through them: the deviant, extreme ratings score higher.
    expect(s.fromReviews[row('loud')]).toBeGreaterThan(s.fromReviews[row('calm')]);
    expect(s.logOdds[row('loud')]).toBeGreaterThan(s.logOdds[row('calm')]);
    // Shown with the account, saying they are not counted on their own.
    const scored = scoreAccounts(ctx, built.graph, new Map(), () => DAY_MS);
    const pr = scored.accounts.find((a) => a.accountId === 'yelp:loud')?.indicators.find((i) => i.name === 'positive_ratio');
    expect(pr?.explanation).toMatch(/not counted on its own/);
  });

  it("each account's feature sentences show its own values (property)", () => {
    // The values as the sentences round them; dates only, so the sentences say so.
    fc.assert(
      fc.property(dayPosts, (rows) => {
        const posts = rows.map((r, k) => review(`r${k}`, `u${r.author}`, `p${r.product}`, r.rating, T0 + r.day * DAY_MS));
        const built = buildAccountGraph(posts, accountsOf(posts));
        const ctx = buildContext(built.posts, built.accounts, built);
        const s = computeAccountScoring(ctx, built.graph, new Map(), () => DAY_MS);
        const { accounts } = scoreAccounts(ctx, built.graph, new Map(), () => DAY_MS);
        const column = (name: string) => s.features.accounts.columns[ACCOUNT_FEATURES.findIndex((f) => f.name === name)];
        for (const a of accounts) {
          const row = ctx.accountIndex.get(a.accountId) as number;
          const said = (name: string) => a.indicators.find((i) => i.name === name)?.explanation;
          expect(said('post_count')).toContain(`It wrote ${column('post_count')[row]} review(s)`);
          const most = column('max_posts_per_day')[row];
          if (!Number.isNaN(most)) expect(said('max_posts_per_day')).toBe(`Up to ${most} post(s) within one day (dates only: on one date).`);
          const span = column('active_span')[row];
          if (!Number.isNaN(span)) expect(said('active_span')).toContain(`within ${Math.round(span)} day(s) (dates only)`);
          expect(said('positive_ratio')).toContain(`${Math.round(column('positive_ratio')[row] * 100)} % of its ratings`);
          const gaps = column('gap_entropy')[row];
          if (!Number.isNaN(gaps)) expect(said('gap_entropy')).toContain(`: ${Math.round(gaps * 100) / 100} bits`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('absent indicators do not move a prior (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 2, maxLength: 30 }), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), (xs, absent) => {
        const present = { specs: [{ key: 'X', name: 'x', high: true }], columns: [Float64Array.from(xs)] };
        const ranks = rankSuspicion(present);
        const withAbsent = [...ranks, Float64Array.from(xs, (_x, i) => (absent[i] ? Number.NaN : 0.9))];
        xs.forEach((_x, i) => {
          if (absent[i]) expect(combineRanks(withAbsent, [1, 1], i)).toBe(combineRanks(ranks, [1], i));
        });
      }),
    );
  });

  it('ranks share ties and do not depend on input order', () => {
    const t = { specs: [{ key: 'X', name: 'x', high: true }], columns: [Float64Array.from([1, 2, 2, 3])] };
    expect(Array.from(rankSuspicion(t)[0])).toEqual([0.125, 0.5, 0.5, 0.875]);
    const low = { specs: [{ key: 'X', name: 'x', high: false }], columns: [Float64Array.from([3, 2, 1, 2])] };
    expect(Array.from(rankSuspicion(low)[0])).toEqual([0.125, 0.5, 0.875, 0.5]);
    expect(gapEntropy([T0])).toBeNaN();
    expect(gapEntropy([T0, T0 + 40 * DAY_MS])).toBeNaN(); // gaps of 33 days or more are dropped
    expect(gapEntropy([T0, T0 + DAY_MS, T0 + 10 * DAY_MS])).toBeCloseTo(1, 10);
  });
});

describe('belief propagation', () => {
  // On a tree loopy BP is exact: compare with enumerating all 2^n labelings.
  it('equals exact marginals on random trees (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }).chain((n) =>
          fc.record({
            priors: fc.array(fc.double({ min: 0.05, max: 0.95, noNaN: true }), { minLength: n, maxLength: n }),
            parents: fc.tuple(...Array.from({ length: n - 1 }, (_v, i) => fc.integer({ min: 0, max: i }))),
            eps: fc.array(fc.double({ min: 0.05, max: 0.45, noNaN: true }), { minLength: n - 1, maxLength: n - 1 }),
          }),
        ),
        ({ priors, parents, eps }) => {
          const n = priors.length;
          const a = Int32Array.from(parents);
          const b = Int32Array.from(parents.map((_p, i) => i + 1));
          const res = beliefPropagation(Float64Array.from(priors), { a, b, eps: Float64Array.from(eps) }, { maxIterations: 50, tolerance: 1e-12, damping: 0 });
          const marg = new Array(n).fill(0);
          let z = 0;
          for (let mask = 0; mask < 1 << n; mask++) {
            let w = 1;
            for (let i = 0; i < n; i++) w *= (mask >> i) & 1 ? priors[i] : 1 - priors[i];
            for (let e = 0; e < n - 1; e++) w *= ((mask >> a[e]) & 1) === ((mask >> b[e]) & 1) ? 1 - eps[e] : eps[e];
            z += w;
            for (let i = 0; i < n; i++) if ((mask >> i) & 1) marg[i] += w;
          }
          for (let i = 0; i < n; i++) expect(sigmoid(res.logOdds[i])).toBeCloseTo(marg[i] / z, 6);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is centred: a benign neighbour lowers a score, a suspicious one raises it', () => {
    const edges = { a: Int32Array.from([0]), b: Int32Array.from([1]), eps: Float64Array.from([0.2]) };
    const lowered = beliefPropagation(Float64Array.from([0.6, 0.1]), edges);
    const raised = beliefPropagation(Float64Array.from([0.6, 0.9]), edges);
    expect(sigmoid(lowered.logOdds[0])).toBeLessThan(0.6);
    expect(sigmoid(raised.logOdds[0])).toBeGreaterThan(0.6);
  });

  it('an account among benign co-actors scores lower than alone', () => {
    // One account co-reviews (same product, same date) with three long-standing, still
    // active reviewers with moderate ratings: a benign neighbourhood.
    const posts: DetectPost[] = [];
    for (let k = 0; k < 6; k++) {
      posts.push(review(`s${k}`, 'target', `p${k}`, 5, T0 + k * DAY_MS));
      for (let j = 0; j < 3; j++) posts.push(review(`b${k}${j}`, `benign${j}`, `p${k}`, 4, T0 + k * DAY_MS));
    }
    for (let j = 0; j < 3; j++) for (let m = 0; m < 12; m++) posts.push(review(`q${j}${m}`, `benign${j}`, `q${m}`, 3 + ((j + m) % 2), T0 + (30 + m * 50 + j) * DAY_MS));
    const built = buildAccountGraph(posts, accountsOf(posts), { edgeQuantile: 0, minEdgeWeight: 0 });
    const ctx = buildContext(built.posts, built.accounts);
    const row = ctx.accounts.findIndex((a) => a._id === 'yelp:target');
    const withGraph = computeAccountScoring(ctx, built.graph, new Map(), () => DAY_MS);
    const empty = buildAccountGraph(posts, accountsOf(posts), { edgeQuantile: 0, minEdgeWeight: 1e9 });
    const alone = computeAccountScoring(ctx, empty.graph, new Map(), () => DAY_MS);
    expect(built.graph.degree('yelp:target')).toBeGreaterThan(0);
    expect(withGraph.fromNeighbours[row]).not.toBe(0);
    expect(withGraph.fromNeighbours[row]).toBeLessThan(0);
    expect(withGraph.logOdds[row]).toBeLessThan(alone.logOdds[row]);
  });
});

describe('co-share evidence', () => {
  it('repeated co-shares raise an account and say so; an account without them has no co_share indicator', () => {
    const share = (id: string, author: string, object: string, t: number): DetectPost => ({ _id: id, platform: 'x' as never, accountId: `x:${author}`, author, createdAt: new Date(t), objects: [object] });
    const posts: DetectPost[] = [];
    for (let k = 0; k < 4; k++) {
      posts.push(share(`a${k}`, 'a', `url:${k}`, T0 + k * 3_600_000), share(`b${k}`, 'b', `url:${k}`, T0 + k * 3_600_000 + 3_000));
      posts.push(share(`c${k}`, 'c', `url:c${k}`, T0 + k * 3_600_000 + 60_000));
    }
    const accounts = [...new Set(posts.map((p) => p.accountId))].map((id) => ({ _id: id, platform: 'x' as never, handle: id.slice(2) }));
    const built = buildAccountGraph(posts, accounts, { edgeQuantile: 0 });
    const { accounts: scored } = scoreAccounts(buildContext(built.posts, built.accounts), built.graph, new Map());
    const a = scored.find((s) => s.accountId === 'x:a');
    const c = scored.find((s) => s.accountId === 'x:c');
    expect(a?.indicators.find((i) => i.name === 'co_share')?.value).toBeGreaterThan(1);
    expect(c?.indicators.some((i) => i.name === 'co_share')).toBe(false);
    expect(a?.own ?? 0).toBeGreaterThan(c?.own ?? 1);
  });

  it('counts a partner’s first co-share half and repeats in full: two with one account beat lone ones with three', () => {
    expect([0, 0.5, 1, 2, 3].map(repeatedCoShares)).toEqual([0, 0.125, 0.5, 2, 3]);
    const share = (id: string, author: string, object: string, t: number): DetectPost => ({ _id: id, platform: 'x' as never, accountId: `x:${author}`, author, createdAt: new Date(t), objects: [object] });
    const posts: DetectPost[] = [];
    // `pair` co-shares twice with `mate`; `hub` once each with three accounts (3 lone occasions).
    for (let k = 0; k < 2; k++) posts.push(share(`p${k}`, 'pair', `url:p${k}`, T0 + k * 3_600_000), share(`m${k}`, 'mate', `url:p${k}`, T0 + k * 3_600_000 + 2_000));
    for (let k = 0; k < 3; k++) posts.push(share(`h${k}`, 'hub', `url:h${k}`, T0 + (5 + k) * 3_600_000), share(`o${k}`, `other${k}`, `url:h${k}`, T0 + (5 + k) * 3_600_000 + 2_000));
    const accounts = [...new Set(posts.map((p) => p.accountId))].map((id) => ({ _id: id, platform: 'x' as never, handle: id.slice(2) }));
    const built = buildAccountGraph(posts, accounts, { edgeQuantile: 0, minEdgeWeight: 0 });
    const { accounts: scored } = scoreAccounts(buildContext(built.posts, built.accounts), built.graph, new Map());
    const by = (id: string) => scored.find((s) => s.accountId === `x:${id}`);
    const coShare = (id: string) => by(id)?.indicators.find((i) => i.name === 'co_share');
    expect(coShare('pair')?.value).toBeCloseTo(2, 6);
    expect(coShare('hub')?.value).toBeCloseTo(3, 6);
    expect(coShare('pair')?.score ?? 0).toBeGreaterThan(coShare('hub')?.score ?? 1);
    expect(coShare('hub')?.explanation).toMatch(/3 occasion\(s\) .*counted as 1\.5: a partner's first co-share counts half/);
    expect(coShare('pair')?.explanation).not.toMatch(/counted as/); // nothing discounted, nothing said
    expect(by('pair')?.own ?? 0).toBeGreaterThan(by('hub')?.own ?? 1);
  });
});
