// Co-action files (DESIGN.md §5) → posts that share objects, with their accounts.
// Two schemas, told apart by the header:
//   CooRTweet:     object_id, account_id, content_id, timestamp_share   (one row per object)
//   multi-object:  account_id, post_id, timestamp + object columns such as url_id,
//                  hashtag_id, domain_id, phash_id                        (CooRTweet's german_elections)
// Timestamps are epoch seconds (ISO 8601 also read). Every non-empty object cell becomes
// "<kind>:<id>" in Post.objects, the kind being the column name without "_id" ("object"
// for CooRTweet's object_id). Rows of one post (one per object, as both schemas repeat
// a post once per hashtag) merge into one post whose objects are the union, so a re-run
// finds every post unchanged. Post ids "import:<source>:<post id>"; accounts
// "<platform>:<account id>", the platform being the row's `platform` column or the source.
//
// Stored packed (storage/coactions.ts), not one document per post: the whole file is read
// and merged in memory, compared with the co-action posts already stored, and only the new
// or changed posts are written, in chunk documents keyed by a hash of the file's cleaned
// content; the accounts are derived once for the file; the import is recorded as finished
// last. Re-importing the same file finds it finished and writes nothing; a re-run after
// kill -9 rewrites the same chunks and then finishes.
import { createHash } from 'node:crypto';
import { cell, parseDate } from './clean';
import { columnKey, type RowResult } from './rows';
import { isoWeek } from '../analysis/time';
import type { Store } from '../storage/store';
import type { Post } from '../storage/types';
import { endImport, ImportInputError, type ImportKind, type ImportOptions, type ImportSummary, readRecords, sameValue, startImport } from './importer';
import type { SourceRecord } from './readers';
import { postAuthors } from './reviews';

/** Longest id kept (account, post or object); longer cells are refused, not cut. */
export const MAX_ID_LENGTH = 256;
/** Most objects one post may share; a row listing more is refused. */
export const MAX_OBJECTS_PER_POST = 200;

export interface CoactionColumnFlags {
  account?: string;
  post?: string;
  time?: string;
  /** Object columns; default: `object_id`, else every other `*_id` column. */
  objects?: string[];
}

export interface CoactionColumns {
  schema: 'cooRTweet' | 'multi-object' | 'named';
  account: string;
  post: string;
  time: string;
  objects: { column: string; kind: string }[];
  platform?: string;
}

const POST_COLUMNS = ['post_id', 'content_id'];
const TIME_COLUMNS = ['timestamp', 'timestamp_share'];

/** The object kind a column stands for: "url_id" → "url", "object_id" → "object". */
export function objectKind(column: string): string {
  return columnKey(column).replace(/_id$/, '') || 'object';
}

/**
 * Which columns hold what, from the header (names matched loosely: "Account ID" =
 * account_id) and the flags. Throws one error naming every missing column.
 */
export function resolveColumns(header: readonly string[], flags: CoactionColumnFlags = {}): CoactionColumns {
  const keys = new Map(header.map((h) => [columnKey(h), h]));
  const pick = (flag: string | undefined, defaults: string[]) => (flag ? (keys.has(columnKey(flag)) ? columnKey(flag) : undefined) : defaults.find((d) => keys.has(d)));
  const account = pick(flags.account, ['account_id']);
  const post = pick(flags.post, POST_COLUMNS);
  const time = pick(flags.time, TIME_COLUMNS);
  const missing: string[] = [];
  if (!account) missing.push(flags.account ?? 'account_id');
  if (!post) missing.push(flags.post ?? POST_COLUMNS.join(' or '));
  if (!time) missing.push(flags.time ?? TIME_COLUMNS.join(' or '));
  let objectCols: string[];
  let schema: CoactionColumns['schema'];
  if (flags.objects && flags.objects.length > 0) {
    schema = 'named';
    objectCols = flags.objects.map(columnKey);
    for (const [k, raw] of objectCols.map((c, i) => [c, flags.objects?.[i] ?? c] as const)) if (!keys.has(k)) missing.push(raw);
  } else if (keys.has('object_id')) {
    schema = 'cooRTweet';
    objectCols = ['object_id'];
  } else {
    schema = 'multi-object';
    const taken = new Set([account, post, 'account_id', ...POST_COLUMNS]);
    objectCols = [...keys.keys()].filter((k) => k.endsWith('_id') && !taken.has(k));
    if (objectCols.length === 0) missing.push('object columns (object_id, or url_id, hashtag_id, domain_id, phash_id, …)');
  }
  if (missing.length > 0) {
    throw new ImportInputError(
      `coactions: the header lacks ${missing.join(', ')} (found: ${header.join(', ') || 'nothing'}). ` +
        'Expected CooRTweet\'s object_id, account_id, content_id, timestamp_share, or account_id, post_id, timestamp with object columns such as url_id, hashtag_id; ' +
        'other names: --account-column, --post-column, --time-column, --object-columns. Nothing was imported.',
    );
  }
  return {
    schema,
    account: account as string,
    post: post as string,
    time: time as string,
    objects: objectCols.map((column) => ({ column, kind: objectKind(column) })),
    ...(keys.has('platform') ? { platform: 'platform' } : {}),
  };
}

/**
 * The header of a record stream (its column record, else the keys of its first readable row) and the same stream
 * from the start, so the columns can be checked once, before any row is cleaned.
 */
export async function peekHeader(records: AsyncIterable<SourceRecord>): Promise<{ header: string[]; records: AsyncIterable<SourceRecord> }> {
  const it = records[Symbol.asyncIterator]();
  const seen: SourceRecord[] = [];
  let done = false;
  for (;;) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    seen.push(r.value);
    if (r.value.row || r.value.columns) break;
  }
  const named = seen.find((s) => s.columns)?.columns;
  const first = seen.find((s) => s.row)?.row;
  async function* replay(): AsyncIterable<SourceRecord> {
    yield* seen;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { header: named ?? (first ? Object.keys(first) : []), records: replay() };
}

/** Epoch seconds ("1629589836", "1629589836.0") or ISO 8601; null when neither. */
export function parseShareTime(value: unknown): Date | null | 'milliseconds' {
  const s = cell(value);
  if (s === undefined) return null;
  if (/^\d+(\.\d+)?$/.test(s)) {
    const sec = Number(s);
    if (sec >= 1e11) return 'milliseconds';
    return new Date(Math.round(sec * 1000));
  }
  return parseDate(s);
}

function idCell(row: Record<string, unknown>, key: string): string | undefined {
  const v = row[key];
  if (v === null || v === undefined) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/** columnKey per header name, computed once: every row of a file has the same names. */
const KEY_CACHE = new Map<string, string>();
function key(name: string): string {
  let k = KEY_CACHE.get(name);
  if (k === undefined) {
    k = columnKey(name);
    if (KEY_CACHE.size < 1000) KEY_CACHE.set(name, k);
  }
  return k;
}

export function cleanCoactionRow(raw: Record<string, unknown>, cols: CoactionColumns, source: string): RowResult<Post> {
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) row[key(k)] = v;
  const account = idCell(row, cols.account);
  if (!account) return { ok: false, reason: `${cols.account} is empty` };
  const postId = idCell(row, cols.post);
  if (!postId) return { ok: false, reason: `${cols.post} is empty` };
  for (const [name, v] of [[cols.account, account], [cols.post, postId]] as const) {
    if (v.length > MAX_ID_LENGTH) return { ok: false, reason: `${name} is longer than ${MAX_ID_LENGTH} characters` };
  }
  const t = parseShareTime(row[cols.time]);
  if (t === 'milliseconds') return { ok: false, reason: `${cols.time} "${cell(row[cols.time])}" looks like epoch milliseconds; expected epoch seconds` };
  if (!t) return { ok: false, reason: row[cols.time] === undefined || cell(row[cols.time]) === undefined ? `${cols.time} is empty` : `${cols.time} "${cell(row[cols.time])}" is not epoch seconds or an ISO 8601 date` };
  const objects: string[] = [];
  for (const { column, kind } of cols.objects) {
    const id = idCell(row, column);
    if (id === undefined) continue;
    if (id.length > MAX_ID_LENGTH) return { ok: false, reason: `${column} is longer than ${MAX_ID_LENGTH} characters` };
    const o = `${kind}:${id}`;
    if (!objects.includes(o)) objects.push(o);
  }
  const platform = (cols.platform ? cell(row[cols.platform])?.toLowerCase().replace(/[^a-z0-9_-]+/g, '-') : undefined) || source;
  const doc: Post = {
    _id: `import:${source}:${postId}`,
    platform,
    kind: 'share',
    externalId: postId,
    accountId: `${platform}:${account}`,
    author: account,
    createdAt: t,
    week: isoWeek(t),
    ...(objects.length > 0 ? { objects: objects.sort() } : {}),
    community: source,
    source: `import:${source}`,
    fetchedAt: new Date(0),
  };
  return { ok: true, doc };
}

/** Two rows of one post: the earlier's fields, the union of both rows' objects (sorted, so the union is stable). */
export function mergeShares(earlier: Post, later: Post): Post {
  if (!later.objects || later.objects.length === 0) return earlier;
  const union = [...new Set([...(earlier.objects ?? []), ...later.objects])].sort();
  if (union.length > MAX_OBJECTS_PER_POST) union.length = MAX_OBJECTS_PER_POST;
  return { ...earlier, objects: union };
}

/** A hash of the file's cleaned posts in file order: the same file, the same key. */
export function contentKey(posts: readonly Post[]): string {
  const h = createHash('sha256');
  for (const p of posts) {
    h.update(`${p._id}\t${p.platform}\t${p.accountId}\t${p.author}\t${p.createdAt.getTime()}\t${(p.objects ?? []).join(' ')}\n`);
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * `import coactions`: reads the whole file, then stores what is new or changed packed
 * (see the header). Summary counts as for the other imports: posts new, changed (a new
 * object for a stored post), unchanged; rows of one post merged count as duplicates.
 */
export async function runCoactionImport(
  store: Store,
  source: string,
  columns: CoactionColumns,
  records: AsyncIterable<SourceRecord>,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const kind = coactionKind(source, columns);
  const run = startImport(kind.name, opts);
  const { summary, reject } = run;
  try {
    const file = new Map<string, Post>();
    await readRecords(kind, records, summary, reject, opts, (doc) => {
      const prev = file.get(doc._id);
      if (prev) summary.duplicates++;
      file.set(doc._id, prev ? mergeShares(prev, doc) : doc);
    });
    const posts = [...file.values()];
    const key = contentKey(posts);
    if (await store.coactions.finished(key)) {
      summary.unchanged = posts.length;
      summary.derived = { accountsCreated: 0, accountsWidened: 0 };
      return await endImport(run, opts);
    }
    const now = opts.now ?? new Date();
    const stored = (await store.coactions.view()).byId;
    const changed: Post[] = [];
    const derivation = postAuthors();
    for (const doc of posts) {
      const old = stored.get(doc._id);
      let asStored = old;
      if (!old) {
        summary.imported++;
        asStored = { ...doc, fetchedAt: now };
        changed.push(asStored);
      } else {
        const merged = mergeShares(old, doc);
        if (!sameValue(merged.objects, old.objects)) {
          summary.updated++;
          asStored = { ...merged, fetchedAt: now };
          changed.push(asStored);
        } else summary.unchanged++;
      }
      derivation.add(asStored as Post);
    }
    const chunks = await store.coactions.write(key, changed);
    // Accounts before the finish mark: a run killed in between is redone in full by the next.
    summary.derived = await derivation.write(store);
    await store.coactions.finish({ key, source, chunks, posts: changed.length, at: now });
  } finally {
    await run.rejects.close();
  }
  return endImport(run, opts);
}

/** What the shared read loop needs of co-action rows: the columns found in the header and the row cleaning. */
export function coactionKind(source: string, columns: CoactionColumns): Pick<ImportKind<Post>, 'name' | 'columns' | 'clean'> {
  return {
    name: 'coactions',
    // resolveColumns found these in the header already; declared for the importer's checks.
    columns: {
      required: [columns.account, columns.post, columns.time, ...columns.objects.map((o) => o.column)],
      optional: columns.platform ? [columns.platform] : [],
    },
    clean: (row) => cleanCoactionRow(row, columns, source),
  };
}
