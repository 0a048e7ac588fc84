// Runs a source's units into the store. Per page: store accounts, then replies, then
// top-level posts, then advance the unit's cursor — so a crash at any point leaves a
// cursor that never passes an unstored page (and a stored parent implies stored replies).
// The next page is fetched while the current one is being stored; several units run at
// once and share the source's rate gate, so the gate, not the store, sets the pace.
import type { Logger } from 'pino';
import type { Store } from '../storage/store';
import type { Account, CrawlState, Post } from '../storage/types';
import { BudgetExhausted, type CrawlUnit, type Source, type SourcePage, type UnitContext, type UnitCursor } from './source';

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
  pages: number;
  units: number;
  durationMs: number;
}

export interface CrawlReport extends CrawlStats {
  platform: string;
  errorMessages: string[];
  /** Dry runs: the cursors that would have been saved. */
  cursors?: UnitCursor[];
  stoppedBy?: 'budget' | 'signal';
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
  /** Re-check stored posts this many days back from the newest for deletions (0 = off). */
  deletionSyncDays?: number;
  onPage?: (platform: string, unit: CrawlUnit, page: SourcePage) => void;
}

export function emptyStats(): CrawlStats {
  return { requests: 0, items: 0, new: 0, duplicates: 0, accounts: 0, errors: 0, rateLimited: 0, retries: 0, deleted: 0, pages: 0, units: 0, durationMs: 0 };
}

export async function crawlSource(source: Source, opts: EngineOptions): Promise<CrawlReport> {
  const started = Date.now();
  const { store, log } = opts;
  const report: CrawlReport = { platform: source.platform, ...emptyStats(), errorMessages: [], cursors: opts.dryRun ? [] : undefined };
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
    if (!b || !b.max) return;
    if (b.used >= b.max) throw new BudgetExhausted(b.max);
    b.used++;
  };
  const baseCtx = { signal: opts.signal, knownPosts, knownAccounts, spend };

  const accountsWritten = new Map<string, boolean>();
  const storePage = async (unit: CrawlUnit, page: SourcePage) => {
    const ids = page.posts.map((p) => p._id);
    const stored = new Map(
      ids.length ? (await store.posts.getMany(ids, { projection: { _id: 1, text: 1, title: 1, score: 1, deleted: 1 } })).map((d) => [d._id, d]) : [],
    );
    const known = new Set(stored.keys());
    report.pages++;
    report.items += page.posts.length;
    const fresh = page.posts.filter((p) => !known.has(p._id));
    report.new += new Set(fresh.map((p) => p._id)).size;
    report.duplicates += page.posts.length - fresh.length;
    report.deleted += page.posts.filter((p) => p.deleted && !stored.get(p._id)?.deleted).length;
    if (opts.dryRun) {
      report.cursors?.push(page.cursor);
      dryState.set(unit.id, { ...page.cursor, updatedAt: new Date() });
      return;
    }
    // An account is written once per run (its details and lastSeenAt do not change within one).
    // (Written again when a later page brings details the first one lacked.)
    const pageAccounts = page.accounts.filter((a) => !accountsWritten.has(a._id) || (!accountsWritten.get(a._id) && a.createdAt));
    for (const a of pageAccounts) accountsWritten.set(a._id, !!a.createdAt);
    const accountIds = pageAccounts.map((a) => a._id);
    const knownAcc = new Set(accountIds.length ? (await store.accounts.getMany(accountIds, { projection: { _id: 1 } })).map((a) => a._id) : []);
    // Existing accounts keep their firstSeenAt ($set of the fields given).
    const accounts = pageAccounts.map((a) => (knownAcc.has(a._id) ? withoutFirstSeen(a) : a));
    report.accounts += accounts.length - knownAcc.size;
    if (accounts.length) await check(store.accounts.upsertMany(accounts), 'accounts');
    // A deleted item that is already stored keeps its author and text: only mark it.
    const marks = page.posts.filter((p) => p.deleted && known.has(p._id) && !stored.get(p._id)?.deleted);
    // Stored posts are rewritten only when what the platform shows changed (updates are the
    // store's slow path; overlapping searches return the same posts again and again).
    const full = page.posts.filter((p) => {
      const old = stored.get(p._id);
      if (!old) return true;
      if (p.deleted) return false;
      return old.text !== p.text || old.title !== p.title || old.score !== p.score || !!old.deleted;
    });
    const replies = full.filter((p) => p.parentId);
    const tops = full.filter((p) => !p.parentId);
    if (replies.length) await check(store.posts.upsertMany(replies), 'posts');
    if (marks.length) await check(store.posts.setMany(marks.map((p) => ({ id: p._id, set: { deleted: true, fetchedAt: p.fetchedAt } }))), 'posts');
    if (tops.length) await check(store.posts.upsertMany(tops), 'posts');
    await check(store.crawlState.upsertMany([{ ...page.cursor, updatedAt: new Date() }]), 'crawl_state');
    opts.onPage?.(source.platform, unit, page);
  };

  // One writer per run (DESIGN.md §3): FerretDB's updates are not atomic across concurrent
  // writers, and concurrent upserts of the same posts from overlapping units can stall it.
  let writes: Promise<unknown> = Promise.resolve();
  const writeOneAtATime = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = writes.then(fn, fn);
    writes = run.catch(() => {});
    return run;
  };

  const runUnit = async (unit: CrawlUnit) => {
    const state = opts.dryRun ? (dryState.get(unit.id) ?? (await store.crawlState.get(unit.id))) : await store.crawlState.get(unit.id);
    const it = source.pages(unit, { ...baseCtx, state } as UnitContext)[Symbol.asyncIterator]();
    // Prefetch one page: the gate keeps sending while the store writes.
    let next = it.next();
    for (;;) {
      const r = await next;
      if (r.done) break;
      if (opts.signal.aborted) {
        void it.return?.();
        break;
      }
      next = it.next();
      next.catch(() => {}); // handled when awaited
      await writeOneAtATime(() => storePage(unit, r.value));
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
          if (opts.signal.aborted) {
            report.stoppedBy = 'signal';
            return;
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
    else {
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

function withoutFirstSeen(a: Account): Account {
  const { firstSeenAt: _f, ...rest } = a;
  return rest as Account;
}

async function check(p: Promise<{ rejected: { id: string; reason: string }[] }>, what: string) {
  const r = await p;
  if (r.rejected.length > 0) throw new Error(`store refused ${r.rejected.length} ${what} documents, e.g. ${r.rejected[0].id}: ${r.rejected[0].reason}`);
}

export type { Post };
