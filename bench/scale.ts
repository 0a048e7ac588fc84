// Detection at scale (issue 13): detect's store phases against the driver's raw stream and
// insert of the same documents on the embedded FerretDB, the pure pipeline's time, peak RSS
// and heap per post, and bytes per post on disk. `npm run bench -- scale` (SCALE=small|medium,
// default small). The yelpnyc import + detect end to end is timed by the CLI itself
// (see docs/benchmarks.md, "scale"), so this suite stays within one process. SCALE_RAW=0
// skips the driver's side (the large world end to end: half the store work and memory).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detectRings } from '../analysis/rings/detect';
import { ACCOUNT_PROJECTION, loadDetectInput, POST_PROJECTION, resolveWindow, writeDetection } from '../queries/detection';
import { generateWorld, type Scale } from '../sim/world';
import { startEmbedded } from '../storage/embedded';
import { openStore } from '../storage/store';
import { benchConfig, worldDocs } from './api';
import type { BenchRow } from './types';

const gc = () => (globalThis as { gc?: () => void }).gc?.();

/** Wall time and this process's CPU time (user + system): on a shared machine the CPU time is the comparable number. */
async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number; cpuMs: number }> {
  const t = performance.now();
  const c = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(c);
  return { value, ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}

export async function benchScale(opts: { scale?: Scale; seed?: number } = {}): Promise<BenchRow[]> {
  const scale = opts.scale ?? ((process.env.SCALE as Scale | undefined) ?? 'small');
  const rows: BenchRow[] = [];
  const row = (c: string, n: number, value: number, unit: string, note?: string) => rows.push({ suite: 'scale', case: `${scale}: ${c}`, n, value, unit, note: `${note ?? ''} (load ${os.loadavg()[0].toFixed(1)})`.trim() });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-bench-scale-'));
  const config = benchConfig(dir);
  const made = await timed(() => {
    const world = generateWorld({ seed: opts.seed ?? 1, scale });
    return worldDocs(world, config);
  });
  const docs = made.value;
  row('world + enrichment (one thread; not ringwatch)', docs.posts.length, made.ms / 1000, 's', 'the posts a crawl and `ringwatch enrich` would store');
  const embedded = await startEmbedded({ dataDir: path.join(dir, 'store') });
  const store = await openStore(config, { uri: embedded.uri, database: 'scale' });
  const raw = store.posts.collection.db;
  try {
    const n = docs.posts.length;
    // Writes: the repository (validation, change log, time index, binary signatures) vs the driver's insertMany.
    const write = await timed(async () => {
      await store.accounts.upsertMany(docs.accounts);
      for (let i = 0; i < n; i += 2000) await store.posts.upsertMany(docs.posts.slice(i, i + 2000));
    });
    const onDisk = () => {
      const bytes = Number(execFileSync('du', ['-sb', path.join(dir, 'store')], { encoding: 'utf8' }).split('\t')[0]);
      row('store on disk', n, bytes / n, 'bytes/post', 'SQLite files of the whole database (posts, accounts, scores, index, change log)');
    };
    const withRaw = process.env.SCALE_RAW !== '0';
    const SKIPPED = 'driver side skipped (SCALE_RAW=0)';
    if (withRaw) {
      const stored = await store.posts.collection.find({}).toArray();
      const rawWrite = await timed(async () => {
        for (let i = 0; i < stored.length; i += 2000) await raw.collection('raw_posts').insertMany(stored.slice(i, i + 2000) as never[], { ordered: false });
      });
      await raw.collection('raw_posts').drop();
      row('posts write (repository)', n, n / (write.ms / 1000), 'posts/s', `driver insertMany of the same stored documents ${(n / (rawWrite.ms / 1000)).toFixed(0)}/s: ${(write.ms / rawWrite.ms).toFixed(2)}×`);
    } else row('posts write (repository)', n, n / (write.ms / 1000), 'posts/s', SKIPPED);

    // Read phases of `detect --all` vs the driver streaming the same projection.
    const window = await timed(() => resolveWindow(store, { all: true }, '72h'));
    const { since, until, snapshot } = window.value;
    row('span + window (time index)', n, window.ms, 'ms', 'newest/oldest post and counts without a sort');
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const load = await timed(() => loadDetectInput(store, snapshot, since, until));
    gc();
    const inputHeap = process.memoryUsage().heapUsed - heapBefore;
    if (withRaw) {
      const rawRead = await timed(async () => {
        const posts = await store.posts.collection.find({ createdAt: { $gte: since, $lte: until } }, { projection: POST_PROJECTION }).toArray();
        const accounts = await store.accounts.collection.find({}, { projection: ACCOUNT_PROJECTION }).toArray();
        return posts.length + accounts.length;
      });
      row('posts + accounts read (detect)', n, load.ms, 'ms', `driver find of the same projections ${rawRead.ms.toFixed(0)} ms: ${(load.ms / rawRead.ms).toFixed(2)}×`);
    } else row('posts + accounts read (detect)', n, load.ms, 'ms', SKIPPED);
    row('detect input heap', n, inputHeap / n, 'bytes/post', 'posts and accounts as loaded (after GC)');

    // The pure pipeline.
    const rssBefore = process.resourceUsage().maxRSS;
    const pipeline = await timed(() => detectRings({ posts: load.value.posts, accounts: load.value.accounts }));
    const result = pipeline.value;
    row('pure pipeline', n, pipeline.ms / 1000, 's', `CPU ${(pipeline.cpuMs / 1000).toFixed(1)} s; ${result.stats.edges} edges, ${result.rings.length} rings; peak RSS ${(Math.max(rssBefore, process.resourceUsage().maxRSS) / 1024).toFixed(0)} MB`);

    // Writes of detect vs the driver inserting the same account score documents.
    const detectWrite = await timed(() => writeDetection(store, result, 'bench-scale', new Date(), { since, until }));
    if (!withRaw) {
      row('scores + rings write (detect)', result.accounts.length, detectWrite.ms, 'ms', SKIPPED);
      onDisk();
      return rows;
    }
    const scoreDocs = result.accounts.map((a) => ({ _id: a.accountId, score: a.score, ringId: a.ringId, indicators: a.indicators, evidencePosts: a.evidencePosts, detectedAt: new Date(), runId: 'raw' }));
    const rawScores = await timed(async () => {
      for (let i = 0; i < scoreDocs.length; i += 1000) await raw.collection('raw_scores').insertMany(scoreDocs.slice(i, i + 1000) as never[], { ordered: false });
    });
    row('scores + rings write (detect)', result.accounts.length, detectWrite.ms, 'ms', `driver insertMany of the same score documents ${rawScores.ms.toFixed(0)} ms: ${(detectWrite.ms / rawScores.ms).toFixed(2)}×`);
    // The same comparison with the documents as storage/scores.ts stores them (indicators and
    // evidence as one JSON string): what the insert path costs, apart from the compact form.
    const latest = (await store.scores.latest()).run;
    const storedScores = latest ? await raw.collection(latest.collection).find({}).toArray() : [];
    const rawStored = await timed(async () => {
      for (let i = 0; i < storedScores.length; i += 1000) await raw.collection('raw_stored_scores').insertMany(storedScores.slice(i, i + 1000) as never[], { ordered: false });
    });
    row('scores + rings write vs stored form', storedScores.length, detectWrite.ms, 'ms', `driver insertMany of the stored score documents ${rawStored.ms.toFixed(0)} ms: ${(detectWrite.ms / rawStored.ms).toFixed(2)}×`);
    // A second run: its scores collection is written again, and the previous run's read to carry over the unscored.
    const rerunWrite = await timed(() => writeDetection(store, result, 'bench-scale-2', new Date(), { since, until }));
    row('scores + rings write, re-run (detect)', result.accounts.length, rerunWrite.ms, 'ms', `same driver insertMany: ${(rerunWrite.ms / rawScores.ms).toFixed(2)}×`);

    onDisk();
    row('graph', result.stats.edges, result.stats.edges / n, 'edges/post');
  } finally {
    await store.close();
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
