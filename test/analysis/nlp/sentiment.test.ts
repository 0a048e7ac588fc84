import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyseSentiment, ratingToScore, sentimentOf, statedRating } from '../../../analysis/nlp/sentiment';

describe('sentiment', () => {
  it('is 0 for empty or absent text and never crashes', () => {
    expect(sentimentOf(undefined)).toBe(0);
    expect(sentimentOf(null)).toBe(0);
    expect(sentimentOf('')).toBe(0);
    expect(analyseSentiment('   ')).toEqual({ score: 0, sentences: [] });
  });
  it('stays within -1..1 for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (t) => {
        const s = sentimentOf(t);
        expect(Number.isFinite(s)).toBe(true);
        expect(Math.abs(s)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });
  it('gets the direction of plain reviews right', () => {
    for (const t of ['I love it, works great!', 'Highly recommend!', 'Game changer, must buy!', 'Best purchase this year. 5 stars.']) expect(sentimentOf(t), t).toBeGreaterThan(0.3);
    for (const t of ['Terrible. Broke after 2 days.', 'Do not buy this junk.', 'Would not recommend.', 'Waste of money.', '1 star']) expect(sentimentOf(t), t).toBeLessThan(-0.2);
  });
  it('reads stated ratings (wink alone calls "1 star" positive)', () => {
    expect(statedRating('1 star')).toBe(1);
    expect(statedRating('five stars!')).toBe(5);
    expect(statedRating('4.5 out of 5 stars')).toBe(4.5);
    expect(statedRating('solid 8/10')).toBe(4);
    expect(statedRating('was 5 stars, now 2 stars')).toBe(2);
    expect(statedRating('on 24/7 and 1/2 price')).toBeUndefined();
    expect(statedRating('no rating here')).toBeUndefined();
    expect(ratingToScore(1)).toBe(-1);
    expect(ratingToScore(5)).toBe(1);
    expect(sentimentOf('1 star')).toBeLessThan(0);
    expect(sentimentOf('10/10')).toBeGreaterThan(0.5);
  });
  it('scores sentences separately, for per-product sentiment', () => {
    const s = analyseSentiment('The Zentro X200 is amazing. But the case is terrible and cheap.');
    expect(s.sentences).toHaveLength(2);
    expect(s.sentences[0].score).toBeGreaterThan(0.3);
    expect(s.sentences[1].score).toBeLessThan(-0.3);
  });
});
