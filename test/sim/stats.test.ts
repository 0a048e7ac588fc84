import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RequestRecord, RequestLog, countsPerFixedWindow, maxInSlidingWindow } from '../../sim/stats';

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
});
