// Store throughput: our repository against the plain driver, side by side in the
// same run on the same embedded FerretDB, at 10k and 100k posts.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { isoWeek } from '../analysis/time';
import { startEmbedded } from '../storage/embedded';
import { Repository } from '../storage/repository';
import type { Post } from '../storage/types';
import type { BenchRow } from './types';

function makePosts(n: number, salt: string): Post[] {
  const base = Date.UTC(2026, 9, 1);
  return Array.from({ length: n }, (_, i) => {
    const createdAt = new Date(base + i * 37_000);
    return {
      _id: `reddit:t3_${salt}${i.toString(36)}`,
      platform: 'reddit',
      kind: 'submission',
      externalId: `t3_${salt}${i.toString(36)}`,
      accountId: `reddit:u/user${i % 5000}`,
      author: `user${i % 5000}`,
      createdAt,
      week: isoWeek(createdAt),
      title: `Thoughts on the B0${(i % 900).toString().padStart(8, '0')} after ${i % 30} days`,
      text: `Post ${i}: honest review text with some words about battery life, delivery and the price, repeated to a typical length. `.repeat(2),
      community: `sub${i % 20}`,
      score: i % 300,
      source: 'bench',
      fetchedAt: new Date(),
    };
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

export async function benchStore(opts: { sizes?: number[] } = {}): Promise<BenchRow[]> {
  const sizes = opts.sizes ?? [10_000, 100_000];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-bench-store-'));
  const store = await startEmbedded({ dataDir: dir });
  const client = new MongoClient(store.uri, { ignoreUndefined: true });
  await client.connect();
  const rows: BenchRow[] = [];
  try {
    for (const n of sizes) {
      const db = client.db(`bench_${n}`);
      await db.dropDatabase();
      const docs = makePosts(n, 'a');
      const plain = db.collection<Post>('plain');
      const ours = new Repository<Post>(db.collection<Post>('ours'));
      const plainUpsert = db.collection<Post>('plain_upsert');

      // Interleave the pair so that machine noise hits both alike.
      const driverInsert = await timed(async () => {
        for (let i = 0; i < docs.length; i += 1000) await plain.insertMany(docs.slice(i, i + 1000), { ordered: false });
      });
      const repoInsert = await timed(() => ours.upsertMany(docs));
      rows.push(
        { suite: 'store', case: 'driver insertMany (new)', n, value: n / driverInsert, unit: 'docs/s' },
        { suite: 'store', case: 'repository upsertMany (new)', n, value: n / repoInsert, unit: 'docs/s', note: `${((driverInsert / repoInsert) * 100).toFixed(0)}% of driver insertMany` },
      );

      // Re-upserting the same documents: the idempotent re-run path.
      const sample = docs.slice(0, Math.min(n, 10_000));
      const driverUpsert = () =>
        timed(async () => {
          for (let i = 0; i < sample.length; i += 50) {
            await plainUpsert.bulkWrite(
              sample.slice(i, i + 50).map((d) => {
                const { _id, ...rest } = d;
                return { updateOne: { filter: { _id }, update: { $set: rest }, upsert: true } };
              }),
              { ordered: false },
            );
          }
        });
      const driverRe = await driverUpsert(); // creates them
      const driverRe2 = await driverUpsert(); // finds them all existing
      const repoRe = await timed(() => ours.upsertMany(sample));
      rows.push(
        { suite: 'store', case: 'driver bulk upsert (new)', n: sample.length, value: sample.length / driverRe, unit: 'docs/s' },
        { suite: 'store', case: 'driver bulk upsert (existing)', n: sample.length, value: sample.length / driverRe2, unit: 'docs/s' },
        { suite: 'store', case: 'repository upsertMany (existing)', n: sample.length, value: sample.length / repoRe, unit: 'docs/s', note: `${((driverRe2 / repoRe) * 100).toFixed(0)}% of driver bulk upsert (existing)` },
      );
      const scan = await timed(async () => {
        let c = 0;
        for await (const _ of ours.stream({}, { projection: { _id: 1, accountId: 1 } })) c++;
        if (c !== n) throw new Error(`scan saw ${c} of ${n}`);
      });
      rows.push({ suite: 'store', case: 'repository stream (projection)', n, value: n / scan, unit: 'docs/s' });
      await db.dropDatabase();
    }
  } finally {
    await client.close();
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
