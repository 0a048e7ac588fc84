// Escalation import and analytics benchmark (`npm run bench -- escalations`):
//  - CSV and PostgreSQL import into the embedded store, rows/s (100k rows by default);
//  - memory of a 1M-row SQL read through the cursor (read + clean, no store writes),
//    peak RSS and its growth after the first 10%: flat means the cursor streams;
//  - model training time on the simulator's medium world;
//  - KPI accumulation time over 1M cases.
// Sizes: RINGWATCH_BENCH_IMPORT_ROWS (default 100000), RINGWATCH_BENCH_SQL_ROWS (default 1000000).
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { KpiAccumulator } from '../analysis/escalations/kpi';
import { cleanEscalationRow } from '../importers/rows';
import { loadConfig } from '../config/index';
import { cleaningOptions } from '../importers/escalations';
import { readSql } from '../importers/readers';
import { runImportJob } from '../jobs/import';
import { runTrain } from '../jobs/model';
import { writeWorldFiles } from '../sim/files';
import { generateWorld } from '../sim/world';
import { startEmbedded } from '../storage/embedded';
import { openStore } from '../storage/store';
import type { BenchRow } from './types';

const SUITE = 'escalations';
const REGIONS = ['NA-East', 'NA-West', 'EU-Central', 'UK', 'APAC'];
const TEXTS = [
  'My order never arrived, please refund.',
  'The item arrived broken &amp; the box was crushed. Call me at 555-201-3344.',
  'Wrong colour delivered, I want an exchange. jane.doe@example.com',
  'This is absolute bullshit, I will dispute the charge with my bank.',
];

function row(i: number): string[] {
  const opened = new Date(Date.UTC(2026, 0, 1) + (i % 300) * 86_400_000 + (i % 86_400) * 1000);
  return [
    `CS-${i}`, opened.toISOString(), REGIONS[i % 5], ['email', 'chat', 'phone', 'social'][i % 4], `C${i % 50_000}`, `user${i % 50_000}`,
    `111-${String(i).padStart(7, '0')}-${String(i * 7).slice(-7).padStart(7, '0')}`, `B0${String(i % 900).padStart(8, '0')}`, 'Audio',
    TEXTS[i % TEXTS.length], (i % 200).toFixed(2), i % 3 ? 'resolved' : 'open', i % 3 ? new Date(opened.getTime() + 86_400_000).toISOString() : '', i % 11 === 0 ? 'true' : 'false',
  ];
}

const HEADER = ['case_id', 'opened_at', 'region', 'channel', 'customer_id', 'customer_handle', 'order_id', 'product', 'category', 'text', 'refund_amount', 'status', 'resolved_at', 'abusive'];

async function writeCsv(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  const q = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  out.write(`${HEADER.join(',')}\n`);
  for (let i = 0; i < n; i++) {
    if (!out.write(`${row(i).map(q).join(',')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

async function fillTable(url: string, table: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`drop table if exists ${table}`);
  await c.query(`create table ${table} (case_id text, opened_at timestamptz, region text, channel text, customer_id text, customer_handle text,
    order_id text, product text, category text, text text, refund_amount numeric(10,2), status text, resolved_at timestamptz, abusive boolean)`);
  // Generated server-side: a million rows without shipping them from here.
  await c.query(`insert into ${table}
    select 'CS-' || i, timestamptz '2026-01-01' + ((i % 300) || ' days')::interval + ((i % 86400) || ' seconds')::interval,
      (array['NA-East','NA-West','EU-Central','UK','APAC'])[i % 5 + 1], (array['email','chat','phone','social'])[i % 4 + 1],
      'C' || (i % 50000), 'user' || (i % 50000), '111-' || lpad(i::text, 7, '0') || '-0000000', 'B0' || lpad((i % 900)::text, 8, '0'), 'Audio',
      (array['My order never arrived, please refund.', 'The item arrived broken. Call me at 555-201-3344.', 'Wrong colour delivered. jane.doe@example.com', 'This is absolute bullshit, I will dispute the charge.'])[i % 4 + 1],
      (i % 200)::numeric, case when i % 3 = 0 then 'open' else 'resolved' end, null, i % 11 = 0
    from generate_series(0, ${n - 1}) i`);
  await c.end();
}

function rssSampler() {
  const samples: { t: number; rss: number }[] = [];
  const timer = setInterval(() => samples.push({ t: performance.now(), rss: process.memoryUsage().rss }), 100);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

const MB = 2 ** 20;

export async function benchImport(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const nImport = Number(process.env.RINGWATCH_BENCH_IMPORT_ROWS ?? 100_000);
  const nSql = Number(process.env.RINGWATCH_BENCH_SQL_ROWS ?? 1_000_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-bench-esc-'));
  const pgUrl = execFileSync('bash', [path.join(import.meta.dirname, '../scripts/postgres.sh'), 'start'], { encoding: 'utf8' }).trim().split('\n').pop() as string;
  const embedded = await startEmbedded({ dataDir: path.join(dir, 'store') });
  const config = loadConfig({ cwd: dir, env: { RINGWATCH_DATA: dir, RINGWATCH_LOG_LEVEL: 'silent' } });
  const table = `bench_escalations_${process.pid}`;
  try {
    // CSV import.
    const csv = path.join(dir, 'escalations.csv');
    await writeCsv(csv, nImport);
    {
      const store = await openStore(config, { uri: embedded.uri, database: 'bench_csv' });
      const ctx = { store, config, log: pino({ level: 'silent' }), progress: () => {}, signal: new AbortController().signal, runId: 'bench' };
      const t = performance.now();
      const r = await runImportJob(ctx, { what: 'escalations', file: csv });
      const s = (performance.now() - t) / 1000;
      rows.push({ suite: SUITE, case: 'import CSV → store (new)', n: r.read, value: r.read / s, unit: 'rows/s', note: `${r.imported} imported, ${r.masked} PII masked` });
      const t2 = performance.now();
      const again = await runImportJob(ctx, { what: 'escalations', file: csv });
      rows.push({ suite: SUITE, case: 'import CSV → store (re-run, unchanged)', n: again.read, value: again.read / ((performance.now() - t2) / 1000), unit: 'rows/s', note: `${again.unchanged} unchanged` });
      await store.dropAll();
      await store.close();
    }
    // SQL import, same rows count.
    await fillTable(pgUrl, table, Math.max(nImport, nSql));
    {
      const store = await openStore(config, { uri: embedded.uri, database: 'bench_sql' });
      const ctx = { store, config, log: pino({ level: 'silent' }), progress: () => {}, signal: new AbortController().signal, runId: 'bench' };
      const t = performance.now();
      const r = await runImportJob(ctx, { what: 'escalations', sql: pgUrl, query: `select * from ${table} limit ${nImport}` });
      rows.push({ suite: SUITE, case: 'import PostgreSQL → store (new)', n: r.read, value: r.read / ((performance.now() - t) / 1000), unit: 'rows/s' });
      await store.dropAll();
      await store.close();
    }
    // 1M rows through the cursor and the cleaner: memory must stay flat.
    {
      global.gc?.();
      const opts = cleaningOptions(config, 'bench');
      const sampler = rssSampler();
      const before = process.memoryUsage().rss;
      const t = performance.now();
      let n = 0;
      let ok = 0;
      for await (const rec of readSql({ url: pgUrl, query: `select * from ${table}`, batchSize: 2000 })) {
        n++;
        if (rec.row && cleanEscalationRow(rec.row, opts).ok) ok++;
      }
      const s = (performance.now() - t) / 1000;
      const samples = sampler.stop();
      const peak = Math.max(before, ...samples.map((x) => x.rss));
      const tenth = samples[Math.floor(samples.length / 10)]?.rss ?? before;
      const last = samples[samples.length - 1]?.rss ?? before;
      rows.push({ suite: SUITE, case: 'SQL cursor read + clean', n, value: n / s, unit: 'rows/s', note: `${ok} clean` });
      rows.push({ suite: SUITE, case: 'SQL cursor read + clean: peak RSS', n, value: peak / MB, unit: 'MB', note: `start ${(before / MB).toFixed(0)} MB` });
      rows.push({ suite: SUITE, case: 'SQL cursor read + clean: RSS growth after first 10%', n, value: (last - tenth) / MB, unit: 'MB' });
    }
    // Model training on the simulator's medium world.
    {
      const world = generateWorld({ seed: 11, scale: 'medium' });
      const files = await writeWorldFiles(world, path.join(dir, 'sim'));
      const store = await openStore(config, { uri: embedded.uri, database: 'bench_model' });
      const ctx = { store, config, log: pino({ level: 'silent' }), progress: () => {}, signal: new AbortController().signal, runId: 'bench' };
      await runImportJob(ctx, { what: 'escalations', file: files.escalations });
      await runImportJob(ctx, { what: 'orders', file: files.orders });
      const t = performance.now();
      const r = (await runTrain(ctx, {})) as unknown as Record<string, number>;
      rows.push({ suite: SUITE, case: 'model train (load + text analysis + fit)', n: r.cases, value: performance.now() - t, unit: 'ms', note: `fit ${r.trainMs} ms; AUC ${r.rocAuc.toFixed(3)}` });
      const t2 = performance.now();
      const r2 = (await runTrain(ctx, {})) as unknown as Record<string, number>;
      rows.push({ suite: SUITE, case: 'model train again (analysis reused)', n: r2.cases, value: performance.now() - t2, unit: 'ms' });
      await store.dropAll();
      await store.close();
    }
    // KPI accumulation over 1M cases (in memory: the TypeScript half of `ringwatch kpi`).
    {
      const n = 1_000_000;
      const acc = new KpiAccumulator();
      const t = performance.now();
      for (let i = 0; i < n; i++) {
        const openedAt = new Date(Date.UTC(2026, 0, 1) + (i % 300) * 86_400_000 + (i % 86_400) * 1000);
        acc.addCase({ _id: `CS-${i}`, openedAt, region: REGIONS[i % 5], product: `P${i % 900}`, category: `K${i % 12}`, abusive: i % 11 === 0, resolvedAt: new Date(openedAt.getTime() + (i % 97) * 3_600_000), sentiment: ((i % 21) - 10) / 10 });
      }
      const out = acc.rows();
      rows.push({ suite: SUITE, case: 'KPI accumulate 1M cases', n, value: performance.now() - t, unit: 'ms', note: `${out.length} rows` });
    }
  } finally {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect().then(() => c.query(`drop table if exists ${table}`)).catch(() => {}).finally(() => c.end().catch(() => {}));
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export const benchEscalations = benchImport;
