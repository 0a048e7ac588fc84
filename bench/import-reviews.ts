// Review import speed on the real YelpNYC reviews (`npm run bench -- yelpnyc-import`,
// issue 13.4): `ringwatch import reviews` into the embedded store against the driver's raw
// insertMany of the same documents (posts and their authors' accounts) into the same store,
// in the same run, on fresh databases with the store's own schema. Order: raw, import,
// import, raw, so that machine noise and the store's state hit both alike; the ratio is the
// import's rate over the raw one, by wall time and by CPU time (store + this process). File: RINGWATCH_BENCH_YELP (default yelpnyc/reviews.csv.gz in ../shared/datasets,
// gunzipped to a temp dir first: the import reads plain CSV). One more row, for daily use: a
// re-import of the file's first 5,000 rows into the full store (all unchanged; it paid two
// full scans for counts on FerretDB before Repository.isEmpty / estimatedCount).
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import pino from 'pino';
import { loadConfig } from '../config/index';
import { readFileRecords } from '../importers/readers';
import { cleanReviewRow, sourceName } from '../importers/reviews';
import { runImportJob } from '../jobs/import';
import { startEmbedded } from '../storage/embedded';
import { openStore, type Store } from '../storage/store';
import type { Account, Post } from '../storage/types';
import { datasetPath } from '../test/helpers/datasets';
import type { BenchRow } from './types';

const SUITE = 'yelpnyc-import';
/** Rows of the daily-use re-import case (a small file of rows already stored). */
const SAMPLE_ROWS = 5_000;

/** The documents the import writes: cleaned posts, and one account per author with its first/last review. */
async function documents(file: string, source: string): Promise<{ posts: Post[]; accounts: Account[] }> {
  const posts = new Map<string, Post>();
  const accounts = new Map<string, Account>();
  const now = new Date();
  for await (const rec of readFileRecords(file, 'csv')) {
    if (!rec.row) continue;
    const r = cleanReviewRow(rec.row, source);
    if (!r.ok) continue;
    const p = { ...r.doc, fetchedAt: now };
    posts.set(p._id, p);
    const a = accounts.get(p.accountId);
    if (!a) accounts.set(p.accountId, { _id: p.accountId, platform: p.platform, handle: p.author, firstSeenAt: p.createdAt, lastSeenAt: p.createdAt });
    else {
      if (p.createdAt < (a.firstSeenAt as Date)) a.firstSeenAt = p.createdAt;
      if (p.createdAt > (a.lastSeenAt as Date)) a.lastSeenAt = p.createdAt;
    }
  }
  return { posts: [...posts.values()], accounts: [...accounts.values()] };
}

async function rawInsert(store: Store, docs: { posts: Post[]; accounts: Account[] }): Promise<void> {
  for (let i = 0; i < docs.posts.length; i += 1000) await store.posts.collection.insertMany(docs.posts.slice(i, i + 1000) as never[], { ordered: false });
  for (let i = 0; i < docs.accounts.length; i += 1000) await store.accounts.collection.insertMany(docs.accounts.slice(i, i + 1000) as never[], { ordered: false });
}

/** CPU seconds a process has used (Linux /proc; 100 ticks a second). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Wall time and CPU time (store process + this one) of a phase. On a loaded machine wall
 * times swing by half between identical runs; the CPU seconds spent are far steadier.
 */
interface Phase {
  wall: number;
  /** store + node CPU seconds */
  cpu: number;
  store: number;
  node: number;
}

async function measured(storePid: number, fn: () => Promise<void>): Promise<Phase> {
  const c0 = cpuSeconds(storePid);
  const n0 = process.cpuUsage();
  const t = performance.now();
  await fn();
  const wall = (performance.now() - t) / 1000;
  const n = process.cpuUsage(n0);
  const node = (n.user + n.system) / 1e6;
  const store = cpuSeconds(storePid) - c0;
  return { wall, cpu: store + node, store, node };
}

export async function benchYelpImport(): Promise<BenchRow[]> {
  const given = process.env.RINGWATCH_BENCH_YELP ?? datasetPath('yelpnyc/reviews.csv.gz');
  if (!given) return [{ suite: SUITE, case: 'skipped', n: 0, value: 0, unit: '', note: 'yelpnyc/reviews.csv.gz not found in ../shared/datasets (set RINGWATCH_DATASETS or RINGWATCH_BENCH_YELP)' }];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-bench-yelp-'));
  const file = path.join(dir, 'reviews.csv');
  if (given.endsWith('.gz')) await pipeline(createReadStream(given), createGunzip(), createWriteStream(file));
  else await pipeline(createReadStream(given), createWriteStream(file));
  const embedded = await startEmbedded({ dataDir: path.join(dir, 'store') });
  const config = loadConfig({ cwd: dir, env: { RINGWATCH_DATA: dir, RINGWATCH_LOG_LEVEL: 'silent' } });
  const source = sourceName('reviews.csv');
  const sample = path.join(dir, 'again', 'reviews.csv');
  mkdirSync(path.dirname(sample));
  writeFileSync(sample, `${readFileSync(file, 'utf8').split('\n').slice(0, SAMPLE_ROWS + 1).join('\n')}\n`);
  const rows: BenchRow[] = [];
  try {
    const docs = await documents(file, source);
    const raw: Phase[] = [];
    const imp: Phase[] = [];
    let summary: Awaited<ReturnType<typeof runImportJob>> | undefined;
    const rawRun = async (round: number) => {
      const store = await openStore(config, { uri: embedded.uri, database: `raw_${round}` });
      raw.push(await measured(embedded.pid, () => rawInsert(store, docs)));
      await store.dropAll({ recreate: false });
      await store.close();
    };
    const importRun = async (round: number) => {
      const store = await openStore(config, { uri: embedded.uri, database: `import_${round}` });
      const ctx = { store, config, log: pino({ level: 'silent' }), progress: () => {}, signal: new AbortController().signal, runId: `bench-${round}` };
      imp.push(await measured(embedded.pid, async () => {
        summary = await runImportJob(ctx, { what: 'reviews', file });
      }));
      if (summary?.imported !== docs.posts.length || summary?.derived?.accountsCreated !== docs.accounts.length) {
        throw new Error(`import wrote ${summary?.imported} posts / ${summary?.derived?.accountsCreated} accounts, expected ${docs.posts.length} / ${docs.accounts.length}`);
      }
      if (round === 1) {
        // Daily use: a small file of rows already stored, into the full store (same source name).
        const again = await runImportJob(ctx, { what: 'reviews', file: sample });
        if (again.unchanged !== SAMPLE_ROWS) throw new Error(`re-import: ${again.unchanged} unchanged of ${SAMPLE_ROWS}`);
        rows.push({ suite: SUITE, case: `re-import of ${SAMPLE_ROWS} stored rows into the full store`, n: SAMPLE_ROWS, value: again.durationMs / 1000, unit: 's', note: `${again.unchanged} unchanged, ${docs.posts.length} posts stored` });
      }
      await store.dropAll({ recreate: false });
      await store.close();
    };
    // raw, import, import, raw: each goes first once (the store's state after a drop differs).
    await rawRun(0);
    await importRun(0);
    await importRun(1);
    await rawRun(1);
    const n = docs.posts.length;
    const best = (xs: Phase[]) => Math.min(...xs.map((x) => x.wall));
    const runs = (xs: Phase[]) => `runs ${xs.map((x) => `${x.wall.toFixed(1)} s (CPU s: store ${x.store.toFixed(1)}, node ${x.node.toFixed(1)})`).join('; ')}`;
    const cpu = (xs: Phase[]) => xs.reduce((a, x) => a + x.cpu, 0) / xs.length;
    rows.push({ suite: SUITE, case: 'driver insertMany, posts + accounts (raw)', n, value: n / best(raw), unit: 'rows/s', note: `${docs.accounts.length} accounts; ${runs(raw)}` });
    rows.push({ suite: SUITE, case: 'ringwatch import reviews (CSV → store)', n, value: n / best(imp), unit: 'rows/s', note: `${summary?.derived?.accountsCreated} accounts; ${runs(imp)}` });
    rows.push({ suite: SUITE, case: 'import / raw, wall time (best runs)', n, value: (100 * best(raw)) / best(imp), unit: '%', note: `per round: ${raw.map((r, i) => `${((100 * r.wall) / imp[i].wall).toFixed(0)} %`).join(', ')}` });
    rows.push({ suite: SUITE, case: 'import / raw, CPU time (store + node, mean)', n, value: (100 * cpu(raw)) / cpu(imp), unit: '%', note: 'raw CPU includes reading the documents from memory only; import CPU includes parsing and cleaning the CSV' });
  } finally {
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
