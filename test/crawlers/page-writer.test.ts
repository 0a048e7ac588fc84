// The crawl engine's page writer against the real store: whatever it reads or skips, the
// store ends as the plain rule says (first sighting stored whole; later sightings rewrite
// only what the platform shows differently; a stored post seen deleted is only marked;
// accounts keep their firstSeenAt), and the counts are those of a look-up before every write.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { PageWriter } from '../../crawlers/page-writer';
import { SeenPosts } from '../../storage/seen-posts';
import type { Store } from '../../storage/store';
import type { Account, Post } from '../../storage/types';
import { testStore } from '../helpers/store';

let store: Store;
beforeAll(async () => {
  store = await testStore();
});
afterAll(async () => {
  await store?.close();
});

type Sighting = { post: number; text: number; score: number; title: boolean; deleted: boolean; details: boolean };
const POSTS = 10;
const AUTHORS = 4;

function postOf(ns: string, s: Sighting, fetchedAt: Date): Post {
  const author = `a${s.post % AUTHORS}`;
  return {
    _id: `twitter:${ns}-${s.post}`,
    platform: 'twitter',
    kind: 'tweet',
    externalId: `${ns}-${s.post}`,
    accountId: `twitter:${ns}-${author}`,
    author: s.deleted ? '[deleted]' : author,
    createdAt: new Date(Date.UTC(2026, 10, 1, 0, s.post)),
    week: '2026-W44',
    text: s.deleted ? undefined : `post ${s.post} version ${s.text}`,
    title: s.title ? `title ${s.text}` : undefined,
    score: s.score,
    deleted: s.deleted || undefined,
    // Every third post replies to the one before it.
    parentId: s.post % 3 === 2 ? `twitter:${ns}-${s.post - 1}` : undefined,
    source: 'test',
    fetchedAt,
  };
}

function accountOf(post: Post, details: boolean, seen: Date): Account {
  return {
    _id: post.accountId,
    platform: 'twitter',
    handle: post.accountId.split('-')[1],
    createdAt: details ? new Date(Date.UTC(2020, 0, 1)) : undefined,
    firstSeenAt: seen,
    lastSeenAt: seen,
  };
}

const defined = (d: object) => Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined));

/** The rule, over a map: a look-up of every post before each write, no memory between pages. */
function modelWrite(posts: Map<string, Post>, accounts: Map<string, Account>, written: Map<string, boolean>, page: { posts: Post[]; accounts: Account[] }) {
  const before = new Map(page.posts.map((p) => [p._id, posts.get(p._id)]));
  const fresh = page.posts.filter((p) => !before.get(p._id));
  const counts = {
    new: new Set(fresh.map((p) => p._id)).size,
    duplicates: page.posts.length - fresh.length,
    deleted: page.posts.filter((p) => p.deleted && !before.get(p._id)?.deleted).length,
    accounts: 0,
  };
  for (const a of page.accounts.filter((a) => !written.has(a._id) || (!written.get(a._id) && a.createdAt))) {
    const old = accounts.get(a._id);
    if (old) {
      const { firstSeenAt: _f, ...rest } = a;
      accounts.set(a._id, { ...old, ...defined(rest) });
    } else {
      accounts.set(a._id, defined(a) as Account);
      counts.accounts++;
    }
    written.set(a._id, !!a.createdAt);
  }
  for (const p of page.posts) {
    const old = before.get(p._id);
    if (!old) posts.set(p._id, defined(p) as Post);
    else if (p.deleted) {
      if (!old.deleted) posts.set(p._id, { ...(posts.get(p._id) as Post), deleted: true, fetchedAt: p.fetchedAt });
    } else if (old.deleted || old.text !== p.text || old.title !== p.title || old.score !== p.score) {
      const { _id, ...rest } = p;
      posts.set(p._id, { ...(posts.get(p._id) as Post), ...defined(rest) });
    }
  }
  return counts;
}

const sighting = fc.record({
  post: fc.nat(POSTS - 1),
  text: fc.nat(1),
  score: fc.nat(1),
  title: fc.boolean(),
  deleted: fc.nat(3).map((n) => n === 0),
  details: fc.boolean(),
});
// A page shows each post at most once.
const page = fc.uniqueArray(sighting, { minLength: 1, maxLength: 8, selector: (s) => s.post });
// Runs (each a new writer, as each crawl run is) of pages.
const runs = fc.array(fc.array(page, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 });

describe('page writer', () => {
  let namespace = 0;
  // FerretDB: the writer remembers what it met (store.seenPosts); MongoDB: a memory that keeps nothing, every page compared with the store.
  const writers: [string, () => PageWriter][] = [
    ['remembering (FerretDB)', () => new PageWriter(store)],
    ['without memory (MongoDB)', () => new PageWriter({ ...store, seenPosts: () => new SeenPosts(0) })],
  ];
  it.each(writers)('stores what a look-up before every write would store, with the same counts, across runs: %s', async (_name, newWriter) => {
    // The ids of each write that stores posts (deletion marks only touch stored ones), in order.
    const writes: string[][] = [];
    const repo = store.posts;
    const originals = { insertMany: repo.insertMany, upsertMany: repo.upsertMany };
    repo.insertMany = (docs) => {
      writes.push(docs.map((d) => d._id));
      return originals.insertMany.call(repo, docs);
    };
    repo.upsertMany = (docs) => {
      writes.push(docs.map((d) => d._id));
      return originals.upsertMany.call(repo, docs);
    };
    onTestFinished(() => {
      Object.assign(repo, originals);
    });
    await fc.assert(
      fc.asyncProperty(runs, async (plan) => {
        const ns = `p${namespace++}`;
        const posts = new Map<string, Post>();
        const accounts = new Map<string, Account>();
        let tick = 0;
        for (const run of plan) {
          const writer = newWriter();
          const written = new Map<string, boolean>();
          for (const sightings of run) {
            const at = new Date(Date.UTC(2026, 10, 2) + tick++ * 1000);
            const ps = sightings.map((s) => postOf(ns, s, at));
            const accs = [...new Map(ps.filter((p) => !p.deleted).map((p, i) => [p.accountId, accountOf(p, sightings[i].details, at)])).values()];
            const pg = { posts: ps, accounts: accs };
            const want = modelWrite(posts, accounts, written, pg);
            writes.length = 0;
            expect(await writer.write(pg)).toEqual(want);
            // A parent is written only after its replies on the page (a crash between leaves no parent without them).
            const firstWrite = (id: string) => writes.findIndex((w) => w.includes(id));
            for (const reply of ps.filter((p) => p.parentId && ps.some((q) => q._id === p.parentId))) {
              const parentAt = firstWrite(reply.parentId as string);
              if (parentAt >= 0 && firstWrite(reply._id) >= 0) expect(firstWrite(reply._id)).toBeLessThan(parentAt);
            }
          }
        }
        const storedPosts = await store.posts.find({ externalId: { $regex: `^${ns}-` } });
        expect(new Map(storedPosts.map((p) => [p._id, p]))).toEqual(posts);
        const storedAccounts = await store.accounts.find({ _id: { $regex: `^twitter:${ns}-` } });
        expect(new Map(storedAccounts.map((a) => [a._id, a]))).toEqual(accounts);
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('reads nothing for posts it stored this run, and inserts new ones without a look-up', async () => {
    const reads: string[][] = [];
    const posts = store.posts;
    const getMany = posts.getMany.bind(posts);
    posts.getMany = (ids, opts) => {
      reads.push([...ids]);
      return getMany(ids, opts);
    };
    try {
      const at = new Date();
      const pg = (n: number, text: number) =>
        Array.from({ length: n }, (_, i) => postOf('reads', { post: i, text, score: 1, title: false, deleted: false, details: true }, at));
      const writer = new PageWriter(store);
      expect(await writer.write({ posts: pg(6, 0), accounts: [] })).toMatchObject({ new: 6, duplicates: 0 });
      expect(reads).toEqual([]);
      // Seen again, one changed: rewritten from memory, still no read.
      const again = pg(6, 0);
      again[0] = postOf('reads', { post: 0, text: 1, score: 1, title: false, deleted: false, details: true }, at);
      expect(await writer.write({ posts: again, accounts: [] })).toMatchObject({ new: 0, duplicates: 6 });
      expect(reads).toEqual([]);
      expect((await store.posts.get('twitter:reads-0'))?.text).toBe('post 0 version 1');
      // A new run does not remember: the store refuses the inserts, those are looked up, then compared.
      const next = new PageWriter(store);
      expect(await next.write({ posts: pg(6, 0), accounts: [] })).toMatchObject({ new: 0, duplicates: 6 });
      expect(reads.flat().sort()).toEqual(
        pg(6, 0)
          .map((p) => p._id)
          .sort(),
      );
      expect((await store.posts.get('twitter:reads-0'))?.text).toBe('post 0 version 0');
    } finally {
      posts.getMany = getMany;
    }
  });

  it('remembers on FerretDB only: the store hands out a memory that keeps nothing elsewhere', () => {
    const seen = { digest: 'd', deleted: false, present: 1 };
    const ferret = store.seenPosts();
    expect(store.describe().ferretdb).toBe(true);
    ferret.set('p', seen);
    expect(ferret.get('p')).toEqual(seen);
    const none = new SeenPosts(0);
    none.set('p', seen);
    expect(none.get('p')).toBeUndefined();
    expect(none.size).toBe(0);
  });

  it('remembers a bounded number of posts', () => {
    const seen = new SeenPosts(4);
    for (let i = 0; i < 10; i++) seen.set(`p${i}`, { digest: String(i), deleted: i % 2 === 0, present: i % 8 });
    expect(seen.size).toBeLessThanOrEqual(8);
    expect(seen.get('p9')).toEqual({ digest: '9', deleted: false, present: 1 });
    expect(seen.get('p8')).toEqual({ digest: '8', deleted: true, present: 0 });
    expect(seen.get('p0')).toBeUndefined();
  });
});
