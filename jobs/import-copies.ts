// Review posts are keyed by their source ("import:<source>:<id>"; the source defaults to the
// file's name), so the same reviews imported again from a renamed file (a monthly export,
// a sample cut from the full file) would be stored a second time, and detection would count
// each of them twice: two reviews of one product on one date by one account. Before anything
// is written, the import's first reviews are looked up under every source an earlier review
// import used (from the run records; a few `_id` look-ups each). Found ones refuse the import
// with the `--source` that updates them instead; `--allow-copies` imports them anyway.
import path from 'node:path';
import { ImportInputError } from '../importers/importer';
import { sourceName } from '../importers/reviews';
import type { Store } from '../storage/store';
import type { Post } from '../storage/types';

/** Reviews of the first batch looked up under each earlier source. */
const SAMPLE = 100;
/** Earlier sources looked at, at most (the most recent first). */
const MAX_SOURCES = 20;

/** The source an import run stored its documents under (as runImportJob names it). */
export function runSource(params: Record<string, unknown>): string {
  if (typeof params.source === 'string') return params.source;
  return typeof params.file === 'string' ? sourceName(path.basename(params.file)) : 'sql';
}

/**
 * Sources of earlier review imports other than `source`, newest first: whatever their status,
 * since a failed or killed import may have stored part of its rows (the look-ups tell).
 */
async function earlierReviewSources(store: Store, source: string): Promise<string[]> {
  const runs = await store.runs.find({ job: 'import' }, { sort: { startedAt: -1 }, projection: { params: 1 } });
  const out: string[] = [];
  for (const r of runs) {
    if (r.params?.what !== 'reviews') continue;
    const s = runSource(r.params);
    if (s !== source && !out.includes(s)) out.push(s);
    if (out.length >= MAX_SOURCES) break;
  }
  return out;
}

/** A first-batch check for a review import under `source`: throws when its reviews are stored under another source. */
export function refuseReviewCopies(store: Store, source: string): (docs: readonly { _id: string }[]) => Promise<void> {
  return async (docs) => {
    const sample = (docs as readonly Post[]).slice(0, SAMPLE);
    if (sample.length === 0) return;
    for (const other of await earlierReviewSources(store, source)) {
      const found = await store.posts.getMany(
        sample.map((p) => `import:${other}:${p.externalId}`),
        { projection: { _id: 1 } },
      );
      if (found.length === 0) continue;
      throw new ImportInputError(
        `${found.length} of the first ${sample.length} reviews are stored already under source "${other}" (an earlier import); ` +
          `imported as "${source}" they would be stored twice and counted twice by detect. Nothing was imported. ` +
          `Re-run with --source ${other} to update them, or add --allow-copies if they are other reviews with the same ids.`,
      );
    }
  };
}
