import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../../analysis/metrics';
import { buildAccountGraph } from '../../../analysis/graph/build';
import { buildContext } from '../../../analysis/rings/context';
import { detectRings } from '../../../analysis/rings/detect';
import { assignRingIds, jaccard, ringIdFor } from '../../../analysis/rings/ids';
import { groupIndicators, memberPostsByProduct, postsNearAnother } from '../../../analysis/rings/indicators';
import { handlesInText, indexEscalations, linkRing } from '../../../analysis/rings/links';
import type { DetectPost } from '../../../analysis/graph/types';
import { makeFixture } from './fixture';

const T0 = Date.UTC(2026, 10, 1);
const M = 60_000;
const D = 86_400_000;

describe('ring ids', () => {
  it('hash sorted members', () => {
    expect(ringIdFor(['b', 'a'])).toBe(ringIdFor(['a', 'b']));
    expect(ringIdFor(['a', 'b'])).toMatch(/^ring_[0-9a-f]{16}$/);
    expect(ringIdFor(['a', 'c'])).not.toBe(ringIdFor(['a', 'b']));
  });
  it('keep the old id when membership overlaps ≥ 0.5, one-to-one', () => {
    const prev = [
      { _id: 'ring_old1', members: ['a', 'b', 'c', 'd'] },
      { _id: 'ring_old2', members: ['x', 'y', 'z'] },
    ];
    const ids = assignRingIds(
      [
        { members: ['a', 'b', 'c', 'e'] }, // J = 3/5
        { members: ['a', 'b'] }, // J = 2/4 with old1, but old1 is taken by the better match
        { members: ['x', 'q', 'r', 's'] }, // J = 1/6
      ],
      prev,
    );
    expect(ids[0]).toBe('ring_old1');
    expect(ids[1]).toBe(ringIdFor(['a', 'b']));
    expect(ids[2]).toBe(ringIdFor(['x', 'q', 'r', 's']));
    expect(jaccard(['a', 'b'], ['b', 'c'])).toBeCloseTo(1 / 3, 12);
  });
  it('never give two rings the same id (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 1 }), { maxLength: 8 }),
        fc.array(fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 1 }), { maxLength: 5 }),
        (now, before) => {
          const prev = before.map((m) => ({ _id: ringIdFor(m), members: m }));
          const ids = assignRingIds(now.map((m) => ({ members: m })), prev);
          expect(new Set(ids).size).toBe(ids.length);
        },
      ),
    );
  });
});

describe('escalation links', () => {
  const ring = { memberHandles: ['Deal_Hunter9', 'u/promo_queen'], products: ['B0AAA'], firstPostAt: new Date(T0), lastPostAt: new Date(T0 + 2 * D) };
  const esc = [
    { _id: 'c1', openedAt: new Date(T0 + 3 * D), customerHandle: '@dealhunter9' },
    { _id: 'c2', openedAt: new Date(T0 + 3 * D), text: 'I was told by u/Promo_Queen to ask for a refund', product: 'B0AAA' },
    { _id: 'c3', openedAt: new Date(T0 + 3 * D), product: 'B0AAA' },
    { _id: 'c4', openedAt: new Date(T0 + 400 * D), customerHandle: 'someone_else' },
  ];
  it('links by handle, mention and product + time, never by product + time alone', () => {
    const links = linkRing(ring, indexEscalations(esc));
    expect(links.map((l) => l.caseId)).toEqual(['c1', 'c2']);
    expect(links[0].reasons.map((r) => r.kind)).toEqual(['handle', 'time']);
    expect(links[1].reasons.map((r) => r.kind).sort()).toEqual(['mention', 'product', 'time']);
    expect(links[1].strength).toBeCloseTo(1 - 0.3 * 0.7 * 0.75, 3);
    expect(handlesInText('ping @Bob_1 and /u/alice-x, not email me@x.com')).toEqual(['bob1', 'alicex']);
  });
});

describe('group indicators', () => {
  it('measure rating deviation from the product\'s other reviewers', () => {
    const posts: DetectPost[] = [];
    const add = (a: string, m: number, rating: number) =>
      posts.push({ _id: `p${posts.length}`, platform: 'x', accountId: a, createdAt: new Date(T0 + m * M), product: 'P', rating });
    add('x:r1', 0, 5);
    add('x:r2', 1, 5);
    add('x:r3', 2, 5);
    add('x:o1', 600, 2);
    add('x:o2', 900, 3);
    const built = buildAccountGraph(posts, [], { coordinationWindowMs: 10 * M, minEdgeWeight: 0, edgeQuantile: 0 });
    const ctx = buildContext(built.posts, built.accounts);
    const { indicators } = groupIndicators(['x:r1', 'x:r2', 'x:r3'], ctx, built.graph);
    const dev = indicators.find((i) => i.name === 'rating_deviation');
    expect(dev?.value).toBeCloseTo(2.5, 6); // 5 vs mean(2, 3)
    expect(dev?.score).toBeCloseTo(1, 6);
    expect(indicators.find((i) => i.name === 'support_count')?.value).toBe(1);
    expect(indicators.find((i) => i.name === 'content_similarity')).toBeUndefined(); // no text: left out
    for (const i of indicators) {
      expect(i.score).toBeGreaterThanOrEqual(0);
      expect(i.score).toBeLessThanOrEqual(1);
      expect(i.explanation.length).toBeGreaterThan(10);
    }
  });
});

describe('memberPostsByProduct', () => {
  it('equals each product\'s posts filtered by membership, in time order (property)', () => {
    const f = makeFixture({ seed: 5 });
    const ctx = buildContext(buildAccountGraph(f.posts, f.accounts).posts, f.accounts);
    const ids = [...ctx.postsByAccount.keys()];
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: ids.length - 1 }), { minLength: 1, maxLength: 40 }), (pick) => {
        const members = new Set(pick.map((k) => ids[k]));
        const got = memberPostsByProduct(members, ctx);
        for (const [prod, st] of ctx.products) {
          const want = st.posts.filter((i) => members.has(ctx.posts[i].accountId));
          expect(got.get(prod) ?? []).toEqual(want);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('postsNearAnother (time-window indicator)', () => {
  it('counts the posts with another account\'s post within the window, like comparing all pairs (property)', () => {
    const post = fc.tuple(fc.integer({ min: 0, max: 50 }), fc.constantFrom('a', 'b', 'c', 'd'));
    fc.assert(
      fc.property(fc.array(post, { maxLength: 60 }), fc.integer({ min: 0, max: 12 }), fc.boolean(), (ps, windowMs, sorted) => {
        const list = sorted ? [...ps].sort((x, y) => x[0] - y[0]) : ps;
        const t = list.map(([x]) => x);
        const a = list.map(([, y]) => y);
        let want = 0;
        for (let x = 0; x < t.length; x++) if (t.some((ty, y) => y !== x && a[y] !== a[x] && Math.abs(t[x] - ty) <= windowMs)) want++;
        expect(postsNearAnother(t, a, windowMs)).toBe(want);
      }),
      { numRuns: 500 },
    );
  });
});

describe('detectRings on a small fixture world', () => {
  const f = makeFixture({ seed: 3 });
  const res = detectRings({ posts: f.posts, accounts: f.accounts });
  const truth = new Set(f.rings.flat());

  it('finds every planted ring exactly and no organic burst', () => {
    expect(res.rings.map((r) => r.members).sort()).toEqual([...f.rings].sort());
    const burst = new Set(f.burstAccounts);
    for (const r of res.rings) expect(r.members.some((m) => burst.has(m))).toBe(false);
    for (const r of res.rings) expect(r.products.some((p) => f.burstProducts.includes(p))).toBe(false);
  });

  it('explains each ring: indicators, strongest edges with reasons and posts, cross-platform', () => {
    for (const r of res.rings) {
      expect(r.score).toBeGreaterThanOrEqual(0.5);
      expect(r.platforms).toEqual(['reddit', 'twitter']);
      expect(r.indicators.length).toBeGreaterThan(5);
      expect(r.strongestEdges.length).toBeGreaterThan(0);
      expect(Object.keys(r.strongestEdges[0].reasons)).toContain('co_review');
      expect(r.strongestEdges[0].posts.length).toBeGreaterThan(0);
      expect(r.evidencePosts.length).toBeGreaterThan(0);
      expect(r.firstPostAt.getTime()).toBeLessThanOrEqual(r.lastPostAt.getTime());
    }
  });

  it('scores every account in [0, 1] with evidence, ring members on top', () => {
    expect(res.accounts).toHaveLength(f.accounts.length);
    for (const a of res.accounts) {
      expect(a.score).toBeGreaterThanOrEqual(0);
      expect(a.score).toBeLessThanOrEqual(1);
      expect(a.indicators.length).toBeGreaterThan(0);
    }
    const auc = rocAuc(res.accounts.map((a) => a.score), res.accounts.map((a) => truth.has(a.accountId)));
    expect(auc).toBeGreaterThan(0.98);
    const member = res.accounts.find((a) => truth.has(a.accountId));
    expect(member?.ringId).toBeDefined();
    expect(member?.evidencePosts.length).toBeGreaterThan(0);
  });

  it('is deterministic and keeps ring ids across a re-run with a changed member', () => {
    const again = detectRings({ posts: [...f.posts].reverse(), accounts: [...f.accounts].reverse() });
    expect(again.rings).toEqual(res.rings);
    expect(again.accounts).toEqual(res.accounts);
    const dropped = f.rings[0][0];
    const rerun = detectRings({ posts: f.posts.filter((p) => p.accountId !== dropped), accounts: f.accounts, previousRings: res.rings });
    expect(rerun.rings.map((r) => r._id).sort()).toEqual(res.rings.map((r) => r._id).sort());
  });

  it('still separates ring accounts without any text', () => {
    const bare = f.posts.map(({ text: _t, title: _ti, enrichment: _e, ...rest }) => rest);
    const r2 = detectRings({ posts: bare, accounts: f.accounts });
    const auc = rocAuc(r2.accounts.map((a) => a.score), r2.accounts.map((a) => truth.has(a.accountId)));
    expect(auc).toBeGreaterThan(0.95);
    expect(r2.rings.length).toBe(f.rings.length);
  });
});
