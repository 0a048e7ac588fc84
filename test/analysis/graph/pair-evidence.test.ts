// The columns of co-action evidence (analysis/graph/pair-evidence.ts) against the per-pair
// objects they replaced: a Map per owner keeping the best value per key, summed in the
// Map's order, and a capped list of distinct post ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BestPerKey, PairEvidenceTable } from '../../../analysis/graph/pair-evidence';

describe('BestPerKey', () => {
  it('keeps the best positive value per key and sums each owner in first-seen order, like a Map per owner', () => {
    const raise = fc.tuple(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 6 }), fc.oneof(fc.constant(0), fc.double({ min: -1, max: 1, noNaN: true })));
    fc.assert(
      fc.property(fc.array(raise, { minLength: 60, maxLength: 300 }), (ops) => {
        const best = new BestPerKey();
        const ref = new Map<number, Map<number, number>>();
        for (const [owner, key, v] of ops) {
          best.raise(owner, key, v);
          const m = ref.get(owner) ?? new Map<number, number>();
          ref.set(owner, m);
          if (v > (m.get(key) ?? 0)) m.set(key, v);
        }
        for (let owner = 0; owner <= 45; owner++) {
          const m = ref.get(owner);
          let s = 0;
          for (const v of m?.values() ?? []) s += v;
          // Exactly equal (Object.is): the same additions in the same order.
          expect(best.sum(owner)).toBe(m && m.size > 0 ? s : undefined);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('PairEvidenceTable', () => {
  it('numbers account pairs in either order, keeps up to maxPosts distinct posts (by id) per pair, in order', () => {
    const op = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 19 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 40, maxLength: 200 }), (ops) => {
        // Posts 10..19 repeat the ids of posts 0..9 (a post listed twice).
        const canonical = Int32Array.from({ length: 20 }, (_x, i) => i % 10);
        const table = new PairEvidenceTable(1, 3, canonical);
        const ref = new Map<string, { id: number; posts: number[] }>();
        for (const [x, y, post] of ops) {
          if (x === y) continue;
          const key = `${Math.min(x, y)},${Math.max(x, y)}`;
          const r = ref.get(key) ?? { id: ref.size, posts: [] };
          ref.set(key, r);
          const id = table.id(x, y);
          expect(id).toBe(r.id);
          expect([table.a[id], table.b[id]]).toEqual([Math.min(x, y), Math.max(x, y)]);
          table.addPost(id, post);
          if (r.posts.length < 3 && !r.posts.includes(post % 10)) r.posts.push(post % 10);
        }
        expect(table.size).toBe(ref.size);
        for (const r of ref.values()) expect(table.posts(r.id)).toEqual(r.posts);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps pairs, values and posts through reserve()', () => {
    const op = fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 9 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 40, maxLength: 300 }), fc.nat({ max: 299 }), fc.nat({ max: 2000 }), (ops, at, extra) => {
        const table = new PairEvidenceTable(1, 2, Int32Array.from({ length: 10 }, (_x, i) => i));
        const ref = new Map<number, { a: number; b: number; near: number; posts: number[] }>();
        ops.forEach(([x, y, post], k) => {
          if (k === at) table.reserve(table.size + extra);
          if (x === y) return;
          const id = table.id(x, y);
          const r = ref.get(id) ?? { a: Math.min(x, y), b: Math.max(x, y), near: 0, posts: [] };
          ref.set(id, r);
          table.nearDuplicate[id] += post + 0.5;
          r.near += post + 0.5;
          table.addPost(id, post);
          if (r.posts.length < 2 && !r.posts.includes(post)) r.posts.push(post);
        });
        for (const [id, r] of ref) {
          expect([table.a[id], table.b[id], table.nearDuplicate[id]]).toEqual([r.a, r.b, r.near]);
          expect(table.posts(id)).toEqual(r.posts);
        }
      }),
      { numRuns: 200 },
    );
  });
});

