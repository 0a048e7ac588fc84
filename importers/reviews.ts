// Review files (CSV/NDJSON, DESIGN.md §5) → posts of kind "review", with their authors as
// accounts. Post ids are "import:<source>:<id>"; accounts "<platform>:<author>", where the
// platform is the row's `platform` column or else the source name.
import { createHash } from 'node:crypto';
import { cell, parseDate } from './clean';
import { normaliseRow, type RowResult } from './rows';
import { isoWeek } from '../analysis/time';
import type { Store } from '../storage/store';
import type { Account, Post } from '../storage/types';
import { type AuthorSpan, authorSpans } from '../storage/derived-accounts';
import type { Derivation, ImportColumns, ImportKind } from './importer';

const POST_FIELDS = [
  'platform', 'kind', 'externalId', 'accountId', 'author', 'createdAt', 'week', 'title', 'text', 'url', 'community', 'product', 'rating', 'source',
] as const satisfies readonly (keyof Post)[];

/** "import" source names: lower-case word characters and dashes. */
export function sourceName(raw: string): string {
  const s = raw.toLowerCase().replace(/\.gz$/, '').replace(/\.[a-z0-9]+$/, '').replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'import';
}

/** 1–5 from "4", "4.0", "4/5", "4 stars"; null when out of range or unreadable; undefined when empty. */
export function parseRating(value: unknown): number | null | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= 5 ? value : null;
  const s = cell(value);
  if (s === undefined) return undefined;
  const m = /^([1-5])(?:\.0+)?(?:\s*(?:\/\s*5|stars?|★))?$/i.exec(s);
  return m ? Number(m[1]) : null;
}

export function cleanReviewRow(raw: Record<string, unknown>, source: string): RowResult<Post> {
  const row = normaliseRow(raw);
  const author = cell(row.author);
  if (!author) return { ok: false, reason: 'author is empty' };
  const product = cell(row.product);
  if (!product) return { ok: false, reason: 'product is empty' };
  if (cell(row.created_at) === undefined && !(row.created_at instanceof Date)) return { ok: false, reason: 'created_at is empty' };
  const createdAt = parseDate(row.created_at);
  if (!createdAt) return { ok: false, reason: `created_at "${cell(row.created_at)}" is not a date (ISO 8601 or YYYY-MM-DD)` };
  const rating = parseRating(row.rating);
  if (rating === null) return { ok: false, reason: `rating "${cell(row.rating)}" is not 1–5` };
  const text = cell(row.text);
  const title = cell(row.title);
  const platform = (cell(row.platform)?.toLowerCase().replace(/[^a-z0-9_-]+/g, '-') || source);
  // Without an id, the review's own content names it, so re-imports hit the same post.
  const id = cell(row.id) ?? createHash('sha256').update([author, product, createdAt.toISOString(), title ?? '', text ?? ''].join('\u0001')).digest('hex').slice(0, 16);
  const url = cell(row.url);
  const doc: Post = {
    _id: `import:${source}:${id}`,
    platform,
    kind: 'review',
    externalId: id,
    accountId: `${platform}:${author}`,
    author,
    createdAt,
    week: isoWeek(createdAt),
    ...(title ? { title } : {}),
    ...(text ? { text } : {}),
    ...(url ? { url } : {}),
    community: cell(row.community) ?? source,
    product,
    ...(rating !== undefined ? { rating } : {}),
    source: `import:${source}`,
    fetchedAt: new Date(0),
  };
  return { ok: true, doc };
}

/** What the author look-up needs of the accounts: `store.accounts`, or its stored documents alone (co-action imports). */
type AccountReader = Pick<Store['accounts'], 'estimatedCount' | 'getMap'>;

/** Stored first/last-seen times of those of `ids` that exist. */
export async function storedSpans(accounts: AccountReader, ids: string[]): Promise<Map<string, Pick<Account, 'firstSeenAt' | 'lastSeenAt'>>> {
  const out = new Map<string, Pick<Account, 'firstSeenAt' | 'lastSeenAt'>>();
  // A size hint from the collection's metadata: a count would scan it on FerretDB (3–4 s for 160k accounts).
  const total = await accounts.estimatedCount();
  if (total === 0) return out;
  // Many of a collection are read in one projected scan on FerretDB (getMany decides), by `$in` on MongoDB.
  return accounts.getMap(ids, { projection: { _id: 1, firstSeenAt: 1, lastSeenAt: 1 }, collectionSize: total });
}

/** `set` widening a stored first/last-seen span to cover `a`, or null when it already does. */
export function widening(old: Pick<Account, 'firstSeenAt' | 'lastSeenAt'>, a: AuthorSpan): Partial<Account> | null {
  const set: Partial<Account> = {};
  if (!old.firstSeenAt || a.first < old.firstSeenAt.getTime()) set.firstSeenAt = new Date(a.first);
  if (!old.lastSeenAt || a.last > old.lastSeenAt.getTime()) set.lastSeenAt = new Date(a.last);
  return Object.keys(set).length ? set : null;
}

/**
 * The authors of every stored post of the source (reviews), gathered in memory over the whole
 * file and written once at the end: new accounts in one insert, existing ones only
 * widened (first/last seen), so a re-import changes nothing and a re-run after a crash
 * creates what the crash cut off. (Co-action imports write none: importers/coactions.ts.)
 */
export function postAuthors(): Derivation<Post> {
  const { seen, add } = authorSpans();
  return {
    add,
    async write(store) {
      const counts = { accountsCreated: 0, accountsWidened: 0 };
      if (seen.size === 0) return counts;
      const existing = await storedSpans(store.accounts, [...seen.keys()]);
      const fresh: Account[] = [];
      const widen: { id: string; set: Partial<Account> }[] = [];
      for (const [id, a] of seen) {
        const old = existing.get(id);
        if (!old) fresh.push({ _id: id, platform: a.platform, handle: a.handle, firstSeenAt: new Date(a.first), lastSeenAt: new Date(a.last) });
        else {
          const set = widening(old, a);
          if (set) widen.push({ id, set });
        }
      }
      if (fresh.length) {
        const r = await store.accounts.insertMany(fresh);
        // Created meanwhile by another writer (a crawl): widen those instead.
        const raced = r.rejected.filter((x) => /duplicate|E11000/i.test(x.reason)).map((x) => x.id);
        const others = r.rejected.filter((x) => !/duplicate|E11000/i.test(x.reason));
        if (others.length) throw new Error(`accounts: the store refused ${others.length} (first: ${others[0].id}: ${others[0].reason})`);
        counts.accountsCreated = fresh.length - raced.length;
        for (const [id, old] of await store.accounts.getMap(raced)) {
          const set = widening(old, seen.get(id) as AuthorSpan);
          if (set) widen.push({ id, set });
        }
      }
      if (widen.length) {
        const r = await store.accounts.setMany(widen);
        if (r.rejected.length) throw new Error(`accounts: the store refused ${r.rejected.length} updates (first: ${r.rejected[0].id}: ${r.rejected[0].reason})`);
        counts.accountsWidened = widen.length;
      }
      return counts;
    },
  };
}

export const REVIEW_COLUMNS = {
  required: ['author', 'product', 'created_at'],
  optional: ['id', 'platform', 'rating', 'title', 'text', 'url', 'community'],
} as const satisfies ImportColumns;

export function reviewKind(source: string): ImportKind<Post> {
  const name = sourceName(source);
  return {
    name: 'reviews',
    repo: (s) => s.posts,
    columns: REVIEW_COLUMNS,
    clean: (row) => cleanReviewRow(row, name),
    fields: POST_FIELDS,
    stamp: 'fetchedAt',
    derive: postAuthors,
  };
}
