// Posts' MinHash signatures are stored as BSON Binary and read back as Int32Arrays
// (storage/post-codec.ts), through every write and read path of the posts repository.
import { Binary } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../analysis/nlp/minhash';
import { isoWeek } from '../../analysis/time';
import type { Post } from '../../storage/types';
import { testStore } from '../helpers/store';

const createdAt = new Date(Date.UTC(2026, 10, 2));
const post = (id: string): Post => ({
  _id: id,
  platform: 'reddit',
  kind: 'submission',
  externalId: id,
  accountId: 'reddit:u/a',
  author: 'a',
  createdAt,
  week: isoWeek(createdAt),
  source: 'test',
  fetchedAt: createdAt,
});

describe('binary MinHash signatures', () => {
  let store: Awaited<ReturnType<typeof testStore>>;
  beforeAll(async () => {
    store = await testStore();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('stores 512 bytes of Binary and reads the same int32 values back on every path', async () => {
    // Signed int32 values, the extremes included (a single-shingle text can hash above 2^31).
    const minhash = [...fingerprint('the same template text about the battery and the screen of this phone').minhash.slice(0, 125), -5, 2 ** 31 - 1, -(2 ** 31)];
    const enrichment = { version: 1, textHash: 'h', products: [], mentions: [], orderIds: [], urls: [], codes: [], money: [], people: [], organisations: [], sentiment: 0, minhash, lsh: true, enrichedAt: createdAt };
    await store.posts.upsertMany([{ ...post('reddit:t3_a'), enrichment }]);
    await store.posts.insertMany([{ ...post('reddit:t3_b'), enrichment }]);
    await store.posts.upsertMany([post('reddit:t3_c')]);
    await store.posts.setMany([{ id: 'reddit:t3_c', set: { enrichment } }]);

    for (const id of ['reddit:t3_a', 'reddit:t3_b', 'reddit:t3_c']) {
      const raw = await store.posts.collection.findOne({ _id: id });
      expect(raw?.enrichment?.minhash).toBeInstanceOf(Binary);
      const stored = raw?.enrichment?.minhash as unknown as Binary;
      expect(stored.buffer.byteLength).toBe(512);
    }
    const viaGet = await store.posts.get('reddit:t3_a');
    const viaMany = await store.posts.getMany(['reddit:t3_b', 'reddit:t3_c']);
    const viaFind = await store.posts.find({}, { projection: { _id: 1, 'enrichment.minhash': 1 } });
    const viaStream: Post[] = [];
    for await (const p of store.posts.stream({})) viaStream.push(p);
    for (const p of [viaGet, ...viaMany, ...viaFind, ...viaStream]) {
      expect(p?.enrichment?.minhash).toBeInstanceOf(Int32Array);
      expect(Array.from(p?.enrichment?.minhash ?? [])).toEqual(minhash);
    }
    expect(viaGet?.enrichment?.lsh).toBe(true);
  });
});
