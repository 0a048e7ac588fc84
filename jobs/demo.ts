// The demo: the whole pipeline against the platform simulator on the embedded
// store. Each stage is an ordinary job run through jobs/runner.ts (so it shows in
// `runs` and on the dashboard like any scheduled run); a failing stage is reported
// and the stages that do not depend on it still run.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { KpiRow } from '../analysis/escalations/kpi';
import { type Config, loadConfig } from '../config/index';
import { renderRingReport } from '../queries/ring-report';
import { ringReportFile } from '../reports/index';
import { weeklyReportJob } from './report';
import { writeWorldFiles } from '../sim/files';
import { type Simulator, startSimulator } from '../sim/server';
import type { Scale } from '../sim/world';
import type { Store } from '../storage/store';
import type { Product } from '../storage/types';
import { crawlJob } from './crawl';
import { detectJob } from './detect';
import { enrichJob } from './enrich';
import { evaluateJob } from './evaluate';
import { importJob } from './import';
import { kpiJob } from './kpi';
import { modelScoreJob, modelTrainJob } from './model';
import { runJob } from './runner';
import type { Job, Progress } from './types';

export interface DemoOptions {
  seed: number;
  scale: Scale;
  /** Drop the database first. */
  fresh?: boolean;
  /** How many of the top rings get an HTML + PDF report. */
  ringReports?: number;
}

export interface StageResult {
  stage: string;
  status: 'done' | 'failed' | 'skipped';
  ms: number;
  summary: string;
  detail?: Record<string, unknown>;
}

export interface DemoResult {
  stages: StageResult[];
  simulator: Simulator;
  /** The configuration the crawls used (pointing at the simulator). */
  config: Config;
  outDir: string;
  reports: string[];
  /** KPI rows (region × week, and ALL). */
  kpis: KpiRow[];
}

export interface DemoHooks {
  log: Logger;
  /** Called when a stage starts; returns the progress callback for it. */
  onStage?: (stage: string) => Progress;
  onStageDone?: (result: StageResult) => void;
  signal?: AbortSignal;
}

/** The simulator's own test credentials (sim/reddit.ts, sim/twitter.ts): not secrets. */
const SIM_ENV = {
  REDDIT_CLIENT_ID: 'sim-reddit-client',
  REDDIT_CLIENT_SECRET: 'sim-reddit-secret',
  REDDIT_USERNAME: 'sim_user',
  REDDIT_PASSWORD: 'sim-password',
  TWITTER_BEARER_TOKEN: 'sim-x-bearer-token',
};

/** Rate windows of the demo's simulator: the real platforms' limits, 60× faster. */
const SIM_WINDOWS = { reddit: 10_000, twitter: 15_000 };

/** A configuration that crawls the simulator instead of the real platforms. */
export function simulatorConfig(base: Config, sim: Simulator): Config {
  const web = new URL(sim.web.baseUrl);
  const env: NodeJS.ProcessEnv = { ...SIM_ENV };
  if (base.secrets.mongodbUri) env.MONGODB_URI = base.secrets.mongodbUri;
  const products = sim.world.products;
  return loadConfig({
    cwd: path.dirname(base.dataDir),
    env: { ...env, RINGWATCH_DATA: base.dataDir },
    overrides: {
      ...stripSecrets(base),
      reddit: {
        ...base.reddit,
        baseUrl: sim.reddit.baseUrl,
        authUrl: sim.reddit.authUrl,
        rateWindowSec: SIM_WINDOWS.reddit / 1000,
        subreddits: sim.world.subreddits,
        searches: [],
        users: [],
        comments: true,
      },
      twitter: {
        ...base.twitter,
        baseUrl: sim.twitter.baseUrl,
        // One query per brand: X's recent search is keyword based, like a real deployment's.
        queries: [...new Set(products.map((p) => p.brand))].map((b) => `${b} -is:retweet`),
        users: [],
        rateWindowSec: SIM_WINDOWS.twitter / 1000,
      },
      web: {
        ...base.web,
        startUrls: [`${sim.web.baseUrl}/products`],
        allowDomains: [web.host],
        perDomainDelayMs: 0,
        maxPages: 2000,
      },
    },
  });
}

function stripSecrets(c: Config): Omit<Config, 'secrets'> {
  return JSON.parse(JSON.stringify(c));
}

export async function runDemo(store: Store, base: Config, opts: DemoOptions, hooks: DemoHooks): Promise<DemoResult> {
  const stages: StageResult[] = [];
  const outDir = path.join(base.dataDir, 'demo');
  await mkdir(outDir, { recursive: true });
  const reports: string[] = [];
  if (opts.fresh) await store.dropAll();

  const stage = async (name: string, fn: (progress: Progress) => Promise<{ summary: string; detail?: Record<string, unknown> }>) => {
    if (hooks.signal?.aborted) {
      stages.push({ stage: name, status: 'skipped', ms: 0, summary: 'cancelled' });
      return;
    }
    const progress = hooks.onStage?.(name) ?? (() => {});
    const t = Date.now();
    let result: StageResult;
    try {
      const r = await fn(progress);
      result = { stage: name, status: 'done', ms: Date.now() - t, summary: r.summary, detail: r.detail };
    } catch (err) {
      hooks.log.error({ stage: name, err: (err as Error).message }, 'demo stage failed');
      result = { stage: name, status: 'failed', ms: Date.now() - t, summary: (err as Error).message.split('\n')[0] };
    }
    stages.push(result);
    hooks.onStageDone?.(result);
  };

  const sim = await startSimulator({
    seed: opts.seed,
    scale: opts.scale,
    rateLimits: { reddit: { limit: 600, windowMs: SIM_WINDOWS.reddit }, twitter: { windowMs: SIM_WINDOWS.twitter } },
  });
  const config = simulatorConfig(base, sim);
  const run = <P extends object, R extends object>(job: Job<P, R>, params: P, progress: Progress) =>
    runJob(store, config, job, params, { trigger: 'demo', log: hooks.log, onProgress: progress, signal: hooks.signal });

  let files: Awaited<ReturnType<typeof writeWorldFiles>> | undefined;
  let kpis: KpiRow[] = [];
  await stage('simulator', async () => {
    files = await writeWorldFiles(sim.world, outDir, { textlessReviews: true, webBaseUrl: sim.web.baseUrl });
    const w = sim.world;
    return {
      summary: `seed ${w.seed}, ${opts.scale}: ${w.reddit.submissions.length + w.reddit.comments.length} Reddit, ${w.twitter.tweets.length} X, ${w.web.reviews.length} review-site posts; ${w.truth.rings.length} planted rings`,
    };
  });

  await stage('catalogue', async () => {
    const products: Product[] = sim.world.products.map((p) => ({ _id: p.id, name: p.name, brand: p.brand, category: p.category, aliases: p.aliases }));
    const r = await store.products.upsertMany(products);
    return { summary: `${products.length} catalogue products (${r.upserted} new)` };
  });

  await stage('crawl', async (progress) => {
    const r = (await run(crawlJob, { platform: 'all' }, progress)) as Record<string, unknown>;
    return { summary: summarise(r, ['requests', 'items', 'new', 'duplicates', 'rateLimited', 'errors']), detail: r };
  });

  await stage('import', async (progress) => {
    if (!files) throw new Error('simulator files were not written');
    const esc = await run(importJob, { what: 'escalations', file: files.escalations }, progress);
    const ord = await run(importJob, { what: 'orders', file: files.orders }, progress);
    return {
      summary: `escalations: ${esc.imported} new, ${esc.updated} updated, ${esc.rejected} rejected; orders: ${ord.imported} new, ${ord.updated} updated, ${ord.rejected} rejected`,
    };
  });

  await stage('enrich', async (progress) => {
    const r = await run(enrichJob, {}, progress);
    return { summary: `${r.enriched} of ${r.scanned} posts enriched, ${r.candidatesAdded} candidate products` };
  });

  await stage('detect', async (progress) => {
    // The whole simulated period is one window in the demo.
    const r = await run(detectJob, { window: '90d' }, progress);
    return { summary: summarise(r, ['accounts', 'rings', 'newRings', 'links', 'edges']), detail: r };
  });

  await stage('model', async (progress) => {
    const t = await run(modelTrainJob, {}, progress);
    const s = await run(modelScoreJob, {}, progress);
    return {
      summary: `abuse model: ROC AUC ${num(t.rocAuc)}, PR AUC ${num(t.prAuc)}, Brier ${num(t.brier)}; ${s.scored} cases scored, ${s.flagged} flagged`,
    };
  });

  await stage('kpi', async (progress) => {
    const r = await run(kpiJob, {}, progress);
    kpis = r.kpis;
    return { summary: `${r.rows} KPI rows (region × week)` };
  });

  await stage('evaluate', async (progress) => {
    // Scores against the simulator's ground truth: the truth file is read here,
    // after detection, never by detection itself.
    const labelsFile = path.join(outDir, 'labels.csv');
    const members = new Set(sim.world.truth.rings.flatMap((r) => r.members));
    const accounts = await store.accounts.distinct('_id');
    await writeFile(labelsFile, `account,label\n${accounts.map((a) => `${a},${members.has(String(a)) ? 1 : 0}`).join('\n')}\n`);
    const r = await run(evaluateJob, { labels: labelsFile }, progress);
    return { summary: `account scores vs ground truth: ROC AUC ${num(r.rocAuc)}, average precision ${num(r.averagePrecision)} over ${r.labelled} accounts (${r.positives} ring members)` };
  });

  await stage('reports', async (progress) => {
    const top = await store.rings.find({}, { sort: { score: -1 }, limit: opts.ringReports ?? 3, projection: { _id: 1 } });
    let i = 0;
    for (const ring of top) {
      progress(i++, top.length + 1, `ring ${ring._id}`);
      for (const format of ['html', 'pdf'] as const) {
        const file = ringReportFile(base.reports.outDir, ring._id, format);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, await renderRingReport(store, ring._id, format, { chromiumPath: config.web.chromiumPath }));
        reports.push(file);
      }
    }
    const weekly = await run(weeklyReportJob, {}, progress);
    reports.push(...weekly.files);
    return { summary: `${top.length} ring reports and the weekly report (${weekly.week}) in ${base.reports.outDir}` };
  });

  return { stages, simulator: sim, config, outDir, reports, kpis };
}

function num(v: unknown): string {
  return typeof v === 'number' ? v.toFixed(3) : 'n/a';
}

function summarise(r: Record<string, unknown>, keys: string[]): string {
  return keys
    .filter((k) => typeof r[k] === 'number')
    .map((k) => `${k} ${r[k]}`)
    .join(', ');
}
