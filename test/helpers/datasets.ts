// The real data sets in ../shared/datasets (never copied into the repository): their path,
// or undefined when this checkout has none (tests skip with the reason).
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export function datasetPath(relative: string): string | undefined {
  const candidates = [
    process.env.RINGWATCH_DATASETS,
    path.join(ROOT, '../shared/datasets'),
    // a git worktree one level deeper (/work/wt/<name>) shares the same ../shared
    path.join(ROOT, '../../shared/datasets'),
  ].filter((d): d is string => Boolean(d));
  for (const dir of candidates) {
    const file = path.join(dir, relative);
    if (existsSync(file)) return file;
  }
  return undefined;
}
