import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averagePrecision, brierScore, calibrationTable, precisionAtK, rocAuc, recallAtK } from '../../analysis/metrics';

describe('rocAuc', () => {
  it('matches the hand-computed classic example', () => {
    // positives 0.35, 0.8; negatives 0.1, 0.4: pairs won 3 of 4
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
  });
  it('counts ties as one half', () => {
    // pos 1 beats both negatives (2), pos 0.5 ties one (0.5) and beats one (1): 3.5 / 4
    expect(rocAuc([1, 0.5, 0.5, 0], [1, 1, 0, 0])).toBeCloseTo(0.875, 12);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5);
  });
  it('is NaN without both classes and rejects bad input', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(() => rocAuc([0.1], [1, 0])).toThrow(/length/);
    expect(() => rocAuc([0.1, 0.2], [2, 0])).toThrow(/label/);
  });
  it('is order-independent, flips under negation and is 1 for perfect separation (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 2, maxLength: 40 }),
        (rows) => {
          const s = rows.map((r) => r[0] / 5);
          const y = rows.map((r) => r[1]);
          if (!y.includes(true) || !y.includes(false)) return;
          const a = rocAuc(s, y);
          const rev = [...rows].reverse();
          expect(rocAuc(rev.map((r) => r[0] / 5), rev.map((r) => r[1]))).toBeCloseTo(a, 12);
          expect(rocAuc(s.map((v) => -v), y)).toBeCloseTo(1 - a, 12);
          expect(rocAuc(y.map((v) => (v ? 1 : 0)), y)).toBe(1);
        },
      ),
    );
  });
});

describe('averagePrecision', () => {
  it('matches hand-computed values', () => {
    // ranks: 0.8(+) P=1 R=.5; 0.4(-); 0.35(+) P=2/3 R=1 → 0.5·1 + 0.5·2/3
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.5 + 1 / 3, 12);
    // tie group {0.5: +,-} is one threshold: 0.5·1 + 0.5·(2/3)
    expect(averagePrecision([1, 0.5, 0.5, 0], [1, 1, 0, 0])).toBeCloseTo(0.5 + 1 / 3, 12);
    expect(averagePrecision([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBeCloseTo(0.5, 12);
    expect(averagePrecision([0.3, 0.2], [0, 0])).toBeNaN();
  });
  it('does not depend on the order of tied items (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()), { minLength: 1, maxLength: 30 }), (rows) => {
        const y = rows.map((r) => r[1]);
        if (!y.includes(true)) return;
        const a = averagePrecision(rows.map((r) => r[0]), y);
        const rev = [...rows].reverse();
        expect(averagePrecision(rev.map((r) => r[0]), rev.map((r) => r[1]))).toBeCloseTo(a, 12);
        expect(a).toBeGreaterThan(0);
        expect(a).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });
});

describe('precisionAtK / recallAtK', () => {
  it('shares ties at the cut pro rata', () => {
    // top-2: 0.9(+) surely, then one of the tied 0.8 {+,-}: expected 1.5 positives
    expect(precisionAtK([0.9, 0.8, 0.8, 0.1], [1, 1, 0, 0], 2)).toBeCloseTo(0.75, 12);
    expect(recallAtK([0.9, 0.8, 0.8, 0.1], [1, 1, 0, 0], 2)).toBeCloseTo(0.75, 12);
    expect(precisionAtK([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0], 3)).toBeCloseTo(2 / 3, 12);
    expect(precisionAtK([0.9, 0.8], [1, 0], 10)).toBeCloseTo(0.5, 12); // k capped at n
    expect(precisionAtK([0.9], [1], 0)).toBeNaN();
  });
});

describe('brierScore', () => {
  it('is the mean squared error', () => {
    expect(brierScore([0.1, 0.9, 0.8], [0, 1, 0])).toBeCloseTo((0.01 + 0.01 + 0.64) / 3, 12);
    expect(brierScore([1, 0], [true, false])).toBe(0);
  });
});

describe('calibrationTable', () => {
  it('bins probabilities and reports predicted vs observed', () => {
    const t = calibrationTable([0.05, 0.15, 0.95, 1.0], [0, 1, 1, 1], 10);
    expect(t).toHaveLength(3);
    expect(t[0]).toMatchObject({ bin: 0, count: 1, observed: 0 });
    expect(t[0].predicted).toBeCloseTo(0.05, 12);
    expect(t[1]).toMatchObject({ bin: 1, count: 1, observed: 1 });
    expect(t[2]).toMatchObject({ bin: 9, count: 2, observed: 1 });
    expect(t[2].predicted).toBeCloseTo(0.975, 12);
    expect(() => calibrationTable([0.1], [1], 0)).toThrow(/bins/);
  });
});
