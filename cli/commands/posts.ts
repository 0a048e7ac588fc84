// `ringwatch posts export [--platform P] [--since D] [--format csv|ndjson] [--out F]`: what
// the crawlers and imports stored, one row per post, so an analyst can check it without a
// database client. Posts are read through the store's time window (no sort, no full scan
// with --since on FerretDB) and written as they come, so an export of any size streams.
// CSV cells are escaped against formula injection like the other exports (post text is
// attacker-written); NDJSON carries the values as they are, lists as arrays.
import { toDate } from '../../analysis/time';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { csvSafe } from '../../importers/clean';
import { platformIds } from '../../crawlers/platforms/registry';
import type { Store } from '../../storage/store';
import type { Post } from '../../storage/types';
import type { CliDeps } from '../context';

export const POST_EXPORT_COLUMNS = [
  'post',
  'platform',
  'kind',
  'created_at',
  'author',
  'account',
  'community',
  'url',
  'title',
  'text',
  'parent',
  'references',
  'objects',
  'links',
  'deleted',
] as const;

type Column = (typeof POST_EXPORT_COLUMNS)[number];
export type PostExportRecord = Record<Column, string | string[] | boolean | null>;

const PROJECTION = {
  _id: 1,
  platform: 1,
  kind: 1,
  createdAt: 1,
  author: 1,
  accountId: 1,
  community: 1,
  url: 1,
  title: 1,
  text: 1,
  parentId: 1,
  references: 1,
  objects: 1,
  links: 1,
  deleted: 1,
} as const;

/** One post as an export record (lists as arrays; a reference is "<type>:<post id>"). */
export function postRecord(p: Post): PostExportRecord {
  return {
    post: p._id,
    platform: p.platform,
    kind: p.kind,
    created_at: new Date(p.createdAt).toISOString(),
    author: p.author ?? null,
    account: p.accountId ?? null,
    community: p.community ?? null,
    url: p.url ?? null,
    title: p.title ?? null,
    text: p.text ?? null,
    parent: p.parentId ?? null,
    references: (p.references ?? []).map((r) => `${r.type}:${r.postId}`),
    objects: p.objects ?? [],
    links: p.links ?? [],
    deleted: !!p.deleted,
  };
}

/** The record as CSV cells: lists space-separated, every text cell safe from spreadsheet formulas. */
export function postCsvRow(r: PostExportRecord): (string | number)[] {
  return POST_EXPORT_COLUMNS.map((c) => {
    const v = r[c];
    return csvSafe(Array.isArray(v) ? v.join(' ') : v === null ? '' : typeof v === 'boolean' ? (v ? 'yes' : '') : v);
  });
}

export interface PostExportOptions {
  platform?: string;
  since?: Date;
  format: 'csv' | 'ndjson';
}

/** Writes the matching posts to `out`; returns how many. */
export async function exportPosts(store: Store, opts: PostExportOptions, out: Writable): Promise<number> {
  const write = async (chunk: string) => {
    if (!out.write(chunk))
      await new Promise<void>((resolve, reject) => {
        out.once('drain', resolve);
        out.once('error', reject);
      });
  };
  if (opts.format === 'csv') await write(stringify([[...POST_EXPORT_COLUMNS]]));
  const snap = await store.postWindow.snapshot();
  if (snap.span.count === 0 || !snap.span.newest) return 0;
  const since = opts.since ?? snap.span.oldest ?? new Date(0);
  let n = 0;
  for await (const p of snap.stream(since, snap.span.newest, PROJECTION)) {
    if (opts.platform && p.platform !== opts.platform) continue;
    const r = postRecord(p);
    await write(opts.format === 'csv' ? stringify([postCsvRow(r)]) : `${JSON.stringify(r)}\n`);
    n++;
  }
  return n;
}

export function register(program: Command, deps: CliDeps) {
  const posts = program.command('posts').description('stored posts: export for checking what was crawled or imported');
  posts
    .command('export')
    .description(`one row per stored post: CSV header ${POST_EXPORT_COLUMNS.join(',')} (lists space-separated), or NDJSON (one JSON object a line)`)
    .option('--platform <platform>', `only this platform (${platformIds().join(', ')}, or an import source)`)
    .option('--since <date>', 'only posts created at or after this date (e.g. 2026-11-01 or 2026-11-01T12:00:00Z)')
    .option('--format <format>', 'csv or ndjson', 'csv')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (opts: { platform?: string; since?: string; format: string; out?: string }) => {
      if (opts.format !== 'csv' && opts.format !== 'ndjson') throw new Error(`--format must be csv or ndjson, got "${opts.format}"`);
      const since = toDate(opts.since, '--since');
      if (opts.platform !== undefined && !/^[a-z][a-z0-9_-]{0,39}$/.test(opts.platform))
        throw new Error(`--platform "${opts.platform}" is not a platform name (lower-case word, e.g. twitter)`);
      const out = opts.out ? createWriteStream(opts.out) : process.stdout;
      const n = await deps.withStore((store) =>
        exportPosts(store, { platform: opts.platform, since, format: opts.format as 'csv' | 'ndjson' }, out),
      );
      if (opts.out) {
        await new Promise<void>((resolve, reject) =>
          (out as ReturnType<typeof createWriteStream>).end((err?: Error | null) => (err ? reject(err) : resolve())),
        );
        process.stderr.write(`${n} post(s) written to ${opts.out}\n`);
      }
    });
}
