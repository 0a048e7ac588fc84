import { describe, expect, it } from 'vitest';
import { evaluateScores, parseLabel } from '../../../analysis/rings/evaluate';
import { parseLabelsCsv } from '../../../jobs/labels';

describe('evaluate', () => {
  it('parses label files and rejects bad lines with their number', () => {
    expect(parseLabelsCsv('Account,Label\nreddit:u/a,1\ntwitter:2,false\n')).toEqual([
      { account: 'reddit:u/a', label: true },
      { account: 'twitter:2', label: false },
    ]);
    expect(() => parseLabelsCsv('account,label\nx,1\ny,maybe\n')).toThrow(/line 3/);
    expect(() => parseLabelsCsv('id,label\nx,1\n')).toThrow(/header/);
    expect(parseLabel(' Yes ')).toBe(true);
  });
  it('scores unscored labelled accounts as 0 and computes the metrics', () => {
    const scores = new Map([
      ['a', 0.9],
      ['b', 0.8],
      ['c', 0.1],
    ]);
    const r = evaluateScores(scores, [
      { account: 'a', label: true },
      { account: 'b', label: false },
      { account: 'c', label: false },
      { account: 'd', label: true }, // never scored → 0, ranks last
    ], [1, 2]);
    expect(r).toMatchObject({ labelled: 4, positives: 2, unscored: 1 });
    expect(r.rocAuc).toBeCloseTo(0.5, 12); // a beats b, c; d loses to both: 2/4
    expect(r.atK).toEqual([
      { k: 1, precision: 1, recall: 0.5 },
      { k: 2, precision: 0.5, recall: 0.5 },
    ]);
  });
});
