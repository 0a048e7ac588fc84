// The posts' time span and window reads (storage/post-window.ts): on FerretDB through the
// post time index, which concurrent writers in several store handles (as in several
// processes) keep complete, and which indexes posts stored before it existed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { isoWeek } from '../../analysis/time';
import { refsForAccounts } from '../../storage/post-refs';
import { openStore, type Store } from '../../storage/store';
import type { Post } from '../../storage/types';
import { testStore } from '../helpers/store';

const T0 = Date.UTC(2024, 0, 1);
const H = 3_600_000;

function post(i: number, t: number): Post {
  const createdAt = new Date(t);
  return {
    _id: `import:test:${i}`,
    platform: 'yelp',
    kind: 'review',
    externalId: String(i),
    accountId: `yelp:u${i % 50}`,
    author: `u${i % 50}`,
    createdAt,
    week: isoWeek(createdAt),
    source: 'test',
    fetchedAt: new Date(),
  };
}

async function collect(it: AsyncIterable<Post>): Promise<string[]> {
  const out: string[] = [];
  for await (const p of it) out.push(p._id);
  return out.sort();
}

describe('post window', () => {
  let store: Awaited<ReturnType<typeof testStore>>;
  let other: Store;
  beforeAll(async () => {
    store = await testStore();
    other = await openStore(store.config, { uri: inject('storeUri'), database: store.describe().database });
  });
  afterAll(async () => {
    await other?.close();
    await store?.close();
  });

  it('knows the span and reads a window exactly, with writers racing in two handles', async () => {
    // 2,000 posts one hour apart, written in small batches by two handles at once.
    const all = Array.from({ length: 2_000 }, (_, i) => post(i, T0 + i * H));
    const batches = Array.from({ length: 40 }, (_, b) => all.slice(b * 50, b * 50 + 50));
    await Promise.all([0, 1].map(async (w) => {
      for (let b = w; b < batches.length; b += 2) await (w === 0 ? store : other).posts.upsertMany(batches[b]);
    }));
    // A re-write of a post with a corrected date: the newer time counts.
    await store.posts.upsertMany([{ ...all[5], createdAt: new Date(T0 + 3_000 * H), week: isoWeek(new Date(T0 + 3_000 * H)) }]);

    const snap = await store.postWindow.snapshot();
    expect(snap.span).toEqual({ oldest: new Date(T0), newest: new Date(T0 + 3_000 * H), count: 2_000, accounts: 50 });
    // A narrow window (read by look-ups on FerretDB) and a wide one (scanned) give exactly the stored posts.
    for (const [from, to] of [[100, 171], [0, 1_999], [1_990, 3_000]]) {
      const since = new Date(T0 + from * H);
      const until = new Date(T0 + to * H);
      const expected = (await store.posts.find({ createdAt: { $gte: since, $lte: until } }, { projection: { _id: 1 } })).map((p) => p._id).sort();
      expect(await collect(snap.stream(since, until, { _id: 1, createdAt: 1 }))).toEqual(expected);
    }
    const since = new Date(T0 + 100 * H);
    const until = new Date(T0 + 171 * H);
    const inWindow = new Set(all.slice(100, 172).map((p) => p.accountId));
    // 72 posts inside; every one of the 50 accounts also posted inside, so none is left out.
    expect(await snap.outside(since, until, inWindow)).toEqual({ posts: 2_000 - 72, accounts: 0 });
    expect(await snap.outside(since, until, new Set())).toEqual({ posts: 2_000 - 72, accounts: 50 });
    // The index names the window's accounts, so detect reads them alongside the posts.
    expect(new Set(snap.windowAccounts(since, until))).toEqual(inWindow);
  });

  it('finds accounts’ posts (for ring reports) as an accountId filter does, without one on FerretDB', async () => {
    const accounts = ['yelp:u3', 'yelp:u17'];
    const expected = (await store.posts.find({ accountId: { $in: accounts } }, { projection: { _id: 1 } })).map((p) => p._id).sort();
    expect(expected.length).toBeGreaterThan(50);
    expect((await refsForAccounts(store, accounts)).map((r) => r._id).sort()).toEqual(expected);
    expect((await store.postWindow.postIdsOf(accounts))?.sort()).toEqual(store.describe().ferretdb ? expected : undefined);
  });

  it('indexes posts that were stored before the index existed', async () => {
    const legacy = await testStore();
    try {
      // As a store from before the index: posts present, no index entries, no completeness marker.
      await legacy.posts.collection.insertMany([post(9_001, T0 - 10 * H), post(9_002, T0 - 5 * H), post(9_003, T0)] as never[]);
      await legacy.posts.collection.db.collection('post_index').deleteMany({});
      const snap = await legacy.postWindow.snapshot();
      expect(snap.span).toEqual({ oldest: new Date(T0 - 10 * H), newest: new Date(T0), count: 3, accounts: 3 });
      expect(await collect(snap.stream(new Date(T0 - 10 * H), new Date(T0 - 5 * H), { _id: 1 }))).toEqual(['import:test:9001', 'import:test:9002']);
      // Later writes extend the index; nothing is indexed twice.
      await legacy.posts.upsertMany([post(9_004, T0 + H)]);
      expect((await legacy.postWindow.snapshot()).span).toEqual({ oldest: new Date(T0 - 10 * H), newest: new Date(T0 + H), count: 4, accounts: 4 });
    } finally {
      await legacy.close();
    }
  });
});
