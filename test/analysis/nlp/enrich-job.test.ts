import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENRICHMENT_VERSION, textHash } from '../../../analysis/nlp/enrich';
import { isoWeek } from '../../../analysis/time';
import { enrichJob, runEnrich } from '../../../jobs/enrich';
import type { Post } from '../../../storage/types';
import { testStore } from '../../helpers/store';
import { CATALOGUE, corpus } from './corpus';

type TestStore = Awaited<ReturnType<typeof testStore>>;

function post(id: string, text: string | undefined, title?: string): Post {
  const createdAt = new Date('2026-03-02T10:00:00Z');
  return {
    _id: `import:test:${id}`, platform: 'import', kind: 'review', externalId: id, accountId: `import:user${id}`, author: `user${id}`,
    createdAt, week: isoWeek(createdAt), ...(text !== undefined ? { text } : {}), ...(title ? { title } : {}), source: 'test', fetchedAt: createdAt,
  };
}

const ctx = () => {
  const seen: number[] = [];
  return { seen, log: pino({ level: 'silent' }), signal: new AbortController().signal, progress: (done: number) => void seen.push(done) };
};

describe('enrich job (real store)', () => {
  let store: TestStore;
  const posts = [
    ...corpus(60, 5).map((p, i) => post(String(i), p.text, p.title)),
    post('x1', 'The Nexora N3 headphones are great, use code NEX50! Thanks u/ringleader'),
    post('x2', undefined),
  ];
  beforeAll(async () => {
    store = await testStore();
    await store.products.upsertMany(CATALOGUE);
    await store.posts.upsertMany(posts);
  });
  afterAll(async () => store?.close());

  it('enriches every post, adds candidate products, then a re-run is a no-op', async () => {
    const c = ctx();
    const first = await enrichJob.run({ ...c, store, config: store.config, runId: 'r1' }, { workers: 1, batchSize: 25 });
    expect(first).toMatchObject({ scanned: posts.length, enriched: posts.length, skipped: 0, rejected: 0 });
    expect(first.candidatesAdded).toBeGreaterThan(0);
    expect(c.seen.at(-1)).toBe(posts.length);

    const x1 = await store.posts.get('import:test:x1');
    expect(x1?.enrichment?.version).toBe(ENRICHMENT_VERSION);
    expect(x1?.enrichment?.textHash).toBe(textHash(x1?.text, x1?.title));
    expect(x1?.enrichment?.codes).toEqual(['NEX50']);
    expect(x1?.enrichment?.mentions).toEqual(['reddit:u/ringleader']);
    expect(x1?.enrichment?.products.map((p) => p.productId)).toEqual(['cand:nexora-n-3']);
    expect(x1?.enrichment?.enrichedAt).toBeInstanceOf(Date);
    expect(x1?.enrichment?.minhash).toHaveLength(128);
    const cand = await store.products.get('cand:nexora-n-3');
    expect(cand).toMatchObject({ candidate: true, name: 'Nexora N3 headphones', aliases: [] });
    expect((await store.posts.get('import:test:x2'))?.enrichment?.sentiment).toBe(0);

    const again = await runEnrich(store, { workers: 1 }, ctx());
    expect(again).toMatchObject({ scanned: posts.length, enriched: 0, skipped: posts.length, candidatesAdded: 0 });
  });

  it('re-enriches only changed posts and older versions', async () => {
    const p4 = await store.posts.get('import:test:4');
    const w = await store.posts.setMany([
      { id: 'import:test:3', set: { text: 'Changed: the VitaBlend Pro 900 is awful. 1 star.' } },
      { id: 'import:test:4', set: { enrichment: { ...p4!.enrichment!, version: ENRICHMENT_VERSION - 1 } } },
    ]);
    expect(w.rejected).toEqual([]);
    const before5 = await store.posts.get('import:test:5');
    const r = await runEnrich(store, { workers: 1 }, ctx());
    expect(r).toMatchObject({ enriched: 2, skipped: posts.length - 2 });
    const p3 = await store.posts.get('import:test:3');
    expect(p3?.enrichment?.products.map((p) => p.productId)).toEqual(['B0BLEND002']);
    expect(p3?.enrichment?.sentiment).toBeLessThan(0);
    expect((await store.posts.get('import:test:4'))?.enrichment?.version).toBe(ENRICHMENT_VERSION);
    expect((await store.posts.get('import:test:5'))?.enrichment?.enrichedAt).toEqual(before5?.enrichment?.enrichedAt);
  });

  it('uses worker threads for large batches with the same results', async () => {
    const r = await runEnrich(store, { workers: 2, force: true, batchSize: 1000 }, ctx());
    expect(r.enriched).toBe(posts.length);
    const x1 = await store.posts.get('import:test:x1');
    expect(x1?.enrichment?.codes).toEqual(['NEX50']);
  });
});
