// `store.accounts` on the real FerretDB: a co-action import writes no account documents, and
// the accounts its posts derive are what the import stored before (field for field, against the
// old write path on the same files), merged with the stored documents for every read, written
// out whole before an update, refused as duplicates on insert (a reviews import widens them as
// before), and reloaded by live views when an import finishes.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageWriter } from '../../crawlers/page-writer';
import { runImportJob } from '../../jobs/import';
import { openLookups } from '../../storage/lookups';
import type { Store } from '../../storage/store';
import type { Account, Post } from '../../storage/types';
import { datasetPath } from '../helpers/datasets';
import { testStore } from '../helpers/store';
import { coactionFilePosts } from '../helpers/coaction-file';
import { inputFiles, jobContext } from '../importers/helpers';

const write = inputFiles('ringwatch-derived-');

/**
 * The old write path of `import coactions`, written out here (not the code under test): each
 * author of the file's posts (each post as stored: an earlier import's version wins) inserted
 * with the platform and handle of its first post and its posts' first/last times, or a stored
 * account widened to cover them; the counts as the import reported them.
 */
async function oldImport(store: Store, posts: Post[], stored: Map<string, Post>): Promise<Record<string, number>> {
  const spans = new Map<string, Account>();
  for (const p of posts) {
    const q = stored.get(p._id) ?? p;
    if (!stored.has(p._id)) stored.set(p._id, p);
    const a = spans.get(q.accountId);
    if (!a) spans.set(q.accountId, { _id: q.accountId, platform: q.platform, handle: q.author, firstSeenAt: q.createdAt, lastSeenAt: q.createdAt });
    else {
      if (q.createdAt < a.firstSeenAt) a.firstSeenAt = q.createdAt;
      if (q.createdAt > a.lastSeenAt) a.lastSeenAt = q.createdAt;
    }
  }
  const existing = await store.accounts.stored.getMap([...spans.keys()]);
  const counts = { accountsCreated: 0, accountsWidened: 0 };
  for (const a of spans.values()) {
    const old = existing.get(a._id);
    if (!old) {
      counts.accountsCreated++;
      await store.accounts.stored.insertOne(a);
      continue;
    }
    const set: Partial<Account> = {};
    if (a.firstSeenAt < old.firstSeenAt) set.firstSeenAt = a.firstSeenAt;
    if (a.lastSeenAt > old.lastSeenAt) set.lastSeenAt = a.lastSeenAt;
    if (Object.keys(set).length === 0) continue;
    counts.accountsWidened++;
    await store.accounts.stored.setMany([{ id: a._id, set }]);
  }
  return counts;
}

const all = (store: Store) => store.accounts.find({}, { sort: { _id: 1 } });

// Out of order in time (an account's first row is not its earliest), two platforms, a post over two rows.
const FIRST = [
  'account_id,post_id,url_id,hashtag_id,timestamp,platform',
  'a1,p1,u1,,1650000100,Twitter',
  'a2,p2,u1,h1,1650000050,twitter',
  'a1,p3,u2,,1650000000,twitter',
  'a3,p4,u2,,1650000300,facebook',
  'a1,p1,,h2,1650000100,twitter',
  'a4,p5,,h1,1650000200,facebook',
];
// A later file: new posts of known accounts (widening them both ways), a new account, a post again.
const SECOND = [
  'account_id,post_id,url_id,hashtag_id,timestamp,platform',
  'a1,p6,u3,,1649999000,twitter',
  'a3,p7,u3,,1650009000,facebook',
  'a5,p8,u3,,1650000500,twitter',
  'a2,p2,u1,h1,1650000050,twitter',
];

describe('accounts derived from co-action posts', () => {
  let fresh: Awaited<ReturnType<typeof testStore>>;
  let old: Awaited<ReturnType<typeof testStore>>;
  beforeAll(async () => {
    [fresh, old] = await Promise.all([testStore(), testStore()]);
  });
  afterAll(async () => Promise.all([fresh?.close(), old?.close()]));

  it('are the accounts the old import stored, field for field, and widen with a second file; no account document is written', async () => {
    const one = write('one.csv', FIRST);
    const two = write('two.csv', SECOND);
    const stored = new Map<string, Post>();
    const oldOne = await oldImport(old, coactionFilePosts(one, 'shares'), stored);
    const first = await runImportJob(jobContext(fresh), { what: 'coactions', file: one, source: 'shares' });
    expect(first.derived).toEqual(oldOne);
    expect(first.derived).toEqual({ accountsCreated: 4, accountsWidened: 0 });
    expect(await fresh.accounts.stored.count({})).toBe(0);
    expect(await all(fresh)).toEqual(await all(old));
    expect(await fresh.accounts.get('twitter:a1')).toEqual({
      _id: 'twitter:a1', platform: 'twitter', handle: 'a1', firstSeenAt: new Date(1650000000_000), lastSeenAt: new Date(1650000100_000),
    });

    const oldTwo = await oldImport(old, coactionFilePosts(two, 'shares'), stored);
    const second = await runImportJob(jobContext(fresh), { what: 'coactions', file: two, source: 'shares' });
    expect(second.derived).toEqual(oldTwo);
    expect(second.derived).toEqual({ accountsCreated: 1, accountsWidened: 2 });
    expect(await all(fresh)).toEqual(await all(old));
    expect((await fresh.accounts.get('twitter:a1'))?.firstSeenAt).toEqual(new Date(1649999000_000));

    // The same file again: nothing changes.
    expect((await runImportJob(jobContext(fresh), { what: 'coactions', file: two, source: 'shares' })).derived).toEqual({ accountsCreated: 0, accountsWidened: 0 });
    expect(await all(fresh)).toEqual(await all(old));
    expect(await fresh.accounts.stored.count({})).toBe(0);
  });

  const GERMAN = datasetPath('german-elections-2021/posts.csv.gz');
  it.skipIf(!GERMAN)('are the old import\'s accounts on a sample of german-elections-2021', async () => {
    const [a, b] = await Promise.all([testStore(), testStore()]);
    try {
      const lines = gunzipSync(readFileSync(GERMAN as string)).toString('utf8').split('\n').slice(0, 6001);
      const file = write('german-sample.csv.gz', lines);
      const made = await oldImport(b, coactionFilePosts(file, 'german'), new Map());
      expect((await runImportJob(jobContext(a), { what: 'coactions', file, source: 'german' })).derived).toEqual(made);
      const [x, y] = [await all(a), await all(b)];
      expect(x.length).toBeGreaterThan(1000);
      expect(x).toEqual(y);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('store.accounts merges stored and derived accounts', () => {
  let store: Awaited<ReturnType<typeof testStore>>;
  const crawled: Account = { _id: 'twitter:a2', platform: 'twitter', handle: 'Crawled', createdAt: new Date(1500000000_000), firstSeenAt: new Date(1700000000_000), lastSeenAt: new Date(1700000000_000) };
  const other: Account = { _id: 'reddit:u/x', platform: 'reddit', handle: 'x', firstSeenAt: new Date(1700000000_000), lastSeenAt: new Date(1700000000_000) };
  beforeAll(async () => {
    store = await testStore();
    await store.accounts.upsertMany([crawled, other]);
    await runImportJob(jobContext(store), { what: 'coactions', file: write('merge.csv', FIRST), source: 'shares' });
  });
  afterAll(async () => store?.close());

  it('reads the union: get, getMany, stream, find, count, distinct; a stored document wins', async () => {
    expect(await store.accounts.stored.count({})).toBe(2);
    // The stored one was widened by the import as before (its posts are older than its crawl).
    const a2 = await store.accounts.get('twitter:a2');
    expect(a2).toMatchObject({ handle: 'Crawled', createdAt: crawled.createdAt, firstSeenAt: new Date(1650000050_000), lastSeenAt: crawled.lastSeenAt });
    expect(await store.accounts.get('facebook:a3', { projection: { handle: 1 } })).toEqual({ _id: 'facebook:a3', handle: 'a3' });
    expect(await store.accounts.get('facebook:none')).toBeNull();
    expect((await store.accounts.getMany(['facebook:a4', 'none', 'reddit:u/x', 'twitter:a2'])).map((a) => a._id)).toEqual(['facebook:a4', 'reddit:u/x', 'twitter:a2']);
    expect([...(await store.accounts.getMap(['twitter:a1', 'twitter:a2'], { projection: { _id: 1 } })).values()]).toEqual([{ _id: 'twitter:a1' }, { _id: 'twitter:a2' }]);

    const ids = ['facebook:a3', 'facebook:a4', 'reddit:u/x', 'twitter:a1', 'twitter:a2'];
    const streamed: string[] = [];
    for await (const a of store.accounts.stream({}, { projection: { _id: 1, handle: 1 } })) streamed.push(a._id);
    expect(streamed.sort()).toEqual(ids);
    const twitter: Account[] = [];
    for await (const a of store.accounts.stream({ platform: 'twitter' })) twitter.push(a);
    expect(twitter.map((a) => [a._id, a.handle]).sort()).toEqual([['twitter:a1', 'a1'], ['twitter:a2', 'Crawled']]);
    expect((await store.accounts.find({}, { sort: { _id: -1 }, skip: 1, limit: 2, projection: { _id: 1 } })).map((a) => a._id)).toEqual(['twitter:a1', 'reddit:u/x']);
    expect((await store.accounts.find({ createdAt: { $exists: false } }, { sort: { _id: 1 } })).map((a) => a._id)).toEqual(['facebook:a3', 'facebook:a4', 'reddit:u/x', 'twitter:a1']);
    // A stored document not matching the filter hides its derived account.
    expect(await store.accounts.find({ handle: 'a2' })).toEqual([]);

    expect(await store.accounts.count({})).toBe(5);
    expect(await store.accounts.count({ platform: 'facebook' })).toBe(2);
    expect(await store.accounts.count({ _id: { $in: ['twitter:a1', 'twitter:a2', 'none'] } })).toBe(2);
    expect(await store.accounts.count({ handle: { $regex: '^a[12]$' } })).toBe(1);
    expect(await store.accounts.count({ platform: { $nin: ['twitter'] }, handle: { $ne: 'x' } })).toBe(2);
    expect((await store.accounts.distinct('platform')).sort()).toEqual(['facebook', 'reddit', 'twitter']);
    expect((await store.accounts.distinct('_id', { platform: 'twitter' })).sort()).toEqual(['twitter:a1', 'twitter:a2']);
  });

  it('throws on a filter operator it cannot evaluate on derived accounts', async () => {
    await expect(store.accounts.count({ firstSeenAt: { $gt: new Date(0) } })).rejects.toThrow(/\$gt .*derived-accounts/);
    await expect(store.accounts.find({ $or: [{ platform: 'twitter' }] })).rejects.toThrow(/\$or/);
    const streamed = (async () => {
      for await (const _ of store.accounts.stream({ handle: { $size: 1 } } as never)) break;
    })();
    await expect(streamed).rejects.toThrow(/\$size/);
  });

  it('writes a derived account whole before an update; refuses to insert or delete one', async () => {
    // A crawl meeting the account later: refused as already there, then upserted without firstSeenAt (crawlers/page-writer.ts): nothing written.
    const crawl: Account = { _id: 'twitter:a1', platform: 'twitter', handle: 'A1', firstSeenAt: new Date(1700000000_000), lastSeenAt: new Date(1700000000_000) };
    const r = await store.accounts.insertMany([crawl, { ...other, _id: 'reddit:u/y' }]);
    expect(r.upserted).toBe(1);
    expect(r.rejected.map((x) => x.id)).toEqual(['twitter:a1']);
    expect(r.rejected[0].reason).toMatch(/E11000|duplicate/);
    expect(await store.accounts.stored.get('twitter:a1')).toBeNull();
    const before = await store.accounts.get('facebook:a3');
    await store.accounts.setMany([{ id: 'facebook:a3', set: { displayName: 'Three' } }]);
    expect(await store.accounts.stored.get('facebook:a3')).toEqual({ ...before, displayName: 'Three' });
    const updated = await store.accounts.update('facebook:a4', (a) => ({ set: { karma: a.handle.length } }));
    expect(updated?.doc).toMatchObject({ handle: 'a4', karma: 2, firstSeenAt: new Date(1650000200_000) });
    expect(await store.accounts.stored.get('facebook:a4')).toMatchObject({ platform: 'facebook', handle: 'a4', karma: 2, firstSeenAt: new Date(1650000200_000), lastSeenAt: new Date(1650000200_000) });
    expect(await store.accounts.updateOne({ _id: 'twitter:a1' }, { set: { followers: 3 } })).toBe(1);
    expect(await store.accounts.stored.get('twitter:a1')).toMatchObject({ handle: 'a1', followers: 3, firstSeenAt: new Date(1650000000_000) });

    await expect(store.accounts.insertOne({ ...crawl, _id: 'facebook:a3' })).rejects.toMatchObject({ code: 11000 });
    await store.accounts.deleteMany({ _id: 'reddit:u/y' });
    await expect(store.accounts.deleteMany({ platform: 'facebook' })).resolves.toBe(2); // both stored now
    // Their derived accounts remain (they follow the posts), and cannot be deleted.
    expect(await store.accounts.get('facebook:a3')).toEqual(before);
    await expect(store.accounts.deleteMany({ platform: 'facebook' })).rejects.toThrow(/derived from stored co-action posts/);
  });

  it('an upsert of a derived id (a crawl meeting it) keeps its derived fields the document leaves out', async () => {
    const s = await testStore();
    try {
      await runImportJob(jobContext(s), { what: 'coactions', file: write('upsert.csv', FIRST), source: 'shares' });
      const { firstSeenAt: _, ...seen } = { _id: 'twitter:a2', platform: 'twitter', handle: 'A2', firstSeenAt: new Date(), lastSeenAt: new Date(1700000000_000) } as Account;
      await s.accounts.upsertMany([seen as Account]);
      expect(await s.accounts.stored.get('twitter:a2')).toEqual({ ...seen, firstSeenAt: new Date(1650000050_000) });
      // A crawl meeting derived accounts later (both of its paths: insert first, then look-up first):
      // stored with the crawl's details, first seen kept from the posts, as when the import stored them.
      const writer = new PageWriter(s);
      const crawl = (id: string): Account => ({ _id: id, platform: id.split(':')[0], handle: 'Seen', createdAt: new Date(1500000000_000), firstSeenAt: new Date(1700000000_000), lastSeenAt: new Date(1700000000_000) });
      expect(await writer.writeAccounts([crawl('facebook:a3')])).toBe(0);
      expect(await writer.writeAccounts([crawl('facebook:a4')])).toBe(0);
      for (const [id, first] of [['facebook:a3', 1650000300_000], ['facebook:a4', 1650000200_000]] as const) {
        expect(await s.accounts.stored.get(id)).toEqual({ ...crawl(id), firstSeenAt: new Date(first) });
      }
    } finally {
      await s.close();
    }
  });

  it('a reviews import of a derived account widens it, as when the co-action import had stored it', async () => {
    const s = await testStore();
    try {
      await runImportJob(jobContext(s), { what: 'coactions', file: write('reviews-first.csv', FIRST), source: 'shares' });
      const reviews = write('reviews.csv', ['author,product,created_at,rating,platform', 'a1,B0TEST0001,2023-01-01,5,twitter', 'zed,B0TEST0001,2023-01-02,5,twitter']);
      const r = await runImportJob(jobContext(s), { what: 'reviews', file: reviews, source: 'shop' });
      expect(r.derived).toEqual({ accountsCreated: 1, accountsWidened: 1 });
      expect(await s.accounts.stored.get('twitter:a1')).toEqual({ _id: 'twitter:a1', platform: 'twitter', handle: 'a1', firstSeenAt: new Date(1650000000_000), lastSeenAt: new Date('2023-01-01') });
      expect(await s.accounts.count({})).toBe(5);
    } finally {
      await s.close();
    }
  });

  it('live account views reload when a co-action import finishes', async () => {
    const s = await testStore();
    const lookups = openLookups(s);
    try {
      await lookups.start();
      expect(await lookups.account('twitter:a1', 10)).toBeNull();
      await runImportJob(jobContext(s), { what: 'coactions', file: write('live.csv', FIRST), source: 'shares' });
      let found = null;
      for (let t = Date.now(); !found && Date.now() - t < 5_000; ) {
        found = await lookups.account('twitter:a1', 10);
        if (!found) await new Promise((r) => setTimeout(r, 50));
      }
      expect(found && JSON.parse(found.json)).toMatchObject({ _id: 'twitter:a1', handle: 'a1' });
    } finally {
      lookups.close();
      await s.close();
    }
  });
});
