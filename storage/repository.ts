// A typed repository over one collection. Every write is an idempotent upsert by
// natural `_id`, validated first (storage/validate.ts), sent as unordered bulk
// writes in chunks so that one bad document never costs the rest of a batch.
import type { AnyBulkWriteOperation, Collection, Document, Filter, Sort } from 'mongodb';
import type { ChangeLog } from './changes';
import { type Claims, StoreConflict, WRITE_DEADLINE_MS } from './claims';
import { partitionStorable, type Rejection, whyUnstorable } from './validate';

export type StoreFilter<T> = Filter<T>;
export type StoreSort = Sort;

export interface WriteSummary {
  /** Documents newly created. */
  upserted: number;
  /** Existing documents whose stored content changed. */
  modified: number;
  /** Existing documents found (changed or not). */
  matched: number;
  /** Documents refused before or by the server, with the reason. */
  rejected: Rejection[];
}

export interface FindOptions {
  projection?: Record<string, 0 | 1>;
  sort?: StoreSort;
  limit?: number;
  skip?: number;
  batchSize?: number;
}

export interface SetUpdate<T> {
  id: string;
  set?: Partial<T> | Record<string, unknown>;
  unset?: string[];
  /** Create the document when missing (default false: updates only touch existing ones). */
  upsert?: boolean;
}

/** Told after every command of a write: operations sent so far, of how many. */
export type WriteProgress = (done: number, total: number) => void;

const CHUNK = 1000;

/**
 * Inserts go in `_id` order: FerretDB on SQLite inserts ids in order about twice as fast as
 * in arrival order (58k accounts of german-elections-2021: 7.6 s in file order, 3.1 s sorted).
 */
const byId = (a: { _id: string }, b: { _id: string }) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
/**
 * FerretDB 1.24 keeps one SQLite connection open per matched statement of an
 * update command until the command ends, from a pool of 100: an update command
 * with ~100 statements that match deadlocks. Updates go in commands of 50.
 */
const UPDATE_CHUNK = 50;
/**
 * Insert commands of one bulk in flight at once: the store decodes and stores one while the
 * next is sent (58,314 accounts in commands of 1,000 on the embedded FerretDB: 4.27 s one at a
 * time, 3.32 s two, 3.68 s four). Updates stay one at a time (UPDATE_CHUNK).
 */
const INSERTS_IN_FLIGHT = 2;

/** A change of one document: top-level fields to set and to remove. */
export interface Change {
  set?: Record<string, unknown>;
  unset?: string[];
}

/** What `update` did: the document as written (or as found, when `plan` had nothing to change). */
export interface UpdateResult<T> {
  doc: T;
  changed: boolean;
}

/** Tries of `update` before it gives up with StoreConflict (backoff 5 ms doubling to 200 ms: ~6 s). */
const UPDATE_ATTEMPTS = 40;

export interface RepositoryOptions<T = unknown> {
  /**
   * FerretDB on SQLite only uses its index for a single `_id` equality; an `$in`
   * scans the whole collection. There, `getMany` looks ids up one by one, many
   * in flight; on MongoDB it sends `$in` batches.
   */
  idLookup?: 'in' | 'each';
  /** Every write names the documents it touched here (storage/changes.ts), for in-memory readers. */
  changes?: ChangeLog;
  /** Called with the stored documents after every upsertMany / insertMany (the posts time index on FerretDB). */
  afterWrite?: (docs: readonly T[]) => Promise<void>;
  /** Revision claims for `update` (storage/claims.ts). */
  claims?: Claims;
  /**
   * Documents per write command (default: 1,000 inserts, 50 updates). The one batching
   * policy: callers hand over whole batches; a collection of large documents sets a smaller
   * size here (store.ts), since FerretDB stalls on commands of ~100 large updates.
   */
  writeChunk?: number;
  /** estimatedCount from `collStats` (FerretDB, whose count commands scan the collection). */
  countByStats?: boolean;
  /** Storage form of documents (and `$set`s) on the way in, and back on the way out (posts: binary MinHash). */
  codec?: { encode<D>(doc: D): D; decode<D>(doc: D): D };
}

/** Parallel single-id look-ups in flight for `idLookup: 'each'`. */
const LOOKUP_CONCURRENCY = 64;
/** With `idLookup: 'each'`, asking for more than this share of a collection scans it instead. */
const SCAN_SHARE = 0.2;

export class Repository<T extends { _id: string }> {
  constructor(
    readonly collection: Collection<T>,
    private readonly opts: RepositoryOptions<T> = {},
  ) {}

  get name(): string {
    return this.collection.collectionName;
  }

  /**
   * Upserts whole documents by `_id` with `$set` (fields not given are kept).
   * FerretDB writes an insertMany in one SQLite transaction (~4x faster than
   * per-document upserts), but a failed insert of an existing id costs extra.
   * So each chunk goes the way the previous chunk suggests: inserts while most
   * ids are new (first loads), upserts while most already exist (re-runs).
   */
  async upsertMany(docs: T[]): Promise<WriteSummary> {
    const summary = await this.logged(docs.map((d) => d._id), () => this.upsertChunks(docs));
    await this.opts.afterWrite?.(docs);
    return summary;
  }

  private async upsertChunks(docs: T[]): Promise<WriteSummary> {
    const { ok, rejected } = partitionStorable(this.encodeAll(docs));
    ok.sort(byId);
    const summary: WriteSummary = { upserted: 0, modified: 0, matched: 0, rejected };
    let mostlyNew = true;
    const size = Math.min(CHUNK, this.opts.writeChunk ?? CHUNK);
    for (let i = 0; i < ok.length; i += size) {
      const chunk = ok.slice(i, i + size);
      const existing = mostlyNew ? await this.insertNew(chunk, summary) : chunk;
      const updated = await this.bulk(existing.map(upsertOp<T>), [], existing.map((d) => d._id));
      summary.upserted += updated.upserted;
      summary.modified += updated.modified;
      summary.matched += updated.matched;
      summary.rejected.push(...updated.rejected);
      const newCount: number = mostlyNew ? chunk.length - existing.length : updated.upserted;
      mostlyNew = newCount * 2 >= chunk.length;
    }
    return summary;
  }

  /** Inserts a chunk; returns the documents whose ids already exist. */
  private async insertNew(chunk: T[], summary: WriteSummary): Promise<T[]> {
    try {
      summary.upserted += (await this.collection.insertMany(chunk as never[], { ordered: false })).insertedCount;
      return [];
    } catch (err) {
      const e = err as { insertedCount?: number; writeErrors?: WriteErrorLike[] | WriteErrorLike };
      if (!e.writeErrors) throw err;
      summary.upserted += e.insertedCount ?? 0;
      const existing: T[] = [];
      for (const we of Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors]) {
        const index = we.index ?? we.err?.index ?? 0;
        const code = we.code ?? we.err?.code;
        if (code === 11000) existing.push(chunk[index]);
        else summary.rejected.push({ id: chunk[index]?._id ?? '(unknown)', reason: `server refused: ${we.errmsg ?? we.err?.errmsg}` });
      }
      return existing;
    }
  }

  /** Inserts new documents; for first loads where ids are known to be new. Duplicates are rejected, not overwritten. */
  async insertMany(docs: T[]): Promise<WriteSummary> {
    const { ok, rejected } = partitionStorable(this.encodeAll(docs));
    ok.sort(byId);
    const ops = ok.map((doc) => ({ insertOne: { document: doc } }) as unknown as AnyBulkWriteOperation<T>);
    const summary = await this.logged(ok.map((d) => d._id), () => this.bulk(ops, rejected, ok.map((d) => d._id)));
    await this.opts.afterWrite?.(ok);
    return summary;
  }

  /**
   * Partial updates by id ($set / $unset), in bulk commands of the collection's write size
   * (default 50), named in the change log as one entry.
   */
  async setMany(updates: SetUpdate<T>[], { progress }: { progress?: WriteProgress } = {}): Promise<WriteSummary> {
    const rejected: Rejection[] = [];
    const ops: AnyBulkWriteOperation<T>[] = [];
    const ids: string[] = [];
    for (const u of updates) {
      const reason = whyUnstorable({ _id: u.id, ...(u.set ?? {}) });
      if (reason) {
        rejected.push({ id: u.id, reason });
        continue;
      }
      const update: Record<string, unknown> = {};
      if (u.set && Object.keys(u.set).length > 0) update.$set = this.opts.codec ? this.opts.codec.encode(u.set) : u.set;
      if (u.unset && u.unset.length > 0) update.$unset = Object.fromEntries(u.unset.map((k) => [k, '']));
      if (Object.keys(update).length === 0) continue;
      ops.push({
        updateOne: { filter: { _id: u.id }, update, upsert: u.upsert ?? false },
      } as unknown as AnyBulkWriteOperation<T>);
      ids.push(u.id);
    }
    return this.logged(ids, () => this.bulk(ops, rejected, ids, progress));
  }

  private async bulk(ops: AnyBulkWriteOperation<T>[], rejected: Rejection[], ids: string[], progress?: WriteProgress): Promise<WriteSummary> {
    const summary: WriteSummary = { upserted: 0, modified: 0, matched: 0, rejected };
    const inserts = ops.some((op) => 'insertOne' in op);
    const size = Math.min(inserts ? CHUNK : UPDATE_CHUNK, this.opts.writeChunk ?? CHUNK);
    const starts: number[] = [];
    for (let i = 0; i < ops.length; i += size) starts.push(i);
    // Each command's outcome, merged in command order below: the summary and its rejections
    // do not depend on which of the commands in flight the server answered first.
    const outcomes: WriteSummary[] = new Array(starts.length);
    let next = 0;
    let reported = 0;
    let stop = false;
    const worker = async () => {
      while (next < starts.length && !stop) {
        const k = next++;
        try {
          outcomes[k] = await this.command(ops, ids, starts[k], size);
        } catch (err) {
          // As with one command at a time: no command is sent after one failed.
          stop = true;
          throw err;
        }
        // Progress in command order, as each prefix of the commands completes.
        while (reported < starts.length && outcomes[reported]) {
          progress?.(Math.min(ops.length, starts[reported] + size), ops.length);
          reported++;
        }
      }
    };
    const workers = Array.from({ length: Math.min(inserts ? INSERTS_IN_FLIGHT : 1, starts.length) }, worker);
    const settled = await Promise.allSettled(workers);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    for (const o of outcomes) {
      summary.upserted += o.upserted;
      summary.modified += o.modified;
      summary.matched += o.matched;
      for (const r of o.rejected) summary.rejected.push(r);
    }
    return summary;
  }

  /** One write command: ops[i, i + size), unordered; per-operation errors become rejections. */
  private async command(ops: AnyBulkWriteOperation<T>[], ids: string[], i: number, size: number): Promise<WriteSummary> {
    const chunk = ops.slice(i, i + size);
    try {
      const r = await this.collection.bulkWrite(chunk, { ordered: false });
      return { upserted: r.upsertedCount + r.insertedCount, modified: r.modifiedCount, matched: r.matchedCount, rejected: [] };
    } catch (err) {
      // An unordered bulk write reports per-operation errors and still applies the rest.
      const e = err as {
        result?: { upsertedCount?: number; insertedCount?: number; modifiedCount?: number; matchedCount?: number };
        writeErrors?: WriteErrorLike[] | WriteErrorLike;
      };
      if (!e.writeErrors) throw err;
      const r = e.result;
      const list = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
      return {
        upserted: (r?.upsertedCount ?? 0) + (r?.insertedCount ?? 0),
        modified: r?.modifiedCount ?? 0,
        matched: r?.matchedCount ?? 0,
        rejected: list.map((we) => ({ id: ids[i + (we.index ?? we.err?.index ?? 0)] ?? '(unknown)', reason: `server refused: ${we.errmsg ?? we.err?.errmsg ?? 'write error'}` })),
      };
    }
  }

  async insertOne(doc: T): Promise<void> {
    const reason = whyUnstorable(doc);
    if (reason) throw new Error(`${this.name}: cannot store ${doc._id}: ${reason}`);
    const stored = this.encodeAll([doc])[0];
    await this.logged([doc._id], () => this.collection.insertOne(stored as never));
    await this.opts.afterWrite?.([doc]);
  }

  private encodeAll(docs: T[]): T[] {
    const codec = this.opts.codec;
    return codec ? docs.map((d) => codec.encode(d)) : docs;
  }

  private decode<D>(doc: D): D {
    return this.opts.codec ? this.opts.codec.decode(doc) : doc;
  }

  /** Updates documents matching `filter`; returns how many matched. */
  async updateOne(filter: StoreFilter<T>, change: { set?: Record<string, unknown>; unset?: string[] }): Promise<number> {
    const reason = whyUnstorable({ _id: 'update', ...(change.set ?? {}) });
    if (reason) throw new Error(`${this.name}: cannot apply update: ${reason}`);
    const update: Record<string, unknown> = {};
    if (change.set) update.$set = change.set;
    if (change.unset?.length) update.$unset = Object.fromEntries(change.unset.map((k) => [k, '']));
    const id = (filter as { _id?: unknown })._id;
    const r = await this.logged(typeof id === 'string' ? [id] : null, () => this.collection.updateOne(filter, update));
    return r.matchedCount;
  }

  /**
   * Read-modify-write of one document, atomic on FerretDB too (storage/claims.ts):
   * `plan` sees the current document and returns the change, null for "nothing to do",
   * or throws to refuse. When another writer gets in first, the document is read again
   * and `plan` runs again on what that writer left. Null when the document is missing.
   * This is the only safe way to change a document other processes may change at once;
   * `setMany`/`updateOne` can lose concurrent updates on FerretDB.
   */
  async update(id: string, plan: (doc: T) => Change | null): Promise<UpdateResult<T> | null> {
    const claims = this.opts.claims;
    if (!claims) throw new Error(`${this.name}: update needs revision claims (open the repository through openStore)`);
    const key = `${this.name}:${id}`;
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const readAt = Date.now();
      const doc = await this.get(id);
      if (!doc) return null;
      const rev = revisionOf(doc);
      const change = plan(doc);
      if (!change) return { doc, changed: false };
      const reason = whyUnstorable({ _id: id, ...(change.set ?? {}) });
      if (reason) throw new Error(`${this.name}: cannot apply update to ${id}: ${reason}`);
      if (await claims.claim(key, rev + 1)) {
        // Too slow to write safely (a recoverer may skip this claim after the lease): plan again.
        if (Date.now() - readAt > WRITE_DEADLINE_MS) continue;
        const update: Record<string, unknown> = { $set: { ...(change.set ?? {}), _rev: rev + 1 } };
        if (change.unset?.length) update.$unset = Object.fromEntries(change.unset.map((k) => [k, '']));
        await this.logged([id], () => this.collection.updateOne({ _id: id } as StoreFilter<T>, update));
        return { doc: applied(doc, change, rev + 1), changed: true };
      }
      if (await claims.takeOverStale(key, rev + 1)) {
        // The claimer died before writing: move the document past its revision, unchanged.
        const now = await this.get(id, { projection: { _rev: 1 } });
        if (now && revisionOf(now) === rev) await this.collection.updateOne({ _id: id } as StoreFilter<T>, { $set: { _rev: rev + 1 } } as never);
        continue;
      }
      await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random())));
    }
    throw new StoreConflict(`${this.name}: ${id} is being changed by many writers at once; try again`);
  }

  /** `update` of many documents with blind changes (not depending on the current state), a few at a time. */
  async updateEach(updates: { id: string; set?: Record<string, unknown>; unset?: string[] }[], concurrency = 8): Promise<number> {
    let next = 0;
    let matched = 0;
    const worker = async () => {
      while (next < updates.length) {
        const u = updates[next++];
        if (await this.update(u.id, () => ({ set: u.set, unset: u.unset }))) matched++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, updates.length) }, worker));
    return matched;
  }

  async get(id: string, opts: Pick<FindOptions, 'projection'> = {}): Promise<T | null> {
    return this.decode((await this.collection.findOne({ _id: id } as StoreFilter<T>, opts.projection ? { projection: opts.projection } : {})) as T | null);
  }

  /**
   * Documents by id, in the order asked; missing ids are left out. Use this, not a
   * `find` with `_id: {$in}`: on FerretDB that scans and decodes the whole collection
   * (100 ids among 5k posts: 6 s; one by one: 0.3 s).
   */
  async getMany(ids: readonly string[], opts: Pick<FindOptions, 'projection'> & { collectionSize?: number } = {}): Promise<T[]> {
    // Most of a collection is cheaper in one projected scan than in look-ups (FerretDB: ~1.5k
    // look-ups/s against 6–10k scanned documents/s).
    if (this.opts.idLookup === 'each' && opts.collectionSize !== undefined && ids.length > SCAN_SHARE * opts.collectionSize) {
      const wanted = new Set(ids);
      const byId = new Map<string, T>();
      for await (const d of this.stream({}, { projection: opts.projection })) if (wanted.has(d._id)) byId.set(d._id, d);
      return ids.map((id) => byId.get(id)).filter((d): d is T => d !== undefined);
    }
    if (this.opts.idLookup === 'each') {
      const found: (T | null)[] = new Array(ids.length).fill(null);
      let next = 0;
      const worker = async () => {
        while (next < ids.length) {
          const i = next++;
          found[i] = await this.get(ids[i], opts);
        }
      };
      await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, ids.length) }, worker));
      return found.filter((d): d is T => d !== null);
    }
    const byId = new Map<string, T>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = await this.find({ _id: { $in: ids.slice(i, i + CHUNK) } } as StoreFilter<T>, opts);
      for (const d of part) byId.set(d._id, d);
    }
    return ids.map((id) => byId.get(id)).filter((d): d is T => d !== undefined);
  }

  /** `getMany` as a map by id (missing ids are absent). */
  async getMap(ids: readonly string[], opts: Pick<FindOptions, 'projection'> & { collectionSize?: number } = {}): Promise<Map<string, T>> {
    return new Map((await this.getMany(ids, opts)).map((d) => [d._id, d]));
  }

  async find(filter: StoreFilter<T> = {}, opts: FindOptions = {}): Promise<T[]> {
    return ((await this.cursor(filter, opts).toArray()) as T[]).map((d) => this.decode(d));
  }

  /** Streams matching documents; use a projection for large scans. */
  async *stream(filter: StoreFilter<T> = {}, opts: FindOptions = {}): AsyncIterable<T> {
    for await (const doc of this.cursor(filter, { batchSize: 1000, ...opts })) yield this.decode(doc as T);
  }

  private cursor(filter: StoreFilter<T>, opts: FindOptions) {
    let c = this.collection.find(filter);
    if (opts.projection) c = c.project(opts.projection);
    if (opts.sort) c = c.sort(opts.sort);
    if (opts.skip) c = c.skip(opts.skip);
    if (opts.limit) c = c.limit(opts.limit);
    if (opts.batchSize) c = c.batchSize(opts.batchSize);
    return c;
  }

  async count(filter: StoreFilter<T> = {}): Promise<number> {
    return this.collection.countDocuments(filter);
  }

  /**
   * Documents in the collection from its metadata, without a scan: MongoDB's
   * estimatedDocumentCount; on FerretDB that (like `count`) decodes every document — 21 s
   * for 364k posts — while `collStats` counts the SQLite table's rows in 0.1–0.4 s.
   */
  async estimatedCount(): Promise<number> {
    if (this.opts.countByStats) {
      const stats = await this.collection.db.command({ collStats: this.collection.collectionName });
      return Number(stats.count ?? 0);
    }
    return this.collection.estimatedDocumentCount();
  }

  /** Whether the collection holds no document: one document asked for, never a count (a scan on FerretDB). */
  async isEmpty(): Promise<boolean> {
    return (await this.collection.findOne({}, { projection: { _id: 1 } })) === null;
  }

  async distinct(field: string, filter: StoreFilter<T> = {}): Promise<unknown[]> {
    return this.collection.distinct(field as never, filter);
  }

  async deleteMany(filter: StoreFilter<T>): Promise<number> {
    // A logged collection names what it deletes, so readers drop exactly those.
    const ids = this.opts.changes ? (await this.find(filter, { projection: { _id: 1 } })).map((d) => d._id) : [];
    return (await this.logged(ids, () => this.collection.deleteMany(filter))).deletedCount;
  }

  /** Runs a write, then records in the change log what it touched, even when it failed part-way. */
  private async logged<R>(ids: readonly string[] | null, write: () => Promise<R>): Promise<R> {
    const log = this.opts.changes;
    if (!log) return write();
    let result: R;
    try {
      result = await write();
    } catch (err) {
      await log.append(this.name, ids).catch(() => {});
      throw err;
    }
    await log.append(this.name, ids);
    return result;
  }

  /** Aggregation restricted to the portable subset (checked). */
  async aggregate<R = Document>(pipeline: Document[]): Promise<R[]> {
    assertPortablePipeline(pipeline);
    return (await this.collection.aggregate(pipeline).toArray()) as R[];
  }
}

const PORTABLE_STAGES = new Set(['$match', '$group', '$sort', '$limit', '$skip', '$project', '$unwind', '$count', '$addFields', '$set', '$unset']);
const PORTABLE_ACCUMULATORS = new Set(['$sum', '$count']);

/** Throws when a pipeline uses something FerretDB 1.24 cannot run (DESIGN.md §3). */
export function assertPortablePipeline(pipeline: Document[]): void {
  for (const stage of pipeline) {
    const [name] = Object.keys(stage);
    if (!PORTABLE_STAGES.has(name)) throw new Error(`aggregation stage ${name} is outside the portable subset (FerretDB 1.24)`);
    if (name === '$group') {
      for (const [field, acc] of Object.entries(stage.$group as Record<string, unknown>)) {
        if (field === '_id') continue;
        const op = typeof acc === 'object' && acc !== null ? Object.keys(acc)[0] : String(acc);
        if (!PORTABLE_ACCUMULATORS.has(op)) throw new Error(`accumulator ${op} (in $group.${field}) is outside the portable subset; use $sum or aggregate in TypeScript`);
      }
    }
  }
}

/** The storage revision of a document (`_rev`, written by `update`); documents never updated are at 0. */
export function revisionOf(doc: object): number {
  const rev = (doc as { _rev?: unknown })._rev;
  return typeof rev === 'number' ? rev : 0;
}

function applied<T>(doc: T, change: Change, rev: number): T {
  const out: Record<string, unknown> = { ...(doc as Record<string, unknown>), ...(change.set ?? {}), _rev: rev };
  for (const k of change.unset ?? []) delete out[k];
  return out as T;
}

interface WriteErrorLike {
  index: number;
  code?: number;
  errmsg?: string;
  err?: { index: number; code?: number; errmsg?: string };
}

function upsertOp<T extends { _id: string }>(doc: T): AnyBulkWriteOperation<T> {
  return { updateOne: { filter: { _id: doc._id }, update: { $set: withoutId(doc) }, upsert: true } } as unknown as AnyBulkWriteOperation<T>;
}

function withoutId<T extends { _id: string }>(doc: T): Omit<T, '_id'> {
  const { _id, ...rest } = doc;
  return rest;
}
