// A unit's pages read ahead of the writer, oldest first: the gate keeps sending while the
// store writes, and a stretch of slow writes (pages of all-new posts and accounts at the
// start of a crawl) does not hold the gate up. An async generator runs its next() calls
// one after another, so the pages still arrive in order.
import type { SourcePage } from './source';

export class PageReader {
  private readonly ahead: Promise<IteratorResult<SourcePage>>[] = [];

  constructor(
    private readonly pages: AsyncIterator<SourcePage>,
    /** Pages asked for ahead of the one being stored (at least 1). */
    private readonly depth: number,
  ) {}

  /** Asks for pages until `depth` are on their way. */
  fill(): void {
    while (this.ahead.length < this.depth) {
      const next = this.pages.next();
      next.catch(() => {}); // handled when awaited
      this.ahead.push(next);
    }
  }

  /** The oldest page asked for (throws the source's error for it). */
  next(): Promise<IteratorResult<SourcePage>> {
    return this.ahead.shift() as Promise<IteratorResult<SourcePage>>;
  }

  /** Every request still on its way, to wait for before leaving. */
  inFlight(): Promise<unknown>[] {
    return [...this.ahead];
  }
}
