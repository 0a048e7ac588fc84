// Runs a source's units into the store. Per page: store accounts, then posts (replies
// before the posts they reply to; crawlers/page-writer.ts), then advance the unit's
// cursor — so a crash at any point leaves a cursor that never passes an unstored page
// (and a stored parent implies stored replies).
// Later pages are fetched while earlier ones are being stored; several units run at once
// and share the source's rate gate, so the gate, not the store, sets the pace.
import type { Logger } from 'pino';
import type { Store } from '../storage/store';
import type { CrawlState, Post } from '../storage/types';
import { check, type PageCounts, PageWriter } from './page-writer';
import { BudgetExhausted, type CrawlUnit, PageCapReached, type Source, type SourcePage, type UnitContext, type UnitCursor, UnitNotAccessible } from './source';

export interface CrawlStats {
  requests: number;
  /** Posts fetched (kept pages). */
  items: number;
  /** Posts not stored before. */
  new: number;
  /** Posts already stored (updated in place). */
  duplicates: number;
  accounts: number;
  errors: number;
  /** 429 answers. */
  rateLimited: number;
  retries: number;
  /** Posts marked deleted (seen deleted in listings or by deletion sync). */
  deleted: number;
  /** Units and parts of pages the platform refused (private, quarantined, removed: 403/404); named in `notices`. */
  inaccessible: number;
  /** Items the source refused to store (a requested field missing); reasons in `refusedReasons`. */
  refused: number;
  pages: number;
  units: number;
  durationMs: number;
}

export interface CrawlReport extends CrawlStats {
  platform: string;
  errorMessages: string[];
  /** Refused items by reason ("missing created_at": 10). */
  refusedReasons: Record<string, number>;
  /** What the run must tell beyond counts: what was not accessible (`inaccessible` counts them all), restarts a platform forced (at most MAX_NOTICES lines). */
  notices: string[];
  /** Dry runs: the cursors that would have been saved. */
  cursors?: UnitCursor[];
  /** budget: the run's --max-requests; cap: the source's own page cap (see `cap`); signal: cancelled. */
  stoppedBy?: 'budget' | 'cap' | 'signal';
  /** With stoppedBy "cap": which cap, e.g. "web.maxPages (500) reached". */
  cap?: string;
}

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
}

/**
 * Pages a unit may fetch ahead of the writer, and pages it may have in the store's stages.
 * Bounds memory (a page is at most a listing with its comment trees) and the requests a
 * failing unit lets go, while letting the store fall behind the gate by that many pages.
 */
export const DEFAULT_READ_AHEAD = 4;

/** Notice lines a report keeps: a crawl of thousands of private threads must not grow its run record without bound. */
export const MAX_NOTICES = 100;

export function emptyStats(): CrawlStats {
  return {
    requests: 0,
    items: 0,
    new: 0,
    duplicates: 0,
    accounts: 0,
    errors: 0,
    rateLimited: 0,
    retries: 0,
    deleted: 0,
    inaccessible: 0,
    refused: 0,
    pages: 0,
    units: 0,
    durationMs: 0,
  };
}

export async function crawlSource(source: Source, opts: EngineOptions): Promise<CrawlReport> {
  const started = Date.now();
  const { store, log } = opts;
  const report: CrawlReport = { platform: source.platform, ...emptyStats(), errorMessages: [], refusedReasons: {}, notices: [], cursors: opts.dryRun ? [] : undefined };
  const notAccessible = (unit: CrawlUnit, what: string[]) => {
    report.inaccessible += what.length;
    for (const w of what) if (report.notices.length < MAX_NOTICES) report.notices.push(`${unit.label}: ${w}`);
  };
  // Gates may be created during the run (one per endpoint on first use): count from their state now.
  const gateBase = new Map(source.gates().map((g) => [g, { ...g.stats }]));
  // Dry runs keep the cursors they would save in memory, so later pages of a unit go on from them.
  const dryState = new Map<string, CrawlState>();

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
  const baseCtx = { signal: opts.signal, knownPosts, knownAccounts, spend };

  const writer = new PageWriter(store);
  // Pages go through three stages, accounts, posts and cursor, each one page at a time and
  // in arrival order, so a unit's cursor never passes an unstored page and its pages' posts
  // follow their accounts. One writer per document kind (DESIGN.md §3): FerretDB's updates
  // are not atomic across concurrent writers, and concurrent upserts of the same posts from
  // overlapping units can stall it. Different stages run at once on different pages, so a
  // page costs the store's slowest stage, not the sum of all three.
  const accountsStage = oneAtATime();
  const postsStage = oneAtATime();
  const cursorStage = oneAtATime();
  /** `before`: the unit's previous page stored; the cursor moves only after it. */
  const storePage = async (unit: CrawlUnit, page: SourcePage, before: Promise<void>) => {
    if (page.inaccessible?.length) notAccessible(unit, page.inaccessible);
    if (opts.dryRun) {
      await before;
      count(page, await writer.count(page.posts));
      report.cursors?.push(page.cursor);
      dryState.set(unit.id, { ...page.cursor, updatedAt: new Date() });
      return;
    }
    const accounts = await accountsStage(() => writer.writeAccounts(page.accounts));
    count(page, { ...(await postsStage(() => writer.writePosts(page.posts))), accounts });
    await before;
    await cursorStage(() => check(store.crawlState.upsertMany([{ ...page.cursor, updatedAt: new Date() }]), 'crawl_state'));
    opts.onPage?.(source.platform, unit, page);
  };
  const count = (page: SourcePage, counts: PageCounts) => {
    report.pages++;
    report.items += page.posts.length;
    report.new += counts.new;
    report.duplicates += counts.duplicates;
    report.deleted += counts.deleted;
    report.accounts += counts.accounts;
    for (const r of page.refused ?? []) {
      report.refused++;
      report.refusedReasons[r.reason] = (report.refusedReasons[r.reason] ?? 0) + 1;
    }
    for (const n of page.notices ?? []) if (report.notices.length < MAX_NOTICES && !report.notices.includes(n)) report.notices.push(n);
  };

  const runUnit = async (unit: CrawlUnit) => {
    const state = opts.dryRun ? (dryState.get(unit.id) ?? (await store.crawlState.get(unit.id))) : await store.crawlState.get(unit.id);
    // Stopped when the unit ends for any reason, so pages still queued ahead send nothing.
    const stop = new AbortController();
    const it = source.pages(unit, { ...baseCtx, signal: AbortSignal.any([opts.signal, stop.signal]), state } as UnitContext)[Symbol.asyncIterator]();
    // Pages fetched ahead of the writer, oldest first: the gate keeps sending while the
    // store writes, and a stretch of slow writes (pages of all-new posts and accounts at
    // the start of a crawl) does not hold the gate up. An async generator runs its next()
    // calls one after another, so the pages still arrive in order.
    const depth = Math.max(1, opts.readAhead ?? DEFAULT_READ_AHEAD);
    const ahead: Promise<IteratorResult<SourcePage>>[] = [];
    const fill = () => {
      while (ahead.length < depth) {
        const next = it.next();
        next.catch(() => {}); // handled when awaited
        ahead.push(next);
      }
    };
    // Pages stored or being stored, oldest first; the next page enters the stages while
    // the last one is still in them.
    const storing: Promise<void>[] = [];
    let last: Promise<void> = Promise.resolve();
    let failed = false;
    try {
      fill();
      for (;;) {
        if (failed) await last; // throws the store's error: no more pages for this unit
        const r = await (ahead.shift() as Promise<IteratorResult<SourcePage>>);
        if (r.done) break;
        if (opts.signal.aborted) break;
        fill();
        last = storePage(unit, r.value, last);
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
      await Promise.allSettled([...ahead, ...storing]);
    }
    report.units++;
  };

  try {
    const units = await source.units({ ...baseCtx });
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
            notAccessible(unit, [err.message]);
            log.warn({ unit: unit.id, reason: err.message }, 'crawl unit not accessible');
            continue;
          }
          report.errors++;
          const msg = `${unit.label}: ${(err as Error).message}`;
          report.errorMessages.push(msg);
          log.error({ unit: unit.id, err: (err as Error).message }, 'crawl unit failed; its cursor stays at the last stored page');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 3) }, worker));
    if (!opts.dryRun && !opts.signal.aborted && report.stoppedBy === undefined && source.deletedAmong && (opts.deletionSyncDays ?? 0) > 0) {
      try {
        report.deleted += await deletionSync(source, store, opts.deletionSyncDays ?? 0, baseCtx);
      } catch (err) {
        if (err instanceof BudgetExhausted) report.stoppedBy = 'budget';
        else {
          report.errors++;
          report.errorMessages.push(`deletion sync: ${(err as Error).message}`);
        }
      }
    }
  } catch (err) {
    if (err instanceof BudgetExhausted) report.stoppedBy = 'budget';
    else if (err instanceof PageCapReached) {
      log.info({ cap: err.message }, 'crawl stopped at its page cap; the rest is crawled next run');
      report.stoppedBy = 'cap';
      report.cap = err.message;
    } else {
      report.errors++;
      report.errorMessages.push((err as Error).message);
    }
  } finally {
    for (const g of source.gates()) {
      const b = gateBase.get(g);
      report.requests += g.stats.requests - (b?.requests ?? 0);
      report.rateLimited += g.stats.rateLimited - (b?.rateLimited ?? 0);
      report.retries += g.stats.retries - (b?.retries ?? 0);
    }
    report.durationMs = Date.now() - started;
  }
  if (opts.signal.aborted && !report.stoppedBy) report.stoppedBy = 'signal';
  return report;
}

/** Runs the functions given to it one at a time, in call order. */
function oneAtATime() {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = last.then(fn, fn);
    last = run.catch(() => {});
    return run;
  };
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
