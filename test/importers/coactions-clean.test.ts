// Co-action row cleaning (importers/coactions.ts): rows keyed by the source's header are
// read in place, other rows re-keyed first; both must give the same post or refusal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanCoactionRow, coactionCleaner, resolveColumns } from '../../importers/coactions';

const times = fc.constantFrom(' 1629589836 ', '1629589836', '1629589836.6', '1629589836000', '2021-08-22T10:00:00Z', '2021-08-22 10:00', '', '  ', 'NULL', 'soon', '\u00a01629589836', '16295\u200b89836', 1629589836, 1629589836.4, -5);
const ids = fc.oneof(fc.constantFrom('', ' ', 'a', ' b ', 'x'.repeat(257), 'N/A', 'é'), fc.string({ maxLength: 6 }));
const platforms = fc.constantFrom('facebook', ' Twitter ', 'X / Twitter', '', 'NULL', 'a&amp;b');

describe('co-action row cleaning', () => {
  it('reads rows keyed by the header in place exactly as it re-keys any row (300 cases)', () => {
    // Loose spellings and a key given twice ("url_id" and "URL ID": the later wins, as when re-keyed).
    const header = ['Account ID', 'post_id', 'timestamp', 'url_id', 'hashtag_id', 'URL ID', 'platform'];
    const cols = resolveColumns(header);
    const inPlace = coactionCleaner({ ...cols, header }, 'src');
    const rekeyed = coactionCleaner(cols, 'src');
    fc.assert(
      fc.property(ids, ids, times, ids, ids, ids, platforms, (account, post, time, url1, hashtag, url2, platform) => {
        const row: Record<string, unknown> = { 'Account ID': account, post_id: post, timestamp: time, url_id: url1, hashtag_id: hashtag, 'URL ID': url2, platform };
        const want = cleanCoactionRow(row, cols, 'src');
        expect(inPlace(row)).toEqual(want);
        expect(rekeyed(row)).toEqual(want);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('takes plain epoch seconds without normalising them, and still refuses milliseconds', () => {
    const cols = resolveColumns(['account_id', 'post_id', 'timestamp', 'url_id']);
    const clean = coactionCleaner({ ...cols, header: ['account_id', 'post_id', 'timestamp', 'url_id'] }, 'src');
    const ok = clean({ account_id: 'a', post_id: 'p', timestamp: ' 1629589836 ', url_id: 'u' });
    expect(ok.ok && ok.doc.createdAt.toISOString()).toBe('2021-08-21T23:50:36.000Z');
    expect(ok.ok && ok.doc.week).toBe('2021-W33');
    const ms = clean({ account_id: 'a', post_id: 'p', timestamp: '1629589836000', url_id: 'u' });
    expect(ms.ok ? '' : ms.reason).toMatch(/epoch milliseconds/);
  });
});
