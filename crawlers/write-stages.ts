// Pages go through three stages, accounts, posts and cursor, each one page at a time and
// in arrival order, so a unit's cursor never passes an unstored page and its pages' posts
// follow their accounts. One writer per document kind (DESIGN.md §3): FerretDB's updates
// are not atomic across concurrent writers, and concurrent upserts of the same posts from
// overlapping units can stall it. Different stages run at once on different pages, so a
// page costs the store's slowest stage, not the sum of all three.
import type { Store } from '../storage/store';
import type { CrawlState } from '../storage/types';
import type { CrawlTally } from './crawl-stats';
import { check, PageWriter } from './page-writer';
import type { CrawlUnit, SourcePage } from './source';

export interface WriteStagesOptions {
  store: Store;
  tally: CrawlTally;
  /** Count and keep the cursors (in `dryState`) instead of writing. */
  dryRun?: boolean;
  /** Dry runs keep the cursors they would save in memory, so later pages of a unit go on from them. */
  dryState: Map<string, CrawlState>;
  /** Awaited right before each cursor is saved; a throw keeps the cursor where it was. */
  fence?: () => Promise<void>;
  /** Called once a page is stored with its cursor. */
  onStored?: (unit: CrawlUnit, page: SourcePage) => void;
}

export class WriteStages {
  private readonly writer: PageWriter;
  private readonly accounts = oneAtATime();
  private readonly posts = oneAtATime();
  private readonly cursor = oneAtATime();

  constructor(private readonly opts: WriteStagesOptions) {
    this.writer = new PageWriter(opts.store);
  }

  /** Stores one page; `before`: the unit's previous page stored, the cursor moves only after it. */
  async store(unit: CrawlUnit, page: SourcePage, before: Promise<void>): Promise<void> {
    const { tally, store } = this.opts;
    if (page.inaccessible?.length) tally.notAccessible(unit, page.inaccessible);
    if (this.opts.dryRun) {
      await before;
      tally.page(page, await this.writer.count(page.posts));
      tally.report.cursors?.push(page.cursor);
      this.opts.dryState.set(unit.id, { ...page.cursor, updatedAt: new Date() });
      return;
    }
    const accounts = await this.accounts(() => this.writer.writeAccounts(page.accounts));
    tally.page(page, { ...(await this.posts(() => this.writer.writePosts(page.posts))), accounts });
    await before;
    await this.cursor(async () => {
      await this.opts.fence?.();
      await check(store.crawlState.upsertMany([{ ...page.cursor, updatedAt: new Date() }]), 'crawl_state');
    });
    this.opts.onStored?.(unit, page);
  }
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
