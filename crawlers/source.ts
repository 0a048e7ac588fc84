// What every crawler source provides: resumable units (a subreddit listing, a search
// query, a product's review pages), each yielding pages of normalised posts and accounts
// together with the cursor to save once that page is stored (DESIGN.md §3 ids).
import type { Account, CrawlState, Post } from '../storage/types';
import type { RequestGate } from './rate-gate';

/** A registered platform's id (crawlers/platforms/registry.ts): "reddit", "twitter", "web", … */
export type CrawlPlatform = string;

/** One resumable piece of a crawl; `id` is its crawl_state _id. */
export interface CrawlUnit {
  id: string;
  /** e.g. "r/gadgets new", "search \"brevio\"" */
  label: string;
}

/** The cursor to store for a unit (crawl_state without updatedAt). */
export type UnitCursor = Omit<CrawlState, 'updatedAt'>;

export interface SourcePage {
  /** Posts of this page (deleted ones carry `deleted: true`; stored copies are only marked). */
  posts: Post[];
  accounts: Account[];
  /** Save after the page is stored. */
  cursor: UnitCursor;
  /**
   * Parts of the page the platform refused (a private or removed thread: 403/404), one
   * line each; the rest of the page is stored and the run counts them as `inaccessible`.
   */
  inaccessible?: string[];
  /** Items of the page not stored, with the reason (a missing field): counted in the run's stats. */
  refused?: { id: string; reason: string }[];
  /** What the run's report must say about this page (e.g. a restart the platform forced). */
  notices?: string[];
}

export interface UnitContext {
  /** The unit's saved cursor, null on the first crawl. */
  state: CrawlState | null;
  signal: AbortSignal;
  /** Which of these ids (posts._id or accounts._id) are already stored. */
  knownPosts(ids: string[]): Promise<Set<string>>;
  /** Accounts already stored with full details (skip fetching them again). */
  knownAccounts(ids: string[]): Promise<Set<string>>;
  /** Throws BudgetExhausted when the run's request budget is spent; call before each request. */
  spend(): void;
}

export interface Source {
  platform: CrawlPlatform;
  /** The gates this source sends through (for request and 429 counts). */
  gates(): RequestGate[];
  /** The units to crawl (may fetch index pages to find them). */
  units(ctx: Omit<UnitContext, 'state'>): Promise<CrawlUnit[]>;
  pages(unit: CrawlUnit, ctx: UnitContext): AsyncIterable<SourcePage>;
  /** Deletion sync: which of these stored posts are deleted on the platform now. */
  deletedAmong?(posts: Pick<Post, '_id' | 'externalId'>[], ctx: Omit<UnitContext, 'state'>): Promise<Set<string>>;
  close(): Promise<void>;
}

/**
 * Thrown by a source when the platform refuses a whole unit (a private, quarantined or
 * banned subreddit): the unit's result, counted as `inaccessible` in the run, not an error.
 */
export class UnitNotAccessible extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnitNotAccessible';
  }
}

/** A source's own page cap (web.maxPages) is reached: the crawl of that source ends there, not an error. */
export class PageCapReached extends Error {
  constructor(readonly setting: string, readonly max: number) {
    super(`${setting} (${max}) reached`);
    this.name = 'PageCapReached';
  }
}

export class BudgetExhausted extends Error {
  constructor(max: number) {
    super(`request budget of ${max} spent`);
    this.name = 'BudgetExhausted';
  }
}
