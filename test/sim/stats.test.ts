import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RequestRecord, RequestLog, countsPerFixedWindow, cycleShares, maxInSlidingWindow } from '../../sim/stats';

const rec = (t: number, status = 200): RequestRecord => ({ t, platform: 'reddit', client: 'c', endpoint: 'GET /x', status });

describe('request log', () => {
  it('finds the busiest sliding window like a brute-force count', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 60 }), fc.integer({ min: 1, max: 3000 }), (times, windowMs) => {
        const records = times.map((t) => rec(t));
        let brute = 0;
        for (const a of times) brute = Math.max(brute, times.filter((b) => b >= a && b < a + windowMs).length);
        expect(maxInSlidingWindow(records, windowMs)).toBe(brute);
      }),
    );
  });

  it('counts per aligned window and per client/endpoint', () => {
    const log = new RequestLog();
    for (const t of [0, 100, 1999, 2000, 2500]) log.add(rec(t));
    log.add(rec(2600, 429));
    expect([...countsPerFixedWindow(log.records, 2000)]).toEqual([
      [0, 3],
      [2000, 3],
    ]);
    const s = log.stats();
    expect(s.byClient['reddit c']).toEqual({ requests: 6, ok: 5, rateLimited: 1, errors: 0 });
    expect(s.byEndpoint['reddit GET /x'].requests).toBe(6);
  });

  it('measures the share of a limit used per cycle, where fixed windows alias a burst', () => {
    // 30 requests in a 15 ms burst, the burst again every 2040 ms: the limit used in full
    // (a 2 % margin), which per fixed 2 s window reads 30, 30, …, 0 now and then.
    const burst = (k: number) => Array.from({ length: 30 }, (_, j) => rec(1990 + k * 2040 + j / 2));
    const log = Array.from({ length: 6 }, (_, k) => burst(k)).flat();
    const fixed = [...countsPerFixedWindow(log, 2000).values()];
    expect(Math.min(...fixed.slice(1, -1))).toBeLessThan(30);
    const shares = cycleShares(log, 30, 2000);
    expect(shares).toHaveLength(150);
    for (const x of shares) expect(x).toBeCloseTo(2000 / 2040, 3);
    // A steady stream at four fifths of the limit reads 0.8 in every cycle.
    const slow = Array.from({ length: 100 }, (_, i) => rec(i * (2000 / 24)));
    for (const x of cycleShares(slow, 30, 2000)) expect(x).toBeCloseTo(0.8, 6);
    expect(cycleShares(slow.slice(0, 30), 30, 2000)).toEqual([]);
  });
});
