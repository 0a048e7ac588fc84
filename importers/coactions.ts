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
// content; the import is recorded as finished last. Re-importing the same file finds it
// finished and writes nothing; a re-run after kill -9 rewrites the same chunks and then finishes.
// No account documents are written for the posts' accounts: `store.accounts` derives them from
// the stored co-action posts (storage/derived-accounts.ts; on the embedded FerretDB inserting the
// 58,314 of german-elections-2021 was ~2.8 s of a 6.8 s import). Only accounts stored already (by
// a crawl, a reviews import) are widened to cover the posts (first/last seen), as before.
import { createHash } from 'node:crypto';
import { cell, parseDate } from './clean';
import { columnKey, type RowResult } from './rows';
import { isoWeek } from '../analysis/time';
import type { Store } from '../storage/store';
import type { Account, Post } from '../storage/types';
import { endImport, ImportInputError, type ImportKind, type ImportOptions, type ImportSummary, readRecords, sameValue, startImport } from './importer';
import type { SourceRecord } from './readers';
import { authorSpans } from '../storage/derived-accounts';
import { storedSpans, widening } from './reviews';

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
  /**
   * The exact keys of every row, when the source names its columns (a CSV header, SQL result
   * columns): cells are then read in place instead of re-keying each row (set by the caller).
   */
  header?: readonly string[];
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

/** Records one at a time or in batches (readers.ts readFileBatches). */
export type RecordStream = AsyncIterable<SourceRecord | readonly SourceRecord[]>;

/**
 * The header of a record stream (its column record, else the keys of its first readable row) and the same stream
 * from the start, so the columns can be checked once, before any row is cleaned. `named`: the header is the
 * source's column record (CSV, SQL), so every row is keyed by exactly these names.
 */
export async function peekHeader(records: RecordStream): Promise<{ header: string[]; named: boolean; records: RecordStream }> {
  const it = records[Symbol.asyncIterator]();
  const seen: (SourceRecord | readonly SourceRecord[])[] = [];
  let done = false;
  let named: string[] | undefined;
  let first: Record<string, unknown> | undefined;
  while (!named && !first) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    seen.push(r.value);
    for (const rec of (Array.isArray(r.value) ? r.value : [r.value]) as SourceRecord[]) {
      if (rec.columns) named ??= rec.columns;
      else if (rec.row) first ??= rec.row;
      if (rec.row || rec.columns) break;
    }
  }
  async function* replay(): RecordStream {
    yield* seen;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { header: named ?? (first ? Object.keys(first) : []), named: named !== undefined, records: replay() };
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

function idCell(v: unknown): string | undefined {
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

/** A bounded memo of a pure function of a few distinct values (platforms, days): hostile input cannot grow it. */
function memo<K, V>(f: (k: K) => V, limit = 10_000): (k: K) => V {
  const m = new Map<K, V>();
  return (k) => {
    let v = m.get(k);
    if (v === undefined && !m.has(k)) {
      v = f(k);
      if (m.size < limit) m.set(k, v);
    }
    return v as V;
  };
}

const platformOf = memo((raw: unknown) => cell(raw)?.toLowerCase().replace(/[^a-z0-9_-]+/g, '-'));
/** isoWeek by UTC day: a file's 200k shares fall on a few hundred days. */
const weekOfDay = memo((day: number) => isoWeek(new Date(day * 86_400_000)));
const DIGITS = /^\d+(\.\d+)?$/;

/** Where each column's cell is in a row: the column key, or the header's own spelling of it (see CoactionColumns.header). */
type CellNames = Record<string, string>;

/** The cell names for rows keyed by this header: the last header name of a key wins, as when a row is re-keyed. */
function headerNames(cols: CoactionColumns, header: readonly string[]): CellNames {
  const names: CellNames = {};
  for (const h of header) names[key(h)] = h;
  for (const c of neededColumns(cols)) names[c] ??= c;
  return names;
}

function neededColumns(cols: CoactionColumns): string[] {
  return [cols.account, cols.post, cols.time, ...cols.objects.map((o) => o.column), ...(cols.platform ? [cols.platform] : [])];
}

/** One row as a post, reading cell `c` at `row[names[c]]`. */
function cleanCells(row: Record<string, unknown>, names: CellNames, cols: CoactionColumns, source: string): RowResult<Post> {
  const account = idCell(row[names[cols.account]]);
  if (!account) return { ok: false, reason: `${cols.account} is empty` };
  const postId = idCell(row[names[cols.post]]);
  if (!postId) return { ok: false, reason: `${cols.post} is empty` };
  if (account.length > MAX_ID_LENGTH) return { ok: false, reason: `${cols.account} is longer than ${MAX_ID_LENGTH} characters` };
  if (postId.length > MAX_ID_LENGTH) return { ok: false, reason: `${cols.post} is longer than ${MAX_ID_LENGTH} characters` };
  const rawTime = row[names[cols.time]];
  // Plain epoch seconds (every row of a CooRTweet export) skip the text normalisation, which leaves digits as they are.
  const plain = typeof rawTime === 'string' ? rawTime.trim() : typeof rawTime === 'number' ? String(rawTime) : undefined;
  let t: Date | null | 'milliseconds';
  if (plain !== undefined && DIGITS.test(plain)) {
    const sec = Number(plain);
    t = sec >= 1e11 ? 'milliseconds' : new Date(Math.round(sec * 1000));
  } else t = parseShareTime(rawTime);
  if (t === 'milliseconds') return { ok: false, reason: `${cols.time} "${cell(rawTime)}" looks like epoch milliseconds; expected epoch seconds` };
  if (!t) return { ok: false, reason: rawTime === undefined || cell(rawTime) === undefined ? `${cols.time} is empty` : `${cols.time} "${cell(rawTime)}" is not epoch seconds or an ISO 8601 date` };
  let objects: string[] | undefined;
  for (const { column, kind } of cols.objects) {
    const id = idCell(row[names[column]]);
    if (id === undefined) continue;
    if (id.length > MAX_ID_LENGTH) return { ok: false, reason: `${column} is longer than ${MAX_ID_LENGTH} characters` };
    const o = `${kind}:${id}`;
    if (!objects) objects = [o];
    else if (!objects.includes(o)) objects.push(o);
  }
  const platform = (cols.platform ? platformOf(row[names[cols.platform]]) : undefined) || source;
  const week = weekOfDay(Math.floor(t.getTime() / 86_400_000));
  const externalId = postId;
  const accountId = `${platform}:${account}`;
  // Two literals rather than a spread of `objects`: one object shape each, built without a copy.
  const doc: Post = objects
    ? { _id: `import:${source}:${postId}`, platform, kind: 'share', externalId, accountId, author: account, createdAt: t, week, objects: objects.sort(), community: source, source: `import:${source}`, fetchedAt: new Date(0) }
    : { _id: `import:${source}:${postId}`, platform, kind: 'share', externalId, accountId, author: account, createdAt: t, week, community: source, source: `import:${source}`, fetchedAt: new Date(0) };
  return { ok: true, doc };
}

/** One row (keys spelt any way: "Account ID" = account_id) as a post, or why it is refused. */
export function cleanCoactionRow(raw: Record<string, unknown>, cols: CoactionColumns, source: string): RowResult<Post> {
  const row: Record<string, unknown> = {};
  for (const k in raw) row[key(k)] = raw[k];
  return cleanCells(row, Object.fromEntries(neededColumns(cols).map((c) => [c, c])), cols, source);
}

/** The row cleaning of a stream: rows keyed by `cols.header` are read in place, others re-keyed first. */
export function coactionCleaner(cols: CoactionColumns, source: string): (row: Record<string, unknown>) => RowResult<Post> {
  if (!cols.header) return (row) => cleanCoactionRow(row, cols, source);
  const names = headerNames(cols, cols.header);
  return (row) => cleanCells(row, names, cols, source);
}

/** Two rows of one post: the earlier's fields, the union of both rows' objects (sorted, so the union is stable). */
export function mergeShares(earlier: Post, later: Post): Post {
  if (!later.objects || later.objects.length === 0) return earlier;
  const union = [...new Set([...(earlier.objects ?? []), ...later.objects])].sort();
  if (union.length > MAX_OBJECTS_PER_POST) union.length = MAX_OBJECTS_PER_POST;
  return { ...earlier, objects: union };
}

/** A hash of the file's cleaned posts in file order: the same file, the same key. */
export async function contentKey(posts: readonly Post[]): Promise<string> {
  const h = createHash('sha256');
  // The same bytes as one update per post, handed over a thousand posts at a time.
  for (let i = 0; i < posts.length; i += 1000) {
    let text = '';
    const end = Math.min(posts.length, i + 1000);
    for (let j = i; j < end; j++) {
      const p = posts[j];
      text += `${p._id}\t${p.platform}\t${p.accountId}\t${p.author}\t${p.createdAt.getTime()}\t${p.objects ? p.objects.join(' ') : ''}\n`;
    }
    h.update(text);
    if (end % TURN_EVERY === 0) await turn();
  }
  return h.digest('hex').slice(0, 32);
}

/**
 * Posts handled between turns of the event loop in the import's loops over every post (~10 ms):
 * the stored accounts' look-up and updates (started before them) are answered and the next
 * commands sent meanwhile, so the store is never left idle while this thread hashes and compares.
 */
const TURN_EVERY = 5_000;
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `import coactions`: reads the whole file, then stores what is new or changed packed
 * (see the header). Summary counts as for the other imports: posts new, changed (a new
 * object for a stored post), unchanged; rows of one post merged count as duplicates.
 */
export async function runCoactionImport(
  store: Store,
  source: string,
  columns: CoactionColumns,
  records: RecordStream,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const kind = coactionKind(source, columns);
  const run = startImport(kind.name, opts);
  const { summary, reject } = run;
  try {
    const file = new Map<string, Post>();
    await readRecords(kind, records, summary, reject, opts, (doc) => {
      const prev = file.get(doc._id);
      if (!prev) file.set(doc._id, doc);
      else {
        summary.duplicates++;
        const merged = mergeShares(prev, doc);
        if (merged !== prev) file.set(doc._id, merged);
      }
    });
    const posts = [...file.values()];
    // A first co-action import (none stored): every post is new, so its authors are known now and the
    // stored accounts among them are widened (none on a fresh store) while the content key, the
    // comparison and the chunks are computed here.
    const first = await store.coactions.empty();
    const derivation = coactionAuthors(first ? undefined : () => store.accounts.derived());
    let accounts: Promise<Record<string, number>> | undefined;
    if (first) {
      for (const doc of posts) derivation.add(doc);
      accounts = derivation.write(store);
      accounts.catch(() => {}); // awaited below
    }
    const key = await contentKey(posts);
    if (await store.coactions.finished(key)) {
      summary.unchanged = posts.length;
      summary.derived = accounts ? await accounts : { accountsCreated: 0, accountsWidened: 0 };
      return await endImport(run, opts);
    }
    const now = opts.now ?? new Date();
    const stored: ReadonlyMap<string, Post> = first ? new Map() : (await store.coactions.view()).byId;
    const changed: Post[] = [];
    let handled = 0;
    for (const doc of posts) {
      if (++handled % TURN_EVERY === 0) await turn();
      const old = stored.get(doc._id);
      let asStored = old;
      // Stamped in place: `doc` is this run's own object, and a changed post's merge a fresh one.
      if (!old) {
        summary.imported++;
        doc.fetchedAt = now;
        asStored = doc;
        changed.push(doc);
      } else {
        const merged = mergeShares(old, doc);
        if (!sameValue(merged.objects, old.objects)) {
          summary.updated++;
          merged.fetchedAt = now;
          asStored = merged;
          changed.push(merged);
        } else summary.unchanged++;
      }
      if (!accounts) derivation.add(asStored as Post);
    }
    accounts ??= derivation.write(store);
    // Chunks and the stored accounts' widening at once, both before the finish mark: a run killed
    // before it is redone in full by the next (the widening is idempotent).
    const [written, derived] = await Promise.allSettled([store.coactions.write(key, changed), accounts]);
    if (written.status === 'rejected') throw written.reason;
    if (derived.status === 'rejected') throw derived.reason;
    const chunks = written.value;
    summary.derived = derived.value;
    // The finish mark makes the posts, and so the accounts derived from them, readable.
    await store.coactions.finish({ key, source, chunks, posts: changed.length, at: now });
  } finally {
    await run.rejects.close();
  }
  return endImport(run, opts);
}

/**
 * The authors of an import's posts (each post as stored after it): no account is written but
 * the stored documents among them, widened (first/last seen) as a reviews import widens them;
 * the rest are derived from the posts (storage/derived-accounts.ts). Counted as the documents
 * were: created when neither stored nor derived from earlier imports (`earlier`, read before this
 * import finishes), widened when their first/last seen move.
 */
export function coactionAuthors(earlier?: () => Promise<ReadonlyMap<string, Pick<Account, 'firstSeenAt' | 'lastSeenAt'>>>) {
  const { seen, add } = authorSpans();
  return {
    add,
    async write(store: Store): Promise<Record<string, number>> {
      const counts = { accountsCreated: 0, accountsWidened: 0 };
      if (seen.size === 0) return counts;
      // The look-up is of stored documents only: a derived account widens with the posts by itself.
      const existing = await storedSpans(store.accounts.stored, [...seen.keys()]);
      const before = earlier ? await earlier() : undefined;
      const widen: { id: string; set: Partial<Account> }[] = [];
      for (const [id, a] of seen) {
        const stored = existing.get(id);
        const old = stored ?? before?.get(id);
        if (!old) {
          counts.accountsCreated++;
          continue;
        }
        const set = widening(old, a);
        if (!set) continue;
        counts.accountsWidened++;
        if (stored) widen.push({ id, set });
      }
      if (widen.length) {
        const r = await store.accounts.stored.setMany(widen);
        if (r.rejected.length) throw new Error(`accounts: the store refused ${r.rejected.length} updates (first: ${r.rejected[0].id}: ${r.rejected[0].reason})`);
      }
      return counts;
    },
  };
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
    clean: coactionCleaner(columns, source),
  };
}
