import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createEnricher, ENRICHMENT_VERSION, textHash } from '../../../analysis/nlp/enrich';
import { createEnrichPool, enrichMany } from '../../../analysis/nlp/pool';
import { CATALOGUE, corpus } from './corpus';

const enricher = createEnricher(CATALOGUE);

describe('createEnricher', () => {
  it('combines entities, sentiment per post and per product mention, and fingerprints', () => {
    const e = enricher.enrich('The Zentro X200 is amazing, 5 stars. But the Kortex K9 speaker is terrible, it broke after a week. Use code SAVE20.', 'My haul');
    expect(e.version).toBe(ENRICHMENT_VERSION);
    expect(e.textHash).toBe(textHash('The Zentro X200 is amazing, 5 stars. But the Kortex K9 speaker is terrible, it broke after a week. Use code SAVE20.', 'My haul'));
    const byId = Object.fromEntries(e.products.map((p) => [p.productId, p]));
    expect(Object.keys(byId).sort()).toEqual(['B0KORT0003', 'B0ZEN00001']);
    expect(byId.B0ZEN00001.sentiment).toBeGreaterThan(0.3);
    expect(byId.B0KORT0003.sentiment).toBeLessThan(-0.3);
    expect(e.codes).toEqual(['SAVE20']);
    expect(e.minhash).toHaveLength(128);
    expect(e.lsh).toBe(true);
  });
  it('handles absent text and title-only posts', () => {
    const none = enricher.enrich(undefined);
    expect(none.sentiment).toBe(0);
    expect(none.minhash).toEqual([]);
    expect(none.products).toEqual([]);
    expect(enricher.enrich('', 'Zentro X200 review').products.map((p) => p.productId)).toEqual(['B0ZEN00001']);
  });
  it('is pure: same input, same output; textHash changes with text or title', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.option(fc.string({ maxLength: 30 }), { nil: undefined }), (text, title) => {
        expect(enricher.enrich(text, title)).toEqual(createEnricher(CATALOGUE).enrich(text, title));
        expect(textHash(`${text}x`, title)).not.toBe(textHash(text, title));
      }),
      { numRuns: 60 },
    );
    expect(textHash('a', 'b')).not.toBe(textHash('b', 'a'));
    expect(textHash('ab', undefined)).not.toBe(textHash('b', 'a'));
  });
});

describe('worker pool', () => {
  const posts = corpus(900, 21);
  let pool: Awaited<ReturnType<typeof createEnrichPool>> | null = null;
  afterAll(async () => pool?.close());

  it('gives the same results on 2 worker threads as in this thread', async () => {
    pool = await createEnrichPool(CATALOGUE, { workers: 2, chunkSize: 100, minParallel: 10 });
    expect(pool.workers).toBe(2);
    const parallel = await pool.enrichMany(posts);
    expect(parallel.size).toBe(posts.length);
    for (const p of posts) expect(parallel.get(p.id), p.id).toEqual(enricher.enrich(p.text, p.title));
    // The pool is reusable.
    const again = await pool.enrichMany(posts.slice(0, 50));
    expect(again.get(posts[0].id)).toEqual(parallel.get(posts[0].id));
  });
  it('falls back to this thread for small batches and for workers ≤ 1', async () => {
    const small = await enrichMany(posts.slice(0, 5), CATALOGUE, { workers: 1 });
    expect([...small.keys()]).toEqual(posts.slice(0, 5).map((p) => p.id));
    expect(small.get(posts[0].id)).toEqual(enricher.enrich(posts[0].text, posts[0].title));
  });
});
