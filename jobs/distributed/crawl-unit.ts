// Crawl work as resumable BullMQ jobs. A crawl of a platform is split into its units (a
// subreddit listing, a search query, a user timeline); each unit runs as one BullMQ job
// that crawls a batch of pages per step, through the same engine as `ringwatch crawl`
// (crawlers/engine.ts: store the page, then save the unit's cursor in crawl_state). After
// each batch the job goes back to the queue, so any worker may take the next batch; a
// worker that dies mid-batch loses at most the page it was storing, and the stalled job is
// picked up by another worker from the last saved cursor.
import { crawlSource } from '../../crawlers/engine';
import type { CrawlPlatform, CrawlUnit, Source, SourcePage, UnitContext, UnitCursor } from '../../crawlers/source';
import type { Config } from '../../config/index';
import type { Job } from '../types';
import type { GateFactory } from '../../crawlers/rate-gate';
import { createSource } from '../../crawlers/platforms/registry';

/** Builds a platform's source with its rate gates made by `gates` (shared through Redis). */
export type SourceFactory = (platform: CrawlPlatform, config: Config, gates: GateFactory) => Source | Promise<Source>;

export const defaultSources: SourceFactory = (platform, config, gates) => createSource(config, platform, gates);

export interface UnitBatchParams {
  platform: CrawlPlatform;
  unitId: string;
  unitLabel: string;
  /** Pages per batch. */
  maxPages: number;
}

export interface UnitBatchResult extends Record<string, unknown> {
  /** The unit's pass is over (its cursor points at no further page). */
  finished: boolean;
  pages: number;
  items: number;
  new: number;
  requests: number;
  rateLimited: number;
  /** Items the platform sent without a requested field (not stored), and what the run must tell (engine notices). */
  refused: number;
  notices: string[];
}

/** A pass is over when the saved cursor names no next page (crawlers/cursor.ts passStep). */
export function passOver(cursor: UnitCursor): boolean {
  return !cursor.after && !cursor.nextToken;
}

/**
 * The source restricted to one unit and at most `maxPages` pages. Remembers whether the
 * unit's pass ended and the error that stopped it (the engine logs unit errors and goes
 * on; a queue job must fail or re-queue instead).
 */
export class OneUnit implements Source {
  readonly platform: CrawlPlatform;
  finished = false;
  error: unknown;
  constructor(
    private readonly inner: Source,
    private readonly unit: CrawlUnit,
    private readonly maxPages: number,
  ) {
    this.platform = inner.platform;
  }
  gates() {
    return this.inner.gates();
  }
  async units() {
    return [this.unit];
  }
  async *pages(unit: CrawlUnit, ctx: UnitContext): AsyncIterable<SourcePage> {
    let n = 0;
    try {
      for await (const page of this.inner.pages(unit, ctx)) {
        yield page;
        n++;
        if (passOver(page.cursor)) {
          this.finished = true;
          return;
        }
        // Stop before fetching the next page (the engine prefetches while it stores).
        if (n >= this.maxPages) return;
      }
      this.finished = true;
    } catch (err) {
      this.error = err;
      throw err;
    }
  }
  close() {
    return this.inner.close();
  }
}

/** A source without units: running it through the engine does only the deletion sync. */
class DeletionSyncOnly implements Source {
  readonly platform: CrawlPlatform;
  constructor(private readonly inner: Source) {
    this.platform = inner.platform;
  }
  gates() {
    return this.inner.gates();
  }
  async units() {
    return [];
  }
  pages(): AsyncIterable<SourcePage> {
    return (async function* () {})();
  }
  deletedAmong(...args: Parameters<NonNullable<Source['deletedAmong']>>) {
    if (!this.inner.deletedAmong) return Promise.resolve(new Set<string>());
    return this.inner.deletedAmong(...args);
  }
  close() {
    return this.inner.close();
  }
}

/**
 * `fence`: awaited before each cursor is saved; throws when this run may no longer move the
 * unit's cursor (a queue job whose lock another worker took: lease.ts).
 */
export function unitBatchJob(makeSource: SourceFactory, gates: GateFactory, fence?: () => Promise<void>): Job<UnitBatchParams, UnitBatchResult> {
  return {
    name: 'crawl-unit',
    description: 'crawl a batch of pages of one crawl unit from its saved cursor (BullMQ workers)',
    async run(ctx, p) {
      const source = await makeSource(p.platform, ctx.config, gates);
      const one = new OneUnit(source, { id: p.unitId, label: p.unitLabel }, p.maxPages);
      try {
        const r = await crawlSource(one, { store: ctx.store, log: ctx.log, signal: ctx.signal, concurrency: 1, deletionSyncDays: 0, fence });
        if (one.error) throw one.error;
        if (r.errors > 0) throw new Error(r.errorMessages.join('; '));
        if (r.stoppedBy === 'signal') throw new Error('cancelled');
        ctx.progress(r.pages, undefined, p.unitLabel);
        return { finished: one.finished, pages: r.pages, items: r.items, new: r.new, requests: r.requests, rateLimited: r.rateLimited, refused: r.refused, notices: r.notices };
      } finally {
        await source.close();
      }
    },
  };
}

export interface PlanParams {
  platform: CrawlPlatform;
}

/** Lists a platform's units (for the queue to fan out) and runs the deletion sync. */
export function planJob(makeSource: SourceFactory, gates: GateFactory, enqueue: (platform: CrawlPlatform, units: CrawlUnit[]) => Promise<number>): Job<PlanParams, Record<string, number>> {
  return {
    name: 'crawl-plan',
    description: 'list the crawl units of a platform and queue one job per unit',
    async run(ctx, p) {
      const source = await makeSource(p.platform, ctx.config, gates);
      try {
        const units = await source.units({ signal: ctx.signal, knownPosts: async () => new Set(), knownAccounts: async () => new Set(), spend: () => {} });
        const queued = await enqueue(p.platform, units);
        let deleted = 0;
        const days = ctx.config.crawl.deletionSyncDays;
        if (days > 0 && source.deletedAmong) {
          const r = await crawlSource(new DeletionSyncOnly(source), { store: ctx.store, log: ctx.log, signal: ctx.signal, deletionSyncDays: days });
          if (r.errors > 0) ctx.log.warn({ errors: r.errorMessages }, 'deletion sync failed; the next round tries again');
          deleted = r.deleted;
        }
        return { units: units.length, queued, deleted };
      } finally {
        await source.close();
      }
    },
  };
}
