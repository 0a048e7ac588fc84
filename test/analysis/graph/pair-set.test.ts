// PairSet and PairIndex (analysis/graph/pair-set.ts) against a Set / Map of "x,y" strings:
// the same answers through growth, collisions, ordered pairs and indices up to 2^31 − 1, in
// both slot layouts (rows of one x with many y included).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairIndex, PairSet } from '../../../analysis/graph/pair-set';

/** Operations (flag, x, y) on small and huge indices, and a first size small enough to grow many times. */
const index = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 0x7fffffff }));
const operations = fc.array(fc.tuple(fc.boolean(), index, index), { minLength: 50, maxLength: 400 });
const firstSize = fc.integer({ min: 0, max: 8 });

/** Rows: a few x with many y each (a post's near-duplicate visits; a run of slots for rowLocal). */
const rows = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 500 })), { minLength: 200, maxLength: 800 });

describe.each(['spread', 'rowLocal'] as const)('PairSet (%s layout)', (layout) => {
  it('answers add and has like a Set of ordered pairs', () => {
    fc.assert(
      fc.property(fc.oneof(operations, rows), firstSize, (ops, expected) => {
        const set = new PairSet(expected, layout);
        const ref = new Set<string>();
        for (const [isAdd, x, y] of ops) {
          const key = `${x},${y}`;
          if (isAdd) {
            expect(set.add(x, y)).toBe(!ref.has(key));
            ref.add(key);
          } else expect(set.has(x, y)).toBe(ref.has(key));
        }
        expect(set.size).toBe(ref.size);
        for (const [, x, y] of ops) {
          expect(set.has(x, y)).toBe(ref.has(`${x},${y}`));
          expect(set.has(y, x)).toBe(ref.has(`${y},${x}`));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('addAll gives the answers of add() in order, repeats within a batch included', () => {
    fc.assert(
      fc.property(fc.oneof(operations, rows), firstSize, fc.integer({ min: 1, max: 60 }), (ops, expected, batch) => {
        const one = new PairSet(expected, layout);
        const all = new PairSet(expected, layout);
        for (let o = 0; o < ops.length; o += batch) {
          const part = ops.slice(o, o + batch);
          const x = Int32Array.from(part, ([, px]) => px);
          const y = Int32Array.from(part, ([, , py]) => py);
          const added = new Uint8Array(part.length);
          all.addAll(x, y, part.length, added);
          expect([...added]).toEqual(part.map(([, px, py]) => (one.add(px, py) ? 1 : 0)));
        }
        expect(all.size).toBe(one.size);
      }),
      { numRuns: 200 },
    );
  });

  it('holds a million pairs (grows past its first table many times)', () => {
    const set = new PairSet(16, layout);
    let added = 0;
    for (let i = 0; i < 1_000_000; i++) if (set.add(i, (i * 7919) % 1_000_003)) added++;
    let again = 0;
    for (let i = 0; i < 1_000_000; i++) if (set.add(i, (i * 7919) % 1_000_003)) again++;
    expect([added, again, set.size]).toEqual([1_000_000, 0, 1_000_000]);
    expect(set.has(1, 1)).toBe(false);
  });

  it('refuses indices it cannot hold', () => {
    expect(() => new PairSet(16, layout).add(-1, 2)).toThrow(RangeError);
    expect(() => new PairSet(16, layout).add(1, 2 ** 31)).toThrow(RangeError);
  });
});

describe('PairIndex', () => {
  it('numbers pairs in the order first added, like a Map of ordered pairs', () => {
    fc.assert(
      fc.property(operations, firstSize, (ops, expected) => {
        const ids = new PairIndex(expected);
        const ref = new Map<string, number>();
        for (const [isId, x, y] of ops) {
          const key = `${x},${y}`;
          if (isId) {
            if (!ref.has(key)) ref.set(key, ref.size);
            expect(ids.id(x, y)).toBe(ref.get(key));
          } else expect(ids.get(x, y)).toBe(ref.get(key) ?? -1);
        }
        expect(ids.size).toBe(ref.size);
        for (const [, x, y] of ops) expect(ids.get(x, y)).toBe(ref.get(`${x},${y}`) ?? -1);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps every pair and number through reserve(), made at any point for any size', () => {
    fc.assert(
      fc.property(operations, firstSize, fc.nat({ max: 399 }), fc.nat({ max: 5000 }), (ops, expected, at, extra) => {
        const ids = new PairIndex(expected);
        const ref = new Map<string, number>();
        ops.forEach(([, x, y], k) => {
          if (k === at) ids.reserve(ids.size + extra);
          const key = `${x},${y}`;
          if (!ref.has(key)) ref.set(key, ref.size);
          expect(ids.id(x, y)).toBe(ref.get(key));
        });
        expect(ids.size).toBe(ref.size);
        for (const [key, id] of ref) {
          const [x, y] = key.split(',').map(Number);
          expect(ids.get(x, y)).toBe(id);
        }
      }),
      { numRuns: 200 },
    );
  });
});
