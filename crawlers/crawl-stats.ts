// What a crawl counts and tells: the report's numbers, the notices (bounded), refused items
// by reason, and the requests its rate gates sent during the run.
import type { RequestGate } from './rate-gate';
import type { PageCounts } from './page-writer';
import type { CrawlUnit, Source, SourcePage, UnitCursor } from './source';

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

/** A crawl's report as it runs: one place adds to its numbers and notices. */
export class CrawlTally {
  readonly report: CrawlReport;
  private readonly started = Date.now();
  /** Gates may be created during the run (one per endpoint on first use): count from their state now. */
  private readonly gateBase: Map<RequestGate, { requests: number; rateLimited: number; retries: number }>;

  constructor(private readonly source: Source, dryRun: boolean | undefined) {
    this.report = { platform: source.platform, ...emptyStats(), errorMessages: [], refusedReasons: {}, notices: [], cursors: dryRun ? [] : undefined };
    this.gateBase = new Map(source.gates().map((g) => [g, { ...g.stats }]));
  }

  /** What the platform refused (a unit, threads of a page), named in the notices. */
  notAccessible(unit: CrawlUnit, what: string[]): void {
    const report = this.report;
    report.inaccessible += what.length;
    for (const w of what) if (report.notices.length < MAX_NOTICES) report.notices.push(`${unit.label}: ${w}`);
  }

  /** A page stored (or counted, in a dry run). */
  page(page: SourcePage, counts: PageCounts): void {
    const report = this.report;
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
  }

  error(message: string): void {
    this.report.errors++;
    this.report.errorMessages.push(message);
  }

  /** The gates' requests, 429s and retries since the start, and the duration. */
  finish(): void {
    const report = this.report;
    for (const g of this.source.gates()) {
      const b = this.gateBase.get(g);
      report.requests += g.stats.requests - (b?.requests ?? 0);
      report.rateLimited += g.stats.rateLimited - (b?.rateLimited ?? 0);
      report.retries += g.stats.retries - (b?.retries ?? 0);
    }
    report.durationMs = Date.now() - this.started;
  }
}
