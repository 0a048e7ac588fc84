// `import coactions`: CooRTweet's schema and the multi-object form (gzipped), a wrong
// header, bad rows with their line numbers, re-runs, named columns. Real store.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveColumns } from '../../importers/coactions';
import { runImportJob } from '../../jobs/import';
import type { Store } from '../../storage/store';
import { testStore } from '../helpers/store';
import { inputFiles, jobContext } from './helpers';

const write = inputFiles('ringwatch-coactions-');

/** The stored co-action posts, by id (they are stored packed: storage/coactions.ts). */
async function coPosts(store: Store) {
  return [...(await store.coactions.view()).posts].sort((a, b) => (a._id < b._id ? -1 : 1));
}
const coPost = async (store: Store, id: string) => (await store.postsById([id]))[0];

describe('import coactions', () => {
  let store: Awaited<ReturnType<typeof testStore>>;
  beforeAll(async () => {
    store = await testStore();
  });
  afterAll(async () => store?.close());

  it("reads CooRTweet's schema: one row per object, rows of one post merge; bad rows by line; a re-run changes nothing", async () => {
    const file = write('russian.csv', [
      'object_id,account_id,content_id,timestamp_share',
      'rt9,acc1,c1,1650000000', // line 2
      'rt9,acc2,c2,1650000004',
      'rt7,acc1,c1,1650000000', // same post c1, second object
      ',acc3,c3,1650000100', // no object: a post sharing nothing
      'rt9,,c4,1650000005', // line 6: no account
      'rt9,acc4,c5,1650000005000', // line 7: milliseconds
      'rt9,acc4,c6,yesterday', // line 8: not a time
      'rt9,acc4,c7', // line 9: field count
    ]);
    const ctx = jobContext(store);
    const first = await runImportJob(ctx, { what: 'coactions', file, source: 'ru' });
    expect(first).toMatchObject({ kind: 'coactions', read: 8, imported: 3, rejected: 4, duplicates: 1 });
    const rejects = parse(readFileSync(first.rejectsFile as string), { columns: true }) as { line: string; reason: string }[];
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      ['6', 'account_id is empty'],
      ['7', 'timestamp_share "1650000005000" looks like epoch milliseconds; expected epoch seconds'],
      ['8', 'timestamp_share "yesterday" is not epoch seconds or an ISO 8601 date'],
      ['9', 'has 3 fields, header has 4'],
    ]);
    const posts = await coPosts(store);
    expect(await store.posts.count({})).toBe(0); // none stored one per document
    expect(posts.map((p) => [p._id, p.accountId, p.kind, p.objects])).toEqual([
      ['import:ru:c1', 'ru:acc1', 'share', ['object:rt7', 'object:rt9']],
      ['import:ru:c2', 'ru:acc2', 'share', ['object:rt9']],
      ['import:ru:c3', 'ru:acc3', 'share', undefined],
    ]);
    expect(posts[1].createdAt.toISOString()).toBe('2022-04-15T05:20:04.000Z');
    expect((await store.accounts.find({}, { sort: { _id: 1 } })).map((a) => a._id)).toEqual(['ru:acc1', 'ru:acc2', 'ru:acc3']);

    const again = await runImportJob(ctx, { what: 'coactions', file, source: 'ru' });
    expect(again).toMatchObject({ read: 8, imported: 0, updated: 0, unchanged: 3, rejected: 4 });
    const after = await coPosts(store);
    expect(after.map((p) => p.fetchedAt.getTime())).toEqual(posts.map((p) => p.fetchedAt.getTime()));

    // A later file adding an object to a stored post widens it; nothing else changes.
    const more = write('russian-2.csv', ['object_id,account_id,content_id,timestamp_share', 'rt5,acc2,c2,1650000004']);
    expect(await runImportJob(ctx, { what: 'coactions', file: more, source: 'ru' })).toMatchObject({ imported: 0, updated: 1, rejected: 0 });
    expect((await coPost(store, 'import:ru:c2'))?.objects).toEqual(['object:rt5', 'object:rt9']);
  });

  it('reads the multi-object form from a gzipped file, objects named by their columns', async () => {
    const file = write('german.csv.gz', [
      'account_id,post_id,url_id,hashtag_id,domain_id,phash_id,timestamp',
      'fb_1,10,23678,,3498,,1629589836.0',
      'tw_2,11,23678,,3498,,1629589840.0',
      'tw_2,11,,69114,,,1629589840.0', // post 11's hashtag, on its own row as in the german set
      'fb_3,12,,,,,1629589000.0',
      'fb_3,,,,,9280,1629589001.0', // line 6: no post id
    ]);
    const r = await runImportJob(jobContext(store), { what: 'coactions', file });
    expect(r).toMatchObject({ read: 5, imported: 3, rejected: 1, duplicates: 1 });
    const rejects = parse(readFileSync(r.rejectsFile as string), { columns: true }) as { line: string; reason: string }[];
    expect(rejects.map((x) => [x.line, x.reason])).toEqual([['6', 'post_id is empty']]);
    const p11 = await coPost(store, 'import:german:11');
    expect(p11).toMatchObject({ accountId: 'german:tw_2', author: 'tw_2', objects: ['domain:3498', 'hashtag:69114', 'url:23678'] });
    expect(p11?.createdAt.getTime()).toBe(1629589840_000);
    expect((await coPost(store, 'import:german:12'))?.objects).toBeUndefined();
  });

  it('refuses a wrong header with one error naming every missing column, before reading rows', async () => {
    const file = write('wrong.csv', ['user,content_id,when,url', 'a,1,1650000000,u']);
    await expect(runImportJob(jobContext(store), { what: 'coactions', file })).rejects.toThrow(
      /the header lacks account_id, timestamp or timestamp_share, object columns \(object_id, or url_id/,
    );
    expect(() => resolveColumns(['account_id', 'post_id', 'url_id'])).toThrow(/lacks timestamp or timestamp_share \(found: account_id, post_id, url_id\)/);
    expect((await coPosts(store)).filter((p) => p.source === 'import:wrong')).toHaveLength(0);
  });

  it('takes other column names from flags', async () => {
    const file = write('named.ndjson', [
      JSON.stringify({ user: 'u1', tweet: 't1', at: '2021-09-01T10:00:00Z', retweeted: 'r1', lang: 'de_id' }),
      JSON.stringify({ user: 'u2', tweet: 't2', at: 1630490405, retweeted: 'r1' }),
    ]);
    const r = await runImportJob(jobContext(store), { what: 'coactions', file, source: 'x', columns: { account: 'user', post: 'tweet', time: 'at', objects: ['retweeted'] } });
    expect(r).toMatchObject({ imported: 2, rejected: 0 });
    expect((await coPost(store, 'import:x:t2'))?.objects).toEqual(['retweeted:r1']);
    await expect(runImportJob(jobContext(store), { what: 'coactions', file, columns: { objects: ['retweeted', 'quoted'] } })).rejects.toThrow(
      /lacks account_id, post_id or content_id, timestamp or timestamp_share, quoted/,
    );
  });
});
