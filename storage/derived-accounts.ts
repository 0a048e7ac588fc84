// Accounts as every reader sees them (`store.accounts`): the documents of the `accounts`
// collection, and the accounts of the stored co-action posts that have no document there.
// A co-action import writes no account documents (importers/coactions.ts): an account of
// its posts is {_id, platform and handle of its first post in import order, firstSeenAt and
// lastSeenAt = its posts' earliest and latest createdAt}, which is what the import inserted
// before, field for field, so the posts alone say it. Inserting those 58,314 documents of
// german-elections-2021 cost ~2.8 s of a 6.8 s import on the embedded FerretDB; on MongoDB
// the saving is small, but both go through this one layer.
//
// Reads go to the collection first, then to the derived accounts it lacks: a stored document
// (a crawl's, a reviews import's, or a derived one written out by an update) wins over the
// derived one. Filters are evaluated on derived accounts by `matchesFilter` below, which knows
// the shapes the readers use (equality, $exists, $in, $nin, $ne, $regex); any other operator
// throws, so a new reader fails loudly in its tests instead of silently missing accounts.
// Writes keep today's behaviour: an insert of a derived id is refused as a duplicate (as it
// was when the import had stored it), and an update or upsert of one first writes its whole
// derived document, then applies the change, so firstSeenAt/lastSeenAt never go backwards.
// Derived accounts cannot be deleted (they follow the posts): deleteMany refuses.
import type { CoactionPosts, CoactionView } from './coactions';
import type { Change, FindOptions, Repository, SetUpdate, StoreFilter, StoreSort, UpdateResult, WriteSummary } from './repository';
import type { Account, Post } from './types';
import { whyUnstorable } from './validate';

type Doc = Record<string, unknown>;
type Projection = Record<string, 0 | 1>;

/** One author's posts so far: the platform and handle of the first, the first and last times. */
export interface AuthorSpan {
  platform: string;
  handle: string;
  /** Epoch ms: compared once per post, so numbers rather than Dates. */
  first: number;
  last: number;
}

type AuthoredPost = Pick<Post, 'accountId' | 'platform' | 'author' | 'createdAt'>;

/** Each author's span over the posts added, in the order added (the import's rule for accounts: importers/reviews.ts). */
export function authorSpans(): { seen: Map<string, AuthorSpan>; add(p: AuthoredPost): void } {
  const seen = new Map<string, AuthorSpan>();
  return {
    seen,
    add(p) {
      const t = p.createdAt.getTime();
      const a = seen.get(p.accountId);
      if (!a) seen.set(p.accountId, { platform: p.platform, handle: p.author, first: t, last: t });
      else {
        if (t < a.first) a.first = t;
        if (t > a.last) a.last = t;
      }
    },
  };
}

/**
 * Each account of `posts` (in their stored order: import order), as the import wrote it before:
 * platform and handle of its first post, first/last seen its posts' min/max createdAt.
 */
export function deriveAccounts(posts: readonly AuthoredPost[]): Map<string, Account> {
  const spans = authorSpans();
  for (const p of posts) spans.add(p);
  const out = new Map<string, Account>();
  for (const [id, s] of spans.seen) out.set(id, { _id: id, platform: s.platform, handle: s.handle, firstSeenAt: new Date(s.first), lastSeenAt: new Date(s.last) });
  return out;
}

/** Filter operators `matchesFilter` evaluates (what the readers of accounts use). */
const OPERATORS = new Set(['$eq', '$ne', '$exists', '$in', '$nin', '$regex', '$options']);

/** Throws on a filter `matchesFilter` cannot evaluate exactly; checked on every filtered call, derived accounts or not. */
export function checkFilter(filter: object): void {
  for (const [field, cond] of Object.entries(filter)) {
    if (field.startsWith('$')) throw unsupported(field);
    if (!isOperatorObject(cond)) continue;
    for (const [op, arg] of Object.entries(cond)) {
      if (!OPERATORS.has(op)) throw unsupported(op);
      if ((op === '$in' || op === '$nin') && !Array.isArray(arg)) throw new Error(`accounts: ${op} of ${field} needs an array`);
    }
  }
}

function unsupported(op: string): Error {
  return new Error(
    `accounts: the filter operator ${op} is not evaluated on accounts derived from co-action posts (storage/derived-accounts.ts knows ${[...OPERATORS].join(', ')}); add it there`,
  );
}

function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || v instanceof Date || v instanceof RegExp || Array.isArray(v)) return false;
  return Object.keys(v).some((k) => k.startsWith('$'));
}

function valueAt(doc: object, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Doc)[part];
  }
  return v;
}

/** MongoDB equality for the flat values an account holds (a null condition matches a missing field). */
function equal(v: unknown, cond: unknown): boolean {
  if (cond === null) return v === null || v === undefined;
  if (cond instanceof RegExp) return typeof v === 'string' && cond.test(v);
  if (cond instanceof Date) return v instanceof Date && v.getTime() === cond.getTime();
  return v === cond;
}

/** Whether `doc` matches `filter` (checked by checkFilter first). */
export function matchesFilter(doc: object, filter: object): boolean {
  for (const [field, cond] of Object.entries(filter)) {
    const v = valueAt(doc, field);
    if (!isOperatorObject(cond)) {
      if (!equal(v, cond)) return false;
      continue;
    }
    for (const [op, arg] of Object.entries(cond)) {
      switch (op) {
        case '$eq':
          if (!equal(v, arg)) return false;
          break;
        case '$ne':
          if (equal(v, arg)) return false;
          break;
        case '$exists':
          if ((v !== undefined) !== Boolean(arg)) return false;
          break;
        case '$in':
          if (!(arg as unknown[]).some((x) => equal(v, x))) return false;
          break;
        case '$nin':
          if ((arg as unknown[]).some((x) => equal(v, x))) return false;
          break;
        case '$regex': {
          const re = arg instanceof RegExp ? arg : new RegExp(String(arg), typeof cond.$options === 'string' ? cond.$options : '');
          if (typeof v !== 'string' || !re.test(v)) return false;
          break;
        }
      }
    }
  }
  return true;
}

/** A copy of `doc` with `projection` applied (top-level fields: accounts are flat apart from `suspicion`). */
function project<D extends object>(value: D, projection?: Projection): D {
  if (!projection) return { ...value };
  const doc = value as unknown as Doc;
  const keys = Object.entries(projection);
  // As MongoDB: any other field at 1 includes, and so does `_id: 1` alone; otherwise fields at 0 are left out.
  const others = keys.filter(([k]) => k !== '_id');
  const inclusive = others.length > 0 ? others.some(([, v]) => v === 1) : projection._id === 1;
  const out: Doc = {};
  if (inclusive) {
    if (projection._id !== 0) out._id = doc._id;
    for (const [k, v] of keys) {
      const top = k.split('.')[0];
      if (v === 1 && k !== '_id' && doc[top] !== undefined) out[top] = doc[top];
    }
  } else {
    for (const k in doc) if (projection[k] !== 0) out[k] = doc[k];
  }
  return out as D;
}

/** MongoDB's order of the types an account holds: missing/null, numbers, strings, booleans, dates. */
function rank(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return 1;
  if (typeof v === 'string') return 2;
  if (typeof v === 'boolean') return 8;
  if (v instanceof Date) return 9;
  return 3;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

function sorter(sort: StoreSort): (a: object, b: object) => number {
  const keys = Object.entries(sort as Record<string, 1 | -1>);
  return (a, b) => {
    for (const [k, dir] of keys) {
      const c = compareValues(valueAt(a, k), valueAt(b, k));
      if (c !== 0) return dir === -1 ? -c : c;
    }
    return 0;
  };
}

/** Values of one field as keys of a set (dates by time). */
const valueKey = (v: unknown) => (v instanceof Date ? `d:${v.getTime()}` : `${typeof v}:${String(v)}`);

/** Ids asked of the collection at once before it is scanned instead (FerretDB look-ups: ~1.5k/s). */
const LOOKUPS = 1_000;

export class Accounts {
  private cache?: { view: CoactionView; derived: Map<string, Account> };

  /** `stored`: the documents of the collection alone (the import widens those; scores read legacy `suspicion` there). */
  constructor(
    readonly stored: Repository<Account>,
    private readonly coactions: CoactionPosts,
  ) {}

  get collection() {
    return this.stored.collection;
  }

  get name(): string {
    return this.stored.name;
  }

  /**
   * The accounts of the finished co-action imports' posts, stored or not (shared objects:
   * do not change them), built again only when an import finished since.
   */
  async derived(): Promise<ReadonlyMap<string, Readonly<Account>>> {
    const view = await this.coactions.view();
    if (this.cache?.view !== view) this.cache = { view, derived: deriveAccounts(view.posts) };
    return this.cache.derived;
  }

  async get(id: string, opts: Pick<FindOptions, 'projection'> = {}): Promise<Account | null> {
    const doc = await this.stored.get(id, opts);
    if (doc) return doc;
    const d = (await this.derived()).get(id);
    return d ? project(d as Account, opts.projection) : null;
  }

  /** As Repository.getMany: stored documents, then derived accounts for the ids the collection lacks. */
  async getMany(ids: readonly string[], opts: Pick<FindOptions, 'projection'> & { collectionSize?: number } = {}): Promise<Account[]> {
    const found = await this.stored.getMany(ids, opts);
    if (found.length === ids.length) return found;
    const derived = await this.derived();
    if (derived.size === 0) return found;
    const byId = new Map(found.map((d) => [d._id, d]));
    const out: Account[] = [];
    for (const id of ids) {
      const stored = byId.get(id);
      const d = stored ? undefined : derived.get(id);
      if (stored) out.push(stored);
      else if (d) out.push(project(d as Account, opts.projection));
    }
    return out;
  }

  async getMap(ids: readonly string[], opts: Pick<FindOptions, 'projection'> & { collectionSize?: number } = {}): Promise<Map<string, Account>> {
    return new Map((await this.getMany(ids, opts)).map((d) => [d._id, d]));
  }

  async find(filter: StoreFilter<Account> = {}, opts: FindOptions = {}): Promise<Account[]> {
    checkFilter(filter);
    const derived = await this.derived();
    if (derived.size === 0) return this.stored.find(filter, opts);
    const { sort, skip, limit, projection } = opts;
    // Sorted, skipped and cut after the merge: the stored documents are read whole, with the sort's fields.
    const withSortKeys = projection && sort && Object.values(projection).includes(1) ? { ...projection, ...Object.fromEntries(Object.keys(sort).map((k) => [k, 1 as const])) } : projection;
    const docs = await this.stored.find(filter, { projection: withSortKeys, batchSize: opts.batchSize });
    const seen = new Set(docs.map((d) => d._id));
    let all: Account[] = [...docs, ...(await this.unstored(filter, seen, true))];
    if (sort) all.sort(sorter(sort));
    if (skip) all = all.slice(skip);
    if (limit) all = all.slice(0, limit);
    return projection ? all.map((d) => project(d, projection)) : all;
  }

  /** Streams stored documents, then the derived accounts the collection lacks; with sort/skip/limit, as `find`. */
  async *stream(filter: StoreFilter<Account> = {}, opts: FindOptions = {}): AsyncIterable<Account> {
    checkFilter(filter);
    const derived = await this.derived();
    if (derived.size === 0) {
      yield* this.stored.stream(filter, opts);
      return;
    }
    if (opts.sort || opts.skip || opts.limit) {
      yield* await this.find(filter, opts);
      return;
    }
    const seen = new Set<string>();
    for await (const d of this.stored.stream(filter, opts)) {
      seen.add(d._id);
      yield d;
    }
    for (const d of await this.unstored(filter, seen, true)) yield project(d, opts.projection);
  }

  async count(filter: StoreFilter<Account> = {}): Promise<number> {
    checkFilter(filter);
    const derived = await this.derived();
    if (derived.size === 0) return this.stored.count(filter);
    // The matching stored ids, as a count on FerretDB would scan them anyway (it pushes down `_id` equality only).
    const seen = new Set<string>();
    for await (const d of this.stored.stream(filter, { projection: { _id: 1 } })) seen.add(d._id);
    return seen.size + (await this.unstored(filter, seen, true)).length;
  }

  /** Documents in the collection plus derived accounts: a size hint (an upper bound), as Repository.estimatedCount is. */
  async estimatedCount(): Promise<number> {
    return (await this.stored.estimatedCount()) + (await this.derived()).size;
  }

  async distinct(field: string, filter: StoreFilter<Account> = {}): Promise<unknown[]> {
    checkFilter(filter);
    const values = await this.stored.distinct(field, filter);
    const derived = await this.derived();
    if (derived.size === 0) return values;
    const known = new Set(values.map(valueKey));
    // Only derived accounts bringing a value not seen yet matter: asked of the collection whether they are stored.
    const candidates = [...derived.values()].filter((d) => {
      const v = valueAt(d, field);
      return v !== undefined && !known.has(valueKey(v)) && matchesFilter(d, filter);
    });
    for (const d of await this.notStored(candidates)) {
      const v = valueAt(d, field);
      if (!known.has(valueKey(v))) {
        known.add(valueKey(v));
        values.push(v);
      }
    }
    return values;
  }

  /** As Repository.insertMany; a derived id is refused as a duplicate, as when the import stored it. */
  async insertMany(docs: Account[]): Promise<WriteSummary> {
    const derived = await this.derived();
    const taken = docs.filter((d) => derived.has(d._id));
    if (taken.length === 0) return this.stored.insertMany(docs);
    const summary = await this.stored.insertMany(docs.filter((d) => !derived.has(d._id)));
    for (const d of taken) summary.rejected.push({ id: d._id, reason: whyUnstorable(d) ?? `server refused: E11000 duplicate key error: ${d._id} exists (derived from the stored co-action posts)` });
    return summary;
  }

  async insertOne(doc: Account): Promise<void> {
    if ((await this.derived()).has(doc._id)) throw Object.assign(new Error(`accounts: E11000 duplicate key error: ${doc._id} exists (derived from the stored co-action posts)`), { code: 11000 });
    await this.stored.insertOne(doc);
  }

  /** As Repository.upsertMany; a derived id's whole document is written first, so the fields not given keep its values. */
  async upsertMany(docs: Account[]): Promise<WriteSummary> {
    await this.materialise(docs.map((d) => d._id));
    return this.stored.upsertMany(docs);
  }

  async setMany(updates: SetUpdate<Account>[], opts: Parameters<Repository<Account>['setMany']>[1] = {}): Promise<WriteSummary> {
    await this.materialise(updates.map((u) => u.id));
    return this.stored.setMany(updates, opts);
  }

  async updateOne(filter: StoreFilter<Account>, change: { set?: Record<string, unknown>; unset?: string[] }): Promise<number> {
    checkFilter(filter);
    const id = (filter as { _id?: unknown })._id;
    if (typeof id === 'string') await this.materialise([id]);
    else await this.materialise([...(await this.derived()).values()].filter((d) => matchesFilter(d, filter)).map((d) => d._id));
    return this.stored.updateOne(filter, change);
  }

  async update(id: string, plan: (doc: Account) => Change | null): Promise<UpdateResult<Account> | null> {
    await this.materialise([id]);
    return this.stored.update(id, plan);
  }

  /** Deletes stored documents; refuses when the filter matches derived accounts without one (they follow the posts). */
  async deleteMany(filter: StoreFilter<Account>): Promise<number> {
    checkFilter(filter);
    const derived = await this.derived();
    if (derived.size > 0) {
      const left = await this.notStored([...derived.values()].filter((d) => matchesFilter(d, filter)) as Account[]);
      if (left.length > 0) throw new Error(`accounts: ${left.length} accounts matching the filter are derived from stored co-action posts and cannot be deleted (first: ${left[0]._id})`);
    }
    return this.stored.deleteMany(filter);
  }

  /** Writes the derived documents of those of `ids` that are derived and not stored yet (a stored one is left as it is). */
  private async materialise(ids: readonly string[]): Promise<void> {
    const derived = await this.derived();
    if (derived.size === 0) return;
    const docs = ids.map((id) => derived.get(id)).filter((d): d is Account => d !== undefined).map((d) => ({ ...d }));
    if (docs.length === 0) return;
    const r = await this.stored.insertMany(docs);
    const refused = r.rejected.filter((x) => !/duplicate|E11000/i.test(x.reason));
    if (refused.length) throw new Error(`accounts: the store refused ${refused.length} derived accounts (first: ${refused[0].id}: ${refused[0].reason})`);
  }

  /**
   * Derived accounts matching `filter` that are not among the stored ones: `seen` holds the ids
   * of the stored documents matching it (`complete`: every one), so with an empty filter it
   * holds every stored id and the collection need not be asked again.
   */
  private async unstored(filter: object, seen: ReadonlySet<string>, complete: boolean): Promise<Account[]> {
    const candidates: Account[] = [];
    for (const d of (await this.derived()).values()) if (!seen.has(d._id) && matchesFilter(d, filter)) candidates.push({ ...d });
    return complete && Object.keys(filter).length === 0 ? candidates : this.notStored(candidates);
  }

  /** Those of `docs` without a document in the collection. */
  private async notStored<D extends { _id: string }>(docs: D[]): Promise<D[]> {
    if (docs.length === 0) return [];
    // Many ids: one projected scan of the collection (on FerretDB; `$in` batches on MongoDB), not look-ups.
    const ids = docs.map((d) => d._id);
    const stored = await this.stored.getMany(ids, { projection: { _id: 1 }, ...(ids.length > LOOKUPS ? { collectionSize: ids.length } : {}) });
    const have = new Set(stored.map((d) => d._id));
    return docs.filter((d) => !have.has(d._id));
  }
}
