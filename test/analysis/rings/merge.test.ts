import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DetectPost } from '../../../analysis/graph/types';
import { buildContext } from '../../../analysis/rings/context';
import { groupFacts } from '../../../analysis/rings/indicators';
import { jaccard, type MergeGroup, overlapInTime, signatureParts } from '../../../analysis/rings/merge';

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);

function post(id: string, account: string, product: string, hours: number): DetectPost {
  return { _id: id, platform: 'web', accountId: `web:${account}`, createdAt: new Date(T0 + hours * H), product, rating: 5 };
}

// Ring a1–a4 on products P and Q at hour 0; part b1–b2 on P and Q at hour 5; organic
// group c1–c2 on P three days later; group d1–d2 on P and Q at hour 2 with a low score.
const posts: DetectPost[] = [
  ...['a1', 'a2', 'a3', 'a4'].flatMap((a, i) => [post(`${a}p`, a, 'P', i * 0.5), post(`${a}q`, a, 'Q', i * 0.5 + 1)]),
  ...['b1', 'b2'].flatMap((a, i) => [post(`${a}p`, a, 'P', 5 + i), post(`${a}q`, a, 'Q', 6 + i)]),
  ...['c1', 'c2'].map((a, i) => post(`${a}p`, a, 'P', 72 + i)),
  ...['d1', 'd2'].flatMap((a, i) => [post(`${a}p`, a, 'P', 2 + i), post(`${a}q`, a, 'Q', 2 + i)]),
].sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x._id < y._id ? -1 : 1));
const ctx = buildContext(posts, []);
const group = (names: string[], score: number, isRing: boolean): MergeGroup => {
  const members = names.map((n) => `web:${n}`);
  return { members, score, isRing, facts: groupFacts(members, ctx) };
};
const groups = [group(['a1', 'a2', 'a3', 'a4'], 0.7, true), group(['b1', 'b2'], 0.65, false), group(['c1', 'c2'], 0.6, false), group(['d1', 'd2'], 0.3, false)];
const byProduct = new Map<string, number[]>();
for (const [k, g] of groups.entries()) for (const p of g.facts.products) byProduct.set(p, [...(byProduct.get(p) ?? []), k]);

describe('signatureParts', () => {
  it('finds the part on the same products in the same hours, not a later group or a weak one', () => {
    expect(signatureParts(0, groups, byProduct, ctx)).toEqual([1]);
  });

  it('drops the part when its product overlap or score is too low, or the window too tight', () => {
    expect(signatureParts(0, groups, byProduct, ctx, { minProductJaccard: 1.01 })).toEqual([]);
    expect(signatureParts(0, groups, byProduct, ctx, { minPartScore: 0.7 })).toEqual([]);
    expect(signatureParts(0, groups, byProduct, ctx, { overlapMs: H })).toEqual([]);
    expect(signatureParts(0, groups, byProduct, ctx, { minPartScore: 0.2 })).toEqual([1, 3]);
  });

  it('overlapInTime agrees with a brute-force check (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 30 }), (xs, ys, w) => {
        const ps = [...xs.map((h, i) => post(`x${i}`, 'x', 'P', h)), ...ys.map((h, i) => post(`y${i}`, 'y', 'P', h))].sort(
          (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a._id < b._id ? -1 : 1),
        );
        const c = buildContext(ps, []);
        const brute = xs.some((a) => ys.some((b) => Math.abs(a - b) <= w));
        expect(overlapInTime(groupFacts(['web:x'], c), groupFacts(['web:y'], c), c, w * H)).toBe(brute);
      }),
      { numRuns: 200 },
    );
  });

  it('jaccard of product lists', () => {
    expect(jaccard(['a', 'b'], ['b', 'c'])).toBeCloseTo(1 / 3);
    expect(jaccard([], [])).toBe(0);
    expect(jaccard(['a'], ['a', 'a'])).toBe(1);
  });
});
