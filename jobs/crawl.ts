// The `crawl` job: crawls Reddit, X and review pages as configured into the store,
// resumably (cursors in crawl_state), through the rate gates. `dryRun` fetches and
// counts, reports the cursors it would save and stores nothing.

import { type CrawlReport, type CrawlStats, crawlSource, emptyStats, type RequestBudget } from '../crawlers/engine';
import { createSource, platformChoice, platformIds, platformLabels, whyNotConfigured } from '../crawlers/platforms/registry';
import type { CrawlPlatform, UnitCursor } from '../crawlers/source';
import { Type as T } from '@sinclair/typebox';
import { paramsSchema } from './params';
import type { Job, WorkerKit } from './types';

export interface CrawlParams extends Record<string, unknown> {
  platform: CrawlPlatform | 'all';
  dryRun?: boolean;
  /** Requests for the whole run (all platforms); default crawl.maxRequests (0 = unlimited). */
  maxRequests?: number;
}

export type PlatformResult = CrawlStats & { errorMessages: string[]; refusedReasons?: Record<string, number>; notices?: string[]; skipped?: string; stoppedBy?: string; cap?: string };

export interface CrawlResult extends CrawlStats, Record<string, unknown> {
  platforms: Record<CrawlPlatform, PlatformResult>;
  errorMessages: string[];
  /** What the run must tell beyond counts, "<platform>: <unit>: <what>": what the platforms refused (private or quarantined units, private threads), restarts they forced, refused items. */
  notices: string[];
  dryRun: boolean;
  /** Dry runs: the cursors that would be saved. */
  cursors?: UnitCursor[];
}

const crawlOptions = {
  dryRun: T.Optional(T.Boolean()),
  maxRequests: T.Optional(T.Integer({ minimum: 0, maximum: 10_000_000, description: 'requests for the whole run; 0 = no cap' })),
};

export const crawlJob: Job<CrawlParams, CrawlResult> = {
  name: 'crawl',
  // Getters: the platforms are those registered when asked (crawlers/platforms/registry.ts).
  get description() {
    return `crawl ${platformLabels()} into the store (rate-limited, resumable)`;
  },
  get params() {
    return paramsSchema({ platform: T.Union([...platformIds().map((p) => T.Literal(p)), T.Literal('all')]), ...crawlOptions });
  },
  async run(ctx, params) {
    const platform = params.platform ?? 'all';
    if (platform !== 'all' && !platformIds().includes(platform)) throw new Error(`unknown platform "${platform}" (${platformChoice()})`);
    const targets = platform === 'all' ? platformIds() : [platform];
    const max = params.maxRequests ?? ctx.config.crawl.maxRequests;
    const budget: RequestBudget = { max: max ?? 0, used: 0 };
    const result: CrawlResult = {
      ...emptyStats(),
      platforms: {},
      errorMessages: [],
      notices: [],
      dryRun: !!params.dryRun,
      cursors: params.dryRun ? [] : undefined,
    };
    const started = Date.now();
    let pages = 0;
    for (const p of targets) {
      const why = whyNotConfigured(ctx.config, p);
      if (why) {
        // Asked for by name: that is an error. Under "all": skip what is not set up.
        if (platform !== 'all') throw new Error(why);
        ctx.log.info({ platform: p }, `skipped: ${why}`);
        result.platforms[p] = { ...emptyStats(), errorMessages: [], skipped: why };
        continue;
      }
      if (ctx.signal.aborted) break;
      ctx.progress(pages, undefined, `${p}: starting`);
      const source = await createSource(ctx.config, p);
      let report: CrawlReport;
      try {
        report = await crawlSource(source, {
          store: ctx.store,
          log: ctx.log.child({ platform: p }),
          signal: ctx.signal,
          dryRun: params.dryRun,
          budget,
          concurrency: ctx.config.crawl.concurrency,
          deletionSyncDays: ctx.config.crawl.deletionSyncDays,
          onPage: (_pl, unit) => ctx.progress(++pages, undefined, `${p} ${unit.label}`),
        });
      } finally {
        await source.close();
      }
      const { platform: _p, cursors, ...stats } = report;
      result.platforms[p] = stats;
      if (cursors) result.cursors?.push(...cursors);
      for (const k of Object.keys(emptyStats()) as (keyof CrawlStats)[]) if (k !== 'durationMs') result[k] += report[k];
      result.errorMessages.push(...report.errorMessages.map((m) => `${p}: ${m}`));
      result.notices.push(...report.notices.map((m) => `${p}: ${m}`), ...Object.entries(report.refusedReasons).map(([why, n]) => `${p}: ${n} item(s) refused: ${why}`));
      ctx.log.info({ platform: p, requests: report.requests, new: report.new, errors: report.errors, rateLimited: report.rateLimited }, 'crawled');
      if (report.stoppedBy === 'budget') break;
    }
    result.durationMs = Date.now() - started;
    return result;
  },
};

/** The crawl job bound to one platform, for the registry and schedules ("crawl:reddit"). */
export function crawlJobFor(platform: CrawlPlatform | 'all'): Job<Partial<CrawlParams>, CrawlResult> {
  return {
    name: `crawl:${platform}`,
    description: `crawl ${platform === 'all' ? 'every configured platform' : platform}`,
    params: paramsSchema(crawlOptions),
    run: (ctx, params) => crawlJob.run(ctx, { ...params, platform }),
    // On queues each platform has its own (its credentials have their own limits);
    // crawl:all is one crawl per platform there, and a worker plans one job per unit.
    ...(platform === 'all'
      ? { parts: () => platformIds().map((p) => `crawl:${p}`) }
      : { queue: `crawl-${platform}`, onWorker: (kit: WorkerKit) => kit.crawlUnits(platform) }),
  };
}
