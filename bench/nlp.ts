// NLP throughput: entities, sentiment, MinHash, and full enrichment on this thread vs the
// worker pool. Texts come from the seeded review corpus (test/analysis/nlp/corpus.ts), so runs are
// comparable. `npm run bench -- nlp`; also runnable alone: `npx tsx bench/nlp.ts [n]`.
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { createEnricher } from '../analysis/nlp/enrich';
import { createEntityExtractor } from '../analysis/nlp/entities';
import { fingerprint } from '../analysis/nlp/minhash';
import { createEnrichPool } from '../analysis/nlp/pool';
import { analyseSentiment } from '../analysis/nlp/sentiment';
import { CATALOGUE, corpus } from '../test/analysis/nlp/corpus';
import type { BenchRow } from './types';

function rate(n: number, ms: number): number {
  return Math.round((n / ms) * 1000);
}

function timeSync(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

export async function benchNlp(opts: { n?: number; workers?: number } = {}): Promise<BenchRow[]> {
  const n = opts.n ?? 20_000;
  const workers = opts.workers ?? Math.max(2, availableParallelism());
  const posts = corpus(n, 2026);
  // V8 needs a few thousand calls before compromise's tagger is fully optimised; the first
  // pass over a warm-up corpus is not timed, in this thread and in each worker.
  const warm = corpus(4000, 1);
  const words = Math.round(posts.reduce((s, p) => s + p.text.split(/\s+/).length, 0) / posts.length);
  const rows: BenchRow[] = [];
  const row = (kase: string, count: number, ms: number, note?: string) =>
    rows.push({ suite: 'nlp', case: kase, n: count, value: rate(count, ms), unit: 'texts/s', ...(note ? { note } : {}) });

  const extract = createEntityExtractor(CATALOGUE);
  const enricher = createEnricher(CATALOGUE);
  for (const p of warm) {
    enricher.enrich(p.text, p.title);
    extract(p.text);
  }

  row('entities', n, timeSync(() => { for (const p of posts) extract(p.text); }), `compromise + plugin + catalogue trie, ${words} words/text`);
  row('sentiment', n, timeSync(() => { for (const p of posts) analyseSentiment(p.text); }), 'wink-nlp + rating/verdict cues');
  row('minhash', n, timeSync(() => { for (const p of posts) fingerprint(p.text); }), '128 hashes, 32×4 LSH bands');
  const oneMs = timeSync(() => { for (const p of posts) enricher.enrich(p.text, p.title); });
  row('enrich 1 thread', n, oneMs);

  const pool = await createEnrichPool(CATALOGUE, { workers });
  try {
    await pool.enrichMany([...warm, ...warm].map((p, i) => ({ ...p, id: i })));
    const t0 = performance.now();
    await pool.enrichMany(posts);
    const poolMs = performance.now() - t0;
    row(`enrich pool ×${workers}`, n, poolMs, `${(oneMs / poolMs).toFixed(2)}× the single thread on ${availableParallelism()} cores`);
  } finally {
    await pool.close();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchNlp({ n: Number(process.argv[2]) || undefined });
  console.table(rows.map(({ suite, ...r }) => r));
}
