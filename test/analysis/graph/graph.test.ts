import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAccountGraph, indexAccounts, sortByPair } from '../../../analysis/graph/build';
import { crowdDiscount, minhashJaccard, ratingAgreement } from '../../../analysis/graph/coactions';
import { minhashJaccardAtLeast, SignatureWords } from '../../../analysis/graph/near-duplicate-pairs';
import { normaliseHandle } from '../../../analysis/graph/handles';
import { normaliseUrl, postProducts } from '../../../analysis/graph/products';
import type { DetectAccount, DetectPost } from '../../../analysis/graph/types';
import { edgeWeight } from '../../../analysis/graph/weight';
import { estimateCoordinationWindow, quantile } from '../../../analysis/graph/window';

const T0 = Date.UTC(2026, 10, 1);
const M = 60_000;
let seq = 0;
function post(accountId: string, minutes: number, extra: Partial<DetectPost> = {}): DetectPost {
  return { _id: `p${seq++}`, platform: accountId.split(':')[0], accountId, createdAt: new Date(T0 + minutes * M), ...extra };
}
function acc(id: string, extra: Partial<DetectAccount> = {}): DetectAccount {
  return { _id: id, platform: id.split(':')[0], handle: id.split(':')[1], ...extra };
}
const loose = { minEdgeWeight: 0, edgeQuantile: 0 };

/**
 * Two signatures of 4 … 144 values, b a copy of a with some positions replaced (pairs from
 * identical to unrelated); values 256 apart collide in the low-byte words.
 */
function signaturePair() {
  const value = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }).map((v) => v + 256), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
  return fc
    .integer({ min: 1, max: 36 })
    .chain((w) => fc.tuple(fc.array(value, { minLength: 4 * w, maxLength: 4 * w }), fc.array(value, { minLength: 4 * w, maxLength: 4 * w }), fc.array(fc.boolean(), { minLength: 4 * w, maxLength: 4 * w })))
    .map(([a, other, keep]) => [a, a.map((v, i) => (keep[i] ? v : other[i]))] as const);
}

describe('helpers', () => {
  it('quantile interpolates and the window is the clamped quantile of same-product gaps', () => {
    expect(quantile([0, 10, 20, 30], 0.5)).toBe(15);
    // gaps on product A: 1, 2, 3 min; on B: 100 min → 4 gaps, q=0.25 → 1.75 min
    const posts = [0, 1, 3, 6].map((m) => post('x:a', m, { product: 'A' })).concat([0, 100].map((m) => post('x:b', m, { product: 'B' })));
    expect(estimateCoordinationWindow(posts, { windowQuantile: 0.25, minWindowMs: 0, maxWindowMs: 1e9 })).toBeCloseTo(1.75 * M, 6);
    expect(estimateCoordinationWindow(posts, { windowQuantile: 0.25, minWindowMs: 5 * M, maxWindowMs: 1e9 })).toBe(5 * M);
    // Nothing to pair: no window (not the clamp, which other sources' co-reviews would use).
    expect(estimateCoordinationWindow([], { windowQuantile: 0.25, minWindowMs: 5 * M, maxWindowMs: 9 * M })).toBe(0);
    expect(estimateCoordinationWindow([post('x:a', 0, { product: 'A' }), post('x:b', 5, { product: 'B' })], { windowQuantile: 0.25, minWindowMs: 5 * M, maxWindowMs: 9 * M })).toBe(0);
  });
  it('discounts crowds, rewards rating agreement, estimates Jaccard', () => {
    expect(crowdDiscount(2)).toBeCloseTo(1, 12);
    expect(crowdDiscount(100)).toBeLessThan(0.3);
    expect(ratingAgreement(5, 5)).toBe(1);
    expect(ratingAgreement(5, 1)).toBe(0.3);
    expect(minhashJaccard([1, 2, 3, 4], [1, 2, 9, 9])).toBe(0.5);
  });
  it('lists a post\'s products, its own first, without repeats (property)', () => {
    const id = fc.constantFrom('', 'p1', 'p2', 'p3');
    fc.assert(
      fc.property(fc.option(id, { nil: undefined }), fc.option(fc.array(id, { maxLength: 4 }), { nil: undefined }), (product, matched) => {
        const p: DetectPost = { _id: 'x', platform: 'web', accountId: 'a', createdAt: new Date(T0), product, enrichment: matched && { products: matched.map((productId) => ({ productId, surface: productId, candidate: false })) } };
        const want = new Set<string>();
        if (product) want.add(product);
        for (const m of matched ?? []) want.add(m);
        expect(postProducts(p)).toEqual([...want]);
      }),
      { numRuns: 300 },
    );
  });
  it('sorts distinct pairs by (a, b) like a comparison sort', () => {
    const pairs = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })), { selector: ([a, b]) => `${a},${b}`, maxLength: 200 });
    fc.assert(
      fc.property(pairs, (ps) => {
        const distinct = ps.filter(([a, b]) => a < b);
        const a = distinct.map(([x]) => x);
        const b = distinct.map(([, y]) => y);
        const ids = distinct.map((_p, id) => id);
        const expected = [...ids].sort((x, y) => a[x] - a[y] || b[x] - b[y]);
        expect(sortByPair(ids, a, b, 31)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
  it('indexes accounts in code-unit order of their ids, each once, and points every post at its account (property)', () => {
    // Ids beyond ASCII (accents, astral characters as surrogate pairs) where a locale's order and the code units' differ.
    const id = fc.array(fc.constantFrom('a', 'b', 'z', 'Z', '_', 'é', '😀', 'ａ'), { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(id, { minLength: 1, maxLength: 40 }), fc.array(id, { maxLength: 10 }), (authors, listed) => {
        const posts = authors.map((a, k) => ({ _id: `p${k}`, platform: 'x', accountId: a, createdAt: new Date(k) }) as DetectPost);
        const given = listed.map((a) => ({ _id: a, platform: 'x', handle: a }) as DetectAccount);
        const { accounts, accountOf, index } = indexAccounts(posts, given);
        const ids = accounts.map((a) => a._id);
        expect(ids).toEqual([...new Set([...authors, ...listed])].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
        for (let i = 0; i < posts.length; i++) expect(accounts[accountOf[i]]._id).toBe(posts[i].accountId);
        for (let r = 0; r < ids.length; r++) expect(index.get(ids[r])).toBe(r);
      }),
      { numRuns: 300 },
    );
  });
  it('estimates Jaccard exactly when it reaches the minimum, and below the minimum otherwise', () => {
    const sig = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 140 });
    const min = fc.oneof(fc.constantFrom(0, 0.6, 0.5, 1, 1 / 3, 0.7), fc.double({ min: 0, max: 1, noNaN: true }));
    fc.assert(
      fc.property(sig, sig, min, (a, b, m) => {
        const full = minhashJaccard(a, b);
        const early = minhashJaccardAtLeast(a, b, m);
        if (full >= m) expect(early).toBe(full);
        else expect(early).toBeLessThan(m);
      }),
      { numRuns: 2000 },
    );
  });
  it('rules a pair out by its low-byte words only when the signatures cannot reach the minimum', () => {
    const pair = signaturePair();
    const min = fc.oneof(fc.constantFrom(0.6, 0.5, 1, 0.25), fc.double({ min: 0, max: 1, noNaN: true }));
    let ruledOut = 0;
    fc.assert(
      fc.property(pair, min, ([a, b], m) => {
        const words = new SignatureWords([Int32Array.from(a), Int32Array.from(b)], a.length);
        const need = Math.ceil(m * a.length - 1e-9);
        const may = words.mayReach(0, 1, need);
        if (!may) ruledOut++;
        if (!may) expect(minhashJaccardAtLeast(a, b, m)).toBeLessThan(m);
        if (minhashJaccard(a, b) >= m) expect(may).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(ruledOut).toBeGreaterThan(100);
  });
  it('counts equal signature positions through the low-byte words exactly (the Jaccard of the group indicators)', () => {
    // Low bytes that collide (values 256 apart) must not count as equal.
    const pair = signaturePair();
    let collided = 0;
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const sigs = [Int32Array.from(a), Int32Array.from(b), Int32Array.of(1, 2, 3)];
        const words = new SignatureWords(sigs, a.length);
        const eq = words.equalPositions(0, 1, sigs);
        expect(eq / a.length).toBe(minhashJaccard(a, b));
        if (a.some((v, i) => v !== b[i] && (v & 0xff) === (b[i] & 0xff))) collided++;
        // A signature of another length has no words: the caller compares it in full.
        if (a.length !== 3) expect(words.equalPositions(0, 2, sigs)).toBe(-1);
      }),
      { numRuns: 2000 },
    );
    expect(collided).toBeGreaterThan(50);
  });
  it('normalises handles and urls', () => {
    expect(normaliseHandle('u/Deal_Hunter')).toBe('dealhunter');
    expect(normaliseHandle('@deal-hunter')).toBe('dealhunter');
    expect(normaliseUrl('https://www.Shop.example/p/1/?utm_source=x')).toBe('shop.example/p/1');
  });
  it('weights saturate per reason and creation only boosts an existing edge', () => {
    expect(edgeWeight({ co_review: 1 })).toBeCloseTo(1, 12);
    expect(edgeWeight({ co_review: 3 })).toBeCloseTo(2, 12);
    expect(edgeWeight({ creation: 1 })).toBe(0);
    expect(edgeWeight({ co_review: 1, creation: 1 })).toBeCloseTo(1.3, 12);
  });
});

describe('buildAccountGraph', () => {
  it('links co-reviews within Δ only, across platforms', () => {
    const posts = [post('reddit:a', 0, { product: 'P', rating: 5 }), post('twitter:b', 5, { product: 'P', rating: 5 }), post('web:c', 120, { product: 'P', rating: 5 })];
    const { graph } = buildAccountGraph(posts, [], { ...loose, coordinationWindowMs: 10 * M });
    expect(graph.hasEdge('reddit:a', 'twitter:b')).toBe(true);
    expect(graph.hasNode('web:c')).toBe(false);
    expect(graph.getEdgeAttribute('reddit:a', 'twitter:b', 'reasons').co_review).toBeCloseTo(1, 12);
  });

  it('finds near-duplicates through LSH bands, verified by MinHash', () => {
    const sig = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const posts = [
      post('x:a', 0, { text: 't', enrichment: { lshBands: ['b1'], minhash: sig } }),
      post('x:b', 900, { text: 't', enrichment: { lshBands: ['b1'], minhash: [...sig.slice(0, 8), 0, 0] } }),
      post('x:c', 901, { text: 't', enrichment: { lshBands: ['b1'], minhash: [1, 2, 0, 0, 0, 0, 0, 0, 0, 0] } }),
    ];
    const { graph } = buildAccountGraph(posts, [], loose);
    // Jaccard 0.8, halved: neither post says which product it is about
    expect(graph.getEdgeAttribute('x:a', 'x:b', 'reasons').near_duplicate).toBeCloseTo(0.4, 12);
    expect(graph.hasEdge('x:a', 'x:c')).toBe(false); // shared band but Jaccard 0.2 < 0.6
  });

  it('links shared codes and urls, mutual replies and mentions, same handle across platforms', () => {
    const posts = [
      post('reddit:alpha1', 0, { enrichment: { codes: ['save10'], mentions: ['twitter:@bravo2'] } }),
      post('twitter:bravo2', 3000, { enrichment: { codes: ['SAVE10'] }, links: ['https://shop.example/r/1'] }),
      post('web:carol3', 5000, { links: ['http://www.shop.example/r/1/'] }),
      post('reddit:dave44', 10, { replyToAccountId: 'reddit:erin55' }),
      post('reddit:erin55', 11, { replyToAccountId: 'reddit:dave44' }),
    ];
    const accounts = [acc('reddit:alpha1'), acc('twitter:bravo2'), acc('web:carol3'), acc('reddit:dave44'), acc('reddit:erin55'), acc('twitter:999', { handle: 'Dave_44' })];
    const { graph } = buildAccountGraph(posts, accounts, loose);
    const ab = graph.getEdgeAttribute('reddit:alpha1', 'twitter:bravo2', 'reasons');
    expect(ab.shared_code).toBe(1);
    expect(ab.mention).toBe(1);
    expect(graph.getEdgeAttribute('twitter:bravo2', 'web:carol3', 'reasons').shared_url).toBe(1);
    expect(graph.getEdgeAttribute('reddit:dave44', 'reddit:erin55', 'reasons').reply).toBe(4); // 2 replies + mutual bonus
    expect(graph.getEdgeAttribute('reddit:dave44', 'twitter:999', 'reasons').same_handle).toBe(1);
  });

  it('uses creation proximity only as support', () => {
    const c = new Date(T0 - 86_400_000);
    const accounts = [acc('x:a', { createdAt: c }), acc('x:b', { createdAt: c }), acc('x:c', { createdAt: c })];
    const posts = [post('x:a', 0, { product: 'P' }), post('x:b', 1, { product: 'P' }), post('x:c', 5000, { product: 'Q' })];
    const { graph } = buildAccountGraph(posts, accounts, { ...loose, coordinationWindowMs: 10 * M });
    expect(graph.getEdgeAttribute('x:a', 'x:b', 'reasons').creation).toBe(1);
    expect(graph.hasNode('x:c')).toBe(false);
  });

  it('drops weak edges with the percentile filter', () => {
    const posts: DetectPost[] = [];
    // a, b co-review 3 products; c, d co-review one with different ratings
    for (const p of ['P1', 'P2', 'P3']) posts.push(post('x:a', 0, { product: p, rating: 5 }), post('x:b', 1, { product: p, rating: 5 }));
    posts.push(post('x:c', 0, { product: 'P9', rating: 5 }), post('x:d', 2, { product: 'P9', rating: 2 }));
    const all = buildAccountGraph(posts, [], { ...loose, coordinationWindowMs: 10 * M });
    expect(all.graph.size).toBe(2);
    const filtered = buildAccountGraph(posts, [], { coordinationWindowMs: 10 * M, edgeQuantile: 0.5, minEdgeWeight: 0 });
    expect(filtered.graph.size).toBe(1);
    expect(filtered.graph.hasEdge('x:a', 'x:b')).toBe(true);
    expect(filtered.weightThreshold).toBeGreaterThan(all.graph.getEdgeAttribute('x:c', 'x:d', 'weight'));
    // The dropped edge is kept aside (account indices, weight) for ring attachment.
    const ids = filtered.accounts.map((a) => a._id);
    expect(filtered.weakEdges.a.length).toBe(1);
    expect([ids[filtered.weakEdges.a[0]], ids[filtered.weakEdges.b[0]]]).toEqual(['x:c', 'x:d']);
    expect(filtered.weakEdges.weight[0]).toBeCloseTo(all.graph.getEdgeAttribute('x:c', 'x:d', 'weight'), 5);
    expect(all.weakEdges.a.length).toBe(0);
  });

  it('bounds the work in a huge burst on one product (no all-pairs)', () => {
    const posts = Array.from({ length: 2000 }, (_, i) => post(`x:u${i}`, i * 0.01, { product: 'HOT', rating: 1 + (i % 5) }));
    const t = Date.now();
    const res = buildAccountGraph(posts, [], { coordinationWindowMs: 60 * M, maxNeighbours: 10 });
    expect(res.stats.candidatePairs).toBeLessThanOrEqual(2000 * 10);
    expect(res.graph.size).toBe(0); // one crowded product is not coordination
    expect(Date.now() - t).toBeLessThan(3000);
  });

  it('gives the same graph whatever the input order (property)', () => {
    const base: DetectPost[] = [];
    for (let i = 0; i < 40; i++) base.push(post(`x:u${i % 12}`, (i * 37) % 300, { product: `P${i % 5}`, rating: 1 + (i % 5) }));
    const ref = buildAccountGraph(base, [], { ...loose, coordinationWindowMs: 30 * M });
    const key = (g: typeof ref.graph) => g.mapEdges((_e, a, s, t) => `${s}-${t}:${a.weight.toFixed(9)}`).join('|');
    fc.assert(
      fc.property(fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }), (shuffled) => {
        const g = buildAccountGraph(shuffled, [], { ...loose, coordinationWindowMs: 30 * M });
        expect(key(g.graph)).toBe(key(ref.graph));
      }),
      { numRuns: 20 },
    );
  });

  it('works on reviews without any text (rating + timing + product only)', () => {
    const posts = ['P1', 'P2'].flatMap((p) => ['x:a', 'x:b', 'x:c'].map((a, i) => post(a, i, { product: p, rating: 5 })));
    const { graph } = buildAccountGraph(posts, [], { coordinationWindowMs: 10 * M });
    expect(graph.order).toBe(3);
    expect(graph.size).toBe(3);
  });
});

describe('codes and text affinity', () => {
  it('finds code-shaped tokens without a cue word, but not product ids or plain words', async () => {
    const { postCodes } = await import('../../../analysis/graph/products');
    const { productAffinity } = await import('../../../analysis/graph/coactions');
    const p = post('x:a', 0, { text: 'RETRFINVIP15 = 20% off the B0R27JFBH8, AMAZING deal', enrichment: { codes: ['save10'] } });
    expect(postCodes(p).sort()).toEqual(['RETRFINVIP15', 'SAVE10']);
    expect(productAffinity(['P'], ['P', 'Q'])).toBe(1);
    expect(productAffinity(['P'], ['Q'])).toBe(0.25);
    expect(productAffinity([], ['Q'])).toBe(0.5);
  });
});
