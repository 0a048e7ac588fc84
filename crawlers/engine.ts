// Runs a source's units into the store. Per page: store accounts, then posts (replies
// before the posts they reply to; crawlers/page-writer.ts), then advance the unit's
// cursor — so a crash at any point leaves a cursor that never passes an unstored page
// (and a stored parent implies stored replies).
// Later pages are fetched while earlier ones are being stored; several units run at once
// and share the source's rate gate, so the gate, not the store, sets the pace.
// The parts: a page reader per unit (page-reader.ts), the write stages (write-stages.ts)
// and the report's numbers (crawl-stats.ts); here the units run and failures are sorted.
import type { Logger } from 'pino';
import type { Store } from '../storage/store';
import type { CrawlState, Post } from '../storage/types';
import { type CrawlReport, CrawlTally } from './crawl-stats';
import { PageReader } from './page-reader';
import { check } from './page-writer';
import { BudgetExhausted, type CrawlUnit, PageCapReached, type Source, type SourcePage, type UnitContext, UnitNotAccessible } from './source';
import { WriteStages } from './write-stages';

export { type CrawlReport, type CrawlStats, emptyStats, MAX_NOTICES } from './crawl-stats';

export interface RequestBudget {
  max: number;
  used: number;
}

export interface EngineOptions {
  store: Store;
  log: Logger;
  signal: AbortSignal;
  dryRun?: boolean;
  /** Shared across platforms of one run; 0/undefined = unlimited. */
  budget?: RequestBudget;
  concurrency?: number;
  /** Pages each unit fetches ahead of the writer (default DEFAULT_READ_AHEAD; 1: one page while the last is stored). */
  readAhead?: number;
  /** Re-check stored posts this many days back from the newest for deletions (0 = off). */
  deletionSyncDays?: number;
  onPage?: (platform: string, unit: CrawlUnit, page: SourcePage) => void;
  /** Awaited before each cursor is saved; throws when this crawl may no longer move cursors (a queue job's lost lease). */
  fence?: () => Promise<void>;
}

/**
 * Pages a unit may fetch ahead of the writer, and pages it may have in the store's stages.
 * Bounds memory (a page is at most a listing with its comment trees) and the requests a
 * failing unit lets go, while letting the store fall behind the gate by that many pages.
 */
export const DEFAULT_READ_AHEAD = 4;

export async function crawlSource(source: Source, opts: EngineOptions): Promise<CrawlReport> {
  const { store, log } = opts;
  const tally = new CrawlTally(source, opts.dryRun);
  const report = tally.report;
  const dryState = new Map<string, CrawlState>();
  const ctx = unitContext(store, opts);
  const stages = new WriteStages({ store, tally, dryRun: opts.dryRun, dryState, fence: opts.fence, onStored: (unit, page) => opts.onPage?.(source.platform, unit, page) });

  const runUnit = async (unit: CrawlUnit) => {
    const state = opts.dryRun ? (dryState.get(unit.id) ?? (await store.crawlState.get(unit.id))) : await store.crawlState.get(unit.id);
    // Stopped when the unit ends for any reason, so pages still queued ahead send nothing.
    const stop = new AbortController();
    const depth = Math.max(1, opts.readAhead ?? DEFAULT_READ_AHEAD);
    const reader = new PageReader(source.pages(unit, { ...ctx, signal: AbortSignal.any([opts.signal, stop.signal]), state } as UnitContext)[Symbol.asyncIterator](), depth);
    // Pages stored or being stored, oldest first; the next page enters the stages while
    // the last one is still in them.
    const storing: Promise<void>[] = [];
    let last: Promise<void> = Promise.resolve();
    let failed = false;
    try {
      reader.fill();
      for (;;) {
        if (failed) await last; // throws the store's error: no more pages for this unit
        const r = await reader.next();
        if (r.done) break;
        if (opts.signal.aborted) break;
        reader.fill();
        last = stages.store(unit, r.value, last);
        last.catch(() => {
          failed = true;
        });
        storing.push(last);
        while (storing.length > depth) await storing.shift();
      }
      await last;
    } finally {
      // Never leave with requests or writes in flight (the store may be closed next).
      stop.abort();
      await Promise.allSettled([...reader.inFlight(), ...storing]);
    }
    report.units++;
  };

  try {
    const units = await source.units({ ...ctx });
    let index = 0;
    const worker = async () => {
      while (index < units.length && !opts.signal.aborted) {
        const unit = units[index++];
        try {
          await runUnit(unit);
        } catch (err) {
          if (err instanceof BudgetExhausted) {
            report.stoppedBy = 'budget';
            return;
          }
          if (err instanceof PageCapReached) {
            // Every later unit would stop at the same cap: say it once and end the source's crawl.
            if (report.stoppedBy !== 'cap') log.info({ cap: err.message }, 'crawl stopped at its page cap; the rest is crawled next run');
            report.stoppedBy = 'cap';
            report.cap = err.message;
            index = units.length;
            return;
          }
          if (opts.signal.aborted) {
            report.stoppedBy = 'signal';
            return;
          }
          if (err instanceof UnitNotAccessible) {
            tally.notAccessible(unit, [err.message]);
            log.warn({ unit: unit.id, reason: err.message }, 'crawl unit not accessible');
            continue;
          }
          tally.error(`${unit.label}: ${(err as Error).message}`);
          log.error({ unit: unit.id, err: (err as Error).message }, 'crawl unit failed; its cursor stays at the last stored page');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 3) }, worker));
    if (!opts.dryRun && !opts.signal.aborted && report.stoppedBy === undefined && source.deletedAmong && (opts.deletionSyncDays ?? 0) > 0) {
      try {
        report.deleted += await deletionSync(source, store, opts.deletionSyncDays ?? 0, ctx);
      } catch (err) {
        if (err instanceof BudgetExhausted) report.stoppedBy = 'budget';
        else tally.error(`deletion sync: ${(err as Error).message}`);
      }
    }
  } catch (err) {
    if (err instanceof BudgetExhausted) report.stoppedBy = 'budget';
    else if (err instanceof PageCapReached) {
      log.info({ cap: err.message }, 'crawl stopped at its page cap; the rest is crawled next run');
      report.stoppedBy = 'cap';
      report.cap = err.message;
    } else {
      tally.error((err as Error).message);
    }
  } finally {
    tally.finish();
  }
  if (opts.signal.aborted && !report.stoppedBy) report.stoppedBy = 'signal';
  return report;
}

/** What a source may ask while it lists units and reads pages: known ids, the request budget. */
function unitContext(store: Store, opts: EngineOptions): Omit<UnitContext, 'state'> {
  const knownPosts = async (ids: string[]) => {
    if (ids.length === 0) return new Set<string>();
    const docs = await store.posts.getMany(ids, { projection: { _id: 1 } });
    return new Set(docs.map((d) => d._id));
  };
  const knownAccounts = async (ids: string[]) => {
    if (ids.length === 0) return new Set<string>();
    const docs = await store.accounts.getMany(ids, { projection: { _id: 1, createdAt: 1 } });
    return new Set(docs.filter((d) => d.createdAt).map((d) => d._id));
  };
  const spend = () => {
    const b = opts.budget;
    if (!b?.max) return;
    if (b.used >= b.max) throw new BudgetExhausted(b.max);
    b.used++;
  };
  return { signal: opts.signal, knownPosts, knownAccounts, spend };
}

/** Re-fetches stored, not-deleted posts of the source's platform from the last `days` and marks the deleted ones. */
async function deletionSync(source: Source, store: Store, days: number, ctx: Omit<UnitContext, 'state'>): Promise<number> {
  const candidates: { _id: string; externalId: string; t: number }[] = [];
  let newest = 0;
  for await (const p of store.posts.stream({ platform: source.platform, deleted: { $ne: true } }, { projection: { _id: 1, externalId: 1, createdAt: 1 } })) {
    const t = new Date(p.createdAt).getTime();
    newest = Math.max(newest, t);
    candidates.push({ _id: p._id, externalId: p.externalId, t });
  }
  const cutoff = newest - days * 86_400_000;
  const recent = candidates.filter((c) => c.t >= cutoff);
  if (recent.length === 0) return 0;
  const deleted = await source.deletedAmong?.(recent, ctx);
  if (!deleted || deleted.size === 0) return 0;
  const now = new Date();
  await check(store.posts.setMany([...deleted].map((id) => ({ id, set: { deleted: true, fetchedAt: now } }))), 'posts');
  return deleted.size;
}

export type { Post };
