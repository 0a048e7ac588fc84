import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWeek } from '../../analysis/time';
import type { Store } from '../../storage/store';
import type { Post } from '../../storage/types';
import { whyUnstorable } from '../../storage/validate';
import { testStore } from '../helpers/store';

function post(i: number, extra: Partial<Post> = {}): Post {
  const createdAt = new Date(Date.UTC(2026, 10, 1) + i * 60_000);
  return {
    _id: `reddit:t3_${i.toString(36)}`,
    platform: 'reddit',
    kind: 'submission',
    externalId: `t3_${i.toString(36)}`,
    accountId: `reddit:u/user${i % 97}`,
    author: `user${i % 97}`,
    createdAt,
    week: isoWeek(createdAt),
    title: `post ${i}`,
    text: `text of post ${i}`,
    community: 'gadgets',
    source: 'test',
    fetchedAt: new Date(),
    ...extra,
  };
}

describe('repositories on the embedded store', () => {
  let store: Store;
  beforeAll(async () => {
    store = await testStore();
  });
  afterAll(async () => {
    await store.close();
  });

  it('bulk upsert of 10,000 posts twice leaves exactly 10,000 documents', async () => {
    const posts = Array.from({ length: 10_000 }, (_, i) => post(i));
    const first = await store.posts.upsertMany(posts);
    expect(first.upserted).toBe(10_000);
    expect(first.rejected).toEqual([]);
    const second = await store.posts.upsertMany(posts);
    expect(second.upserted).toBe(0);
    expect(second.matched).toBe(10_000);
    expect(await store.posts.count()).toBe(10_000);
  });

  it('rejects unstorable records by id with a reason and stores the rest of the batch', async () => {
    const good = [post(20_001), post(20_002)];
    const bad = [
      post(20_003, { score: Number.NaN }),
      { ...post(20_004), links: ['ok'], ['weird.key' as 'title']: 'x' } as Post,
      post(20_005, { links: [['nested'] as unknown as string] }),
      { ...post(20_006), ['$where' as 'title']: 'x' } as Post,
    ];
    const r = await store.posts.upsertMany([good[0], ...bad, good[1]]);
    expect(r.upserted).toBe(2);
    expect(r.rejected.map((x) => x.id).sort()).toEqual(bad.map((b) => b._id).sort());
    expect(r.rejected.find((x) => x.id === bad[0]._id)?.reason).toMatch(/NaN/);
    expect(r.rejected.find((x) => x.id === bad[1]._id)?.reason).toMatch(/weird\.key.*"\."/);
    expect(r.rejected.find((x) => x.id === bad[2]._id)?.reason).toMatch(/nested arrays/);
    expect(r.rejected.find((x) => x.id === bad[3]._id)?.reason).toMatch(/\$/);
    expect(await store.posts.getMany([...good, ...bad].map((p) => p._id))).toHaveLength(2);
  });

  it('setMany updates only the given fields and reports unknown ids as unmatched', async () => {
    await store.posts.upsertMany([post(30_001)]);
    const r = await store.posts.setMany([
      { id: post(30_001)._id, set: { deleted: true }, unset: ['text'] },
      { id: 'reddit:t3_missing', set: { deleted: true } },
    ]);
    expect(r.matched).toBe(1);
    const got = await store.posts.get(post(30_001)._id);
    expect(got?.deleted).toBe(true);
    expect(got?.text).toBeUndefined();
    expect(got?.title).toBe('post 30001');
    expect(await store.posts.get('reddit:t3_missing')).toBeNull();
  });

  it('sizes its own write commands (one batching policy): rings 25 per command on FerretDB, progress per command', async () => {
    // The real collection's commands, observed (they still run).
    const sizes: { insert: number[]; bulk: number[] } = { insert: [], bulk: [] };
    const coll = store.rings.collection;
    const real = { insertMany: coll.insertMany, bulkWrite: coll.bulkWrite };
    coll.insertMany = ((docs: unknown[], o: never) => {
      sizes.insert.push(docs.length);
      return real.insertMany.call(coll, docs as never, o);
    }) as typeof coll.insertMany;
    coll.bulkWrite = ((ops: unknown[], o: never) => {
      sizes.bulk.push(ops.length);
      return real.bulkWrite.call(coll, ops as never, o);
    }) as typeof coll.bulkWrite;
    try {
      const rings = Array.from({ length: 60 }, (_, i) => ({ _id: `ring_chunk${i}`, score: i / 60, status: 'new', members: [`reddit:u${i}`] }) as never);
      const written = await store.rings.upsertMany(rings);
      expect(written.upserted).toBe(60);
      expect(sizes.insert).toEqual([25, 25, 10]);
      const progress: number[] = [];
      const set = await store.rings.setMany(
        Array.from({ length: 60 }, (_, i) => ({ id: `ring_chunk${i}`, set: { score: 1 } })),
        { progress: (done) => progress.push(done) },
      );
      expect(set.matched).toBe(60);
      expect(sizes.bulk.slice(-3)).toEqual([25, 25, 10]);
      expect(progress).toEqual([25, 50, 60]);
      // Collections of small documents keep the defaults (50 updates per command).
      sizes.bulk.length = 0;
      const esc = store.escalations.collection;
      const realEsc = esc.bulkWrite;
      esc.bulkWrite = ((ops: unknown[], o: never) => {
        sizes.bulk.push(ops.length);
        return realEsc.call(esc, ops as never, o);
      }) as typeof esc.bulkWrite;
      try {
        await store.escalations.setMany(Array.from({ length: 60 }, (_, i) => ({ id: `case-chunk-${i}`, set: { text: 'x' } })));
      } finally {
        esc.bulkWrite = realEsc;
      }
      expect(sizes.bulk).toEqual([50, 10]);
    } finally {
      Object.assign(coll, real);
    }
  });

  it('inserts with two commands in flight, yet reports what one at a time would: every duplicate by id, in order, the rest stored', async () => {
    const coll = store.orders.collection;
    const real = coll.bulkWrite;
    let inFlight = 0;
    let most = 0;
    coll.bulkWrite = (async (ops: unknown[], o: never) => {
      most = Math.max(most, ++inFlight);
      try {
        return await real.call(coll, ops as never, o);
      } finally {
        inFlight--;
      }
    }) as typeof coll.bulkWrite;
    try {
      const order = (i: number) => ({ _id: `order-fl-${String(i).padStart(5, '0')}`, week: '2026-W45', region: 'eu' }) as never;
      // Already stored: ids in the first, third and last of the four commands (1,000 inserts each).
      const taken = [5, 999, 2500, 2501, 3499];
      await store.orders.insertMany(taken.map(order));
      const r = await store.orders.insertMany(Array.from({ length: 3500 }, (_, i) => order(i)).reverse());
      expect(most).toBe(2);
      expect(r.upserted).toBe(3500 - taken.length);
      expect(r.rejected.map((x) => x.id)).toEqual(taken.map((i) => (order(i) as { _id: string })._id));
      for (const x of r.rejected) expect(x.reason).toMatch(/duplicate|E11000/i);
      expect(await store.orders.count({ _id: { $regex: '^order-fl-' } } as never)).toBe(3500);
    } finally {
      coll.bulkWrite = real;
    }
  });

  it('tells empty from not without counting, and counts from metadata exactly after inserts and deletes', async () => {
    const fresh = await testStore();
    try {
      expect(await fresh.orders.isEmpty()).toBe(true);
      expect(await fresh.orders.estimatedCount()).toBe(0);
      const orders = Array.from({ length: 30 }, (_, i) => ({ _id: `o${i}`, region: 'EU', orderedAt: new Date(Date.UTC(2026, 10, 1, i)), week: '2026-W44', source: 'test', importedAt: new Date() }));
      await fresh.orders.insertMany(orders);
      expect(await fresh.orders.isEmpty()).toBe(false);
      expect(await fresh.orders.estimatedCount()).toBe(30);
      await fresh.orders.deleteMany({ _id: { $in: ['o1', 'o2', 'o3'] } });
      expect(await fresh.orders.estimatedCount()).toBe(27);
      expect(await fresh.orders.count({})).toBe(27);
    } finally {
      await fresh.close();
    }
  });

  it('refuses aggregation outside the portable subset before sending it', async () => {
    await expect(store.posts.aggregate([{ $lookup: { from: 'accounts' } }])).rejects.toThrow(/portable subset/);
    await expect(store.posts.aggregate([{ $group: { _id: '$week', a: { $avg: '$score' } } }])).rejects.toThrow(/\$avg/);
    const byWeek = await store.posts.aggregate<{ _id: string; n: number }>([
      { $match: { community: 'gadgets' } },
      { $group: { _id: '$week', n: { $sum: 1 } } },
    ]);
    expect(byWeek.reduce((s, r) => s + r.n, 0)).toBe(await store.posts.count({ community: 'gadgets' }));
  });
});

describe('whyUnstorable (property)', () => {
  it('accepts any JSON-like document with safe keys and finite numbers', () => {
    const safeKey = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !k.includes('.') && !k.startsWith('$') && !k.includes('\0') && k !== '__proto__');
    const leaf = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(fc.oneof(leaf, fc.dictionary(safeKey, tie('v') as fc.Arbitrary<unknown>, { maxKeys: 3 })), { maxLength: 3 }), fc.dictionary(safeKey, tie('v') as fc.Arbitrary<unknown>, { maxKeys: 3 })),
    })).v;
    fc.assert(fc.property(fc.dictionary(safeKey, value, { maxKeys: 5 }), (doc) => whyUnstorable({ ...doc, _id: 'x' }) === null));
  });

  it('rejects any document that hides a dotted key at any depth', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 5 }).filter((k) => !k.includes('.') && !k.startsWith('$') && !k.includes('\0')), { maxLength: 4 }), (pathKeys) => {
        let doc: Record<string, unknown> = { 'a.b': 1 };
        for (const k of pathKeys.reverse()) doc = { [k]: doc };
        return whyUnstorable({ _id: 'x', ...doc })?.includes('"."') === true;
      }),
    );
  });
});

describe('getMany', () => {
  let store: Store;
  beforeAll(async () => {
    store = await testStore();
  });
  afterAll(async () => {
    await store.close();
  });

  it('returns exactly the stored documents among the ids asked, whatever the lookup strategy', async () => {
    const posts = Array.from({ length: 300 }, (_, i) => post(40_000 + i));
    await store.posts.upsertMany(posts);
    const asked = [...posts.filter((_, i) => i % 3 === 0).map((p) => p._id), 'reddit:t3_nope1', 'reddit:t3_nope2'];
    const got = await store.posts.getMany(asked);
    expect(got.map((p) => p._id).sort()).toEqual(posts.filter((_, i) => i % 3 === 0).map((p) => p._id).sort());
  });
});
