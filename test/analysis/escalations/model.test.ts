import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anomalyScore, median, robustStats } from '../../../analysis/escalations/anomaly';
import { applyCalibration, fitIsotonic, fitPlatt } from '../../../analysis/escalations/calibration';
import { type CaseInput, caseFeatures, featureContext, featureNames, normaliseHandle } from '../../../analysis/escalations/features';
import { choleskySolve, fitLogistic, predict, sigmoid } from '../../../analysis/escalations/logistic';
import { splitByWeeks } from '../../../analysis/escalations/abuse-model';
import { caseTextSignals } from '../../../analysis/escalations/text';
import { fitVocabulary, tfidfVector } from '../../../analysis/escalations/tfidf';

describe('logistic regression', () => {
  it('recovers the saturated MLE by hand: p(y|x=0)=1/2, p(y|x=1)=2/3', () => {
    const m = fitLogistic([[0], [0], [1], [1], [1]], [0, 1, 1, 1, 0], { l2: 0, standardise: false });
    expect(m.converged).toBe(true);
    expect(m.intercept).toBeCloseTo(0, 8);
    expect(m.weights[0]).toBeCloseTo(Math.log(2), 8);
    expect(predict(m, [1])).toBeCloseTo(2 / 3, 8);
  });
  it('with L2 solves λw = 2σ(−w) on the symmetric pair (w ≈ 0.6749 for λ = 1)', () => {
    const m = fitLogistic([[-1], [1]], [0, 1], { l2: 1, standardise: false });
    const w = m.weights[0];
    expect(m.intercept).toBeCloseTo(0, 10);
    expect(Math.abs(w - 2 * sigmoid(-w))).toBeLessThan(1e-9);
    expect(w).toBeCloseTo(0.6749, 3);
  });
  it('stays finite on separable data thanks to the penalty, and standardises', () => {
    const m = fitLogistic([[10], [20], [30], [40]], [0, 0, 1, 1], { l2: 0.1 });
    expect(Number.isFinite(m.weights[0])).toBe(true);
    expect(m.scaler.mean[0]).toBe(25);
    expect(predict(m, [40])).toBeGreaterThan(0.9);
    expect(predict(m, [10])).toBeLessThan(0.1);
  });
  it('Cholesky solves SPD systems', () => {
    expect(choleskySolve([[4, 2], [2, 3]], [2, 1])?.map((v) => Number(v.toFixed(10)))).toEqual([0.5, 0]);
    expect(choleskySolve([[1, 2], [2, 1]], [1, 1])).toBeNull();
  });
});

describe('calibration', () => {
  it('Platt with smoothed targets: scores ±1 → σ(±ln 2)', () => {
    const c = fitPlatt([-1, 1], [0, 1]);
    expect(c.a).toBeCloseTo(Math.log(2), 6);
    expect(c.b).toBeCloseTo(0, 6);
    expect(applyCalibration(c, 1)).toBeCloseTo(2 / 3, 6);
  });
  it('isotonic pools adjacent violators', () => {
    const c = fitIsotonic([1, 2, 3, 4], [1, 0, 1, 1]);
    expect(c).toEqual({ kind: 'isotonic', x: [2, 3, 4], y: [0.5, 1, 1] });
    expect(applyCalibration(c, 0)).toBe(0.5);
    expect(applyCalibration(c, 2.5)).toBe(1);
    expect(applyCalibration(c, 9)).toBe(1);
  });
  it('isotonic output is non-decreasing and preserves the mean (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 60 }), (pairs) => {
        const c = fitIsotonic(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
        for (let i = 1; i < c.y.length; i++) expect(c.y[i]).toBeGreaterThanOrEqual(c.y[i - 1]);
        const fitted = pairs.map((p) => applyCalibration(c, p[0]));
        const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
        expect(mean(fitted)).toBeCloseTo(mean(pairs.map((p) => p[1])), 9);
      }),
    );
  });
});

describe('anomaly score', () => {
  it('uses median and 1.4826·MAD, with the mean-absolute-deviation fallback', () => {
    const s = robustStats([[1], [2], [3], [4], [100]]);
    expect(s.median).toEqual([3]);
    expect(s.scale[0]).toBeCloseTo(1.4826, 10);
    const a = anomalyScore([100], s);
    expect(a.z).toBeCloseTo(97 / 1.4826, 8);
    expect(a.score).toBeCloseTo(a.z / (a.z + 3), 10);
    expect(anomalyScore([1], s).score).toBe(0); // only "more than usual" counts
    const flat = robustStats([[0], [0], [0], [5]]);
    expect(flat.scale[0]).toBeCloseTo(1.2533 * 1.25, 10);
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });
});

describe('tf-idf', () => {
  it('matches the hand computation', () => {
    const v = fitVocabulary(['refund refund now', 'refund item', 'item broken'], 10, 1, 1);
    expect(v.terms).toEqual(['item', 'refund', 'broken', 'now']);
    const idfR = Math.log(4 / 3) + 1;
    const idfNow = Math.log(4 / 2) + 1;
    const norm = Math.hypot(2 * idfR, idfNow);
    const x = tfidfVector('refund refund now', v);
    expect(x[0]).toBe(0);
    expect(x[1]).toBeCloseTo((2 * idfR) / norm, 12);
    expect(x[3]).toBeCloseTo(idfNow / norm, 12);
  });
});

describe('case features', () => {
  const nlp = { analyse: () => ({ sentiment: 0 }) };
  const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000);
  const mk = (id: string, d: number, refund: number, text: string, orderId?: string): CaseInput => ({
    id, customerId: 'U', customerHandle: '@Ring_Guy', openedAt: day(d), refundAmount: refund, channel: 'email', text, orderId, signals: caseTextSignals(text, nlp),
  });
  it('uses only earlier history, with 30/90-day refund windows and INR-vs-first-attempt claims', () => {
    const cases = [mk('a', 0, 10, 'broken'), mk('b', 20, 20, 'never arrived', 'O1'), mk('c', 100, 5, 'package never arrived', 'O2')];
    const orders = [
      { id: 'O1', customerId: 'U', orderedAt: day(10), deliveredAt: day(12), firstAttemptSuccess: true },
      { id: 'O2', customerId: 'U', orderedAt: day(90), deliveredAt: day(95), firstAttemptSuccess: true },
    ];
    const ctx = featureContext(orders, { suspicion: new Map([['ring_guy', 0.8]]), ringMembers: new Set(['ring_guy']) });
    const spec = { channels: ['email'], vocabulary: { terms: [], idf: [] } };
    const names = featureNames(spec);
    const rows = caseFeatures(cases, ctx, spec);
    const f = (row: number[], name: string) => row[names.indexOf(name)];
    const c = rows[2];
    expect(f(c, 'prior_escalations')).toBe(2);
    expect(f(c, 'refunds_30d')).toBe(0);
    expect(f(c, 'refunds_90d')).toBe(1);
    expect(f(c, 'refund_amount_90d')).toBeCloseTo(Math.log1p(20), 12);
    expect(f(c, 'inr_first_attempt')).toBe(1);
    expect(f(c, 'prior_inr_first_attempt')).toBe(1);
    expect(f(c, 'claim_to_order_ratio')).toBe(3 / 2);
    expect(f(c, 'days_since_order')).toBe(10);
    expect(f(c, 'days_since_delivery')).toBe(5);
    expect(f(c, 'ring_member')).toBe(1);
    expect(f(c, 'handle_suspicion')).toBe(0.8);
    expect(f(c, 'channel_email')).toBe(1);
    expect(f(rows[0], 'prior_escalations')).toBe(0);
    expect(f(rows[0], 'order_missing')).toBe(1);
    expect(f(rows[1], 'refunds_30d')).toBe(1);
    expect(normaliseHandle('reddit:u/Ring_Guy')).toBe('ring_guy');
  });
  it('splits by ISO week, latest weeks last', () => {
    const cs = [0, 7, 14, 21].map((d) => ({ openedAt: day(d + 5) }));
    const { early, late } = splitByWeeks(cs, 0.25);
    expect(early).toHaveLength(3);
    expect(late).toEqual([cs[3]]);
  });
});
