// Property: a newest-first pass, stopped after any page and resumed from its saved
// cursor, keeps exactly the items newer than the previous pass's boundary, even when
// new items arrive at the top between runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { passStep } from '../../crawlers/cursor';
import type { CrawlState } from '../../storage/types';

type Item = { id: string; createdAt: Date };

/** A listing (newest first) served in pages of `size` with an `after` cursor, like Reddit's. */
function serve(list: Item[], after: string | null, size: number) {
  const start = after ? list.findIndex((x) => x.id === after) + 1 : 0;
  const items = list.slice(start, start + size);
  const next = start + size < list.length && items.length ? items[items.length - 1].id : null;
  return { items, next };
}

/** Runs passes until one completes, "crashing" after `crashAfter` pages of each run. */
function crawlUntilDone(list: () => Item[], state: CrawlState | null, size: number, crashAfter: number[], seen: Set<string>): CrawlState | null {
  let s = state;
  for (let run = 0; ; run++) {
    let pages = 0;
    for (;;) {
      const { items, next } = serve(list(), s?.after ?? null, size);
      const step = passStep('u', 'test', s, items, next);
      for (const k of step.keep) seen.add(k.id);
      s = { ...step.cursor, updatedAt: new Date() };
      if (step.done) return s;
      pages++;
      if (pages >= (crashAfter[run] ?? Infinity)) break; // killed: the next run starts from the saved cursor
    }
  }
}

describe('resumable passes', () => {
  it('kill anywhere, resume, new items arriving: everything is seen, incremental passes stop early', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 9 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 25 }),
        (n, size, crashes, added) => {
          let t = 1_000_000;
          let counter = 0;
          const mk = () => {
            t += 1000;
            return { id: `i${counter++}`, createdAt: new Date(t) };
          };
          const all: Item[] = [];
          for (let i = 0; i < n; i++) all.unshift(mk());
          const seen = new Set<string>();
          const state = crawlUntilDone(() => all, null, size, crashes, seen);
          expect(seen).toEqual(new Set(all.map((x) => x.id)));
          // New items arrive; the incremental pass sees exactly them (plus at most the boundary page).
          const fresh: string[] = [];
          for (let i = 0; i < added; i++) {
            const it = mk();
            all.unshift(it);
            fresh.push(it.id);
          }
          const seen2 = new Set<string>();
          crawlUntilDone(() => all, state, size, crashes, seen2);
          expect(seen2).toEqual(new Set(fresh));
        },
      ),
      { numRuns: 300 },
    );
  });
});
