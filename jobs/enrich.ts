// The `enrich` job: enriches every post that has no enrichment, an older ENRICHMENT_VERSION,
// or a textHash that no longer matches its title and text. FerretDB cannot compare a
// stored field with a computed one, so posts are streamed with a small projection and the
// decision is made here. Bulk enrichment runs on the worker pool; each batch is written
// back with setMany while the next one is being enriched. Candidate products found by NLP
// are added to `products` (candidate: true) once. A re-run with nothing changed enriches 0.
import { availableParallelism } from 'node:os';
import { ENRICHMENT_VERSION, type Enrichment, textHash } from '../analysis/nlp/enrich';
import { createEnrichPool, type EnrichItem } from '../analysis/nlp/pool';
import type { Store } from '../storage/store';
import type { Post, Product } from '../storage/types';
import { Type as T } from '@sinclair/typebox';
import { paramsSchema } from './params';
import type { Job, JobContext } from './types';

export interface EnrichParams {
  /** Worker threads (default: available cores; 0 or 1 = this thread). */
  workers?: number;
  /** Posts per enrichment batch (default 2000). */
  batchSize?: number;
  /** Re-enrich every post, e.g. after a catalogue change. */
  force?: boolean;
}

export interface EnrichStats extends Record<string, unknown> {
  scanned: number;
  enriched: number;
  skipped: number;
  candidatesAdded: number;
  rejected: number;
  ms: number;
}

type Projected = Pick<Post, '_id' | 'text' | 'title'> & { enrichment?: { textHash?: string; version?: number } };

/** Whether a stored post needs (re-)enrichment. */
export function needsEnrichment(post: Projected, force = false): boolean {
  if (force || !post.enrichment) return true;
  if ((post.enrichment.version ?? 0) < ENRICHMENT_VERSION) return true;
  return post.enrichment.textHash !== textHash(post.text, post.title);
}

/** New candidate products from a batch's enrichments, not yet in `known` (which is updated). */
export function newCandidates(results: Iterable<Enrichment>, known: Set<string>): Product[] {
  const out: Product[] = [];
  for (const e of results) {
    for (const m of e.products) {
      if (!m.candidate || known.has(m.productId)) continue;
      known.add(m.productId);
      out.push({ _id: m.productId, name: m.surface, aliases: [], candidate: true });
    }
  }
  return out;
}

export async function runEnrich(store: Store, params: EnrichParams, ctx: Pick<JobContext, 'progress' | 'signal' | 'log'>): Promise<EnrichStats> {
  const started = performance.now();
  const batchSize = Math.max(1, params.batchSize ?? 2000);
  const products = await store.products.find({});
  const catalogue = products.filter((p) => !p.candidate);
  const known = new Set(products.map((p) => p._id));
  // For progress only: from the collection's metadata (a count scans every post on FerretDB).
  const total = await store.posts.estimatedCount();
  const stats: EnrichStats = { scanned: 0, enriched: 0, skipped: 0, candidatesAdded: 0, rejected: 0, ms: 0 };

  const pool = await createEnrichPool(catalogue, { workers: params.workers ?? availableParallelism() });
  let writing: Promise<void> = Promise.resolve();
  const flush = async (batch: EnrichItem<string>[]) => {
    const results = await pool.enrichMany(batch);
    await writing; // one write in flight: enrichment of this batch overlapped the last write
    const enrichedAt = new Date();
    const candidates = newCandidates(results.values(), known);
    writing = (async () => {
      if (candidates.length) {
        const r = await store.products.upsertMany(candidates);
        stats.candidatesAdded += r.upserted;
      }
      const r = await store.posts.setMany([...results].map(([id, e]) => ({ id, set: { enrichment: { ...e, enrichedAt } } })));
      stats.rejected += r.rejected.length;
      stats.enriched += results.size - r.rejected.length;
      for (const rej of r.rejected) ctx.log.warn({ post: rej.id, reason: rej.reason }, 'enrichment not stored');
    })();
  };

  try {
    let batch: EnrichItem<string>[] = [];
    const projection = { _id: 1, text: 1, title: 1, 'enrichment.textHash': 1, 'enrichment.version': 1 } as const;
    for await (const post of store.posts.stream({}, { projection })) {
      stats.scanned++;
      if (needsEnrichment(post as Projected, params.force)) batch.push({ id: post._id, text: post.text, title: post.title });
      else stats.skipped++;
      if (batch.length >= batchSize) {
        if (ctx.signal.aborted) throw new Error('enrich cancelled');
        await flush(batch);
        batch = [];
        ctx.progress(stats.scanned, total, `${stats.enriched} enriched`);
      }
    }
    if (batch.length) await flush(batch);
    await writing;
  } finally {
    await writing.catch(() => {});
    await pool.close();
  }
  stats.ms = Math.round(performance.now() - started);
  ctx.progress(stats.scanned, total, `${stats.enriched} enriched, ${stats.skipped} up to date`);
  return stats;
}

export const enrichJob: Job<EnrichParams, EnrichStats> = {
  name: 'enrich',
  queue: 'enrich',
  description: 'NLP enrichment of new and changed posts: products, mentions, ids, codes, sentiment, near-duplicate fingerprints',
  params: paramsSchema({
    // Each worker thread holds its own NLP model (~100 MB); more threads than cores gain nothing.
    workers: T.Optional(T.Integer({ minimum: 0, maximum: availableParallelism(), description: `0 to ${availableParallelism()} (the cores here)` })),
    batchSize: T.Optional(T.Integer({ minimum: 1, maximum: 10_000 })),
    force: T.Optional(T.Boolean()),
  }),
  run: (ctx, params) => runEnrich(ctx.store, params ?? {}, ctx),
};
