// A co-action file's posts merged in memory, cleaned by the importer's own row cleaning but not
// stored: what `import coactions` would store (rows of one post merged, in order of first row).
// For tests that compare the store against the file, and the coshare bench's in-memory pipeline.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { cleanCoactionRow, mergeShares, resolveColumns } from '../../importers/coactions';
import type { Post } from '../../storage/types';

export function coactionFilePosts(file: string, source: string): Post[] {
  const raw = readFileSync(file);
  const rows = parse(file.endsWith('.gz') ? gunzipSync(raw) : raw, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const columns = resolveColumns(Object.keys(rows[0] ?? {}));
  const posts = new Map<string, Post>();
  for (const row of rows) {
    const r = cleanCoactionRow(row, columns, source);
    if (!r.ok) continue;
    const prev = posts.get(r.doc._id);
    posts.set(r.doc._id, prev ? mergeShares(prev, r.doc) : r.doc);
  }
  return [...posts.values()];
}
