// The one import loop shared by escalations, orders and reviews: read → clean → merge
// duplicates → compare with what is stored → write only what changed, in batches.
// Re-running the same import writes nothing and reports everything as unchanged.
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { RowResult } from '../../analysis/escalations/rows';
import type { Repository, Store } from '../../storage/store';
import type { SourceRecord } from './readers';

export interface ImportKind<T extends { _id: string }> {
  name: string;
  repo(store: Store): Repository<T>;
  clean(row: Record<string, unknown>): RowResult<T>;
  /** Fields the import owns: compared to detect changes, unset when a new version lacks them. */
  fields: readonly (keyof T & string)[];
  /** Field stamped with the write time on new and changed documents (never compared). */
  stamp: keyof T & string;
  /** Merges a stored or earlier record with a new one of the same id; absent = the new one replaces. */
  merge?(earlier: T, later: T): T;
  /** Derived fields to drop when a field changes (a new case text invalidates its text analysis). */
  invalidates?: Partial<Record<keyof T & string, string[]>>;
  /** Extra writes for a batch of written documents (e.g. review authors → accounts). */
  afterBatch?(store: Store, docs: T[]): Promise<void>;
}

export interface ImportSummary {
  kind: string;
  /** Records read from the source (good and bad). */
  read: number;
  /** New documents. */
  imported: number;
  /** Existing documents that changed. */
  updated: number;
  /** Existing documents left as they were. */
  unchanged: number;
  rejected: number;
  /** Records of an id already seen in the same batch, merged into it. */
  duplicates: number;
  /** PII items masked in free text. */
  masked: number;
  rejectsFile?: string;
  durationMs: number;
}

export interface ImportOptions {
  batchSize?: number;
  /** Where refused records go (CSV: line,reason,record). Created only when something is refused. */
  rejectsFile?: string;
  /** Replace stored documents instead of merging (corrections from the source win). */
  replace?: boolean;
  signal?: AbortSignal;
  progress?: (read: number) => void;
  /** Called once per refused record (CLI prints the first few). */
  onReject?: (line: number, reason: string) => void;
  now?: Date;
}

/** Appends refused records to a CSV file, opened on first use. */
export class RejectsWriter {
  private out?: WriteStream;
  count = 0;
  constructor(readonly file?: string) {}

  write(line: number, reason: string, record: string): void {
    this.count++;
    if (!this.file) return;
    if (!this.out) {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.out = createWriteStream(this.file);
      this.out.write(stringify([['line', 'reason', 'record']]));
    }
    this.out.write(stringify([[line, reason, record]]));
  }

  async close(): Promise<void> {
    const out = this.out;
    if (!out) return;
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

export async function runImport<T extends { _id: string }>(
  store: Store,
  kind: ImportKind<T>,
  records: AsyncIterable<SourceRecord>,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const started = Date.now();
  const batchSize = opts.batchSize ?? 1000;
  const rejects = new RejectsWriter(opts.rejectsFile);
  const summary: ImportSummary = {
    kind: kind.name, read: 0, imported: 0, updated: 0, unchanged: 0, rejected: 0, duplicates: 0, masked: 0, durationMs: 0,
  };
  const reject = (line: number, reason: string, record: string) => {
    summary.rejected++;
    rejects.write(line, reason, record);
    opts.onReject?.(line, reason);
  };

  // Into an empty collection only ids written earlier in this run can exist, so per-id
  // look-ups (the slow part on FerretDB) are skipped for all others.
  const written = (await kind.repo(store).count({})) === 0 ? new Set<string>() : undefined;
  let batch = new Map<string, { doc: T; line: number }>();
  const flush = async () => {
    if (batch.size === 0) return;
    const current = batch;
    batch = new Map();
    await writeBatch(store, kind, current, summary, reject, opts, written);
  };

  try {
    for await (const rec of records) {
      summary.read++;
      if (rec.error || !rec.row) {
        reject(rec.line, rec.error ?? 'empty record', rec.raw ?? '');
      } else {
        let result: RowResult<T>;
        try {
          result = kind.clean(rec.row);
        } catch (err) {
          result = { ok: false, reason: (err as Error).message };
          if (/RINGWATCH_HASH_KEY/.test(result.reason)) throw err;
        }
        if (!result.ok) {
          reject(rec.line, result.reason, rec.raw ?? JSON.stringify(rec.row));
        } else {
          summary.masked += result.masked ?? 0;
          const prev = batch.get(result.doc._id);
          if (prev) {
            summary.duplicates++;
            const doc = kind.merge ? kind.merge(prev.doc, result.doc) : result.doc;
            batch.set(doc._id, { doc, line: prev.line });
          } else {
            batch.set(result.doc._id, { doc: result.doc, line: rec.line });
          }
        }
      }
      if (summary.read % 1000 === 0) opts.progress?.(summary.read);
      if (batch.size >= batchSize) await flush();
      if (opts.signal?.aborted) throw new Error('import cancelled');
    }
    await flush();
  } finally {
    await rejects.close();
  }
  opts.progress?.(summary.read);
  if (rejects.count > 0 && opts.rejectsFile) summary.rejectsFile = opts.rejectsFile;
  summary.durationMs = Date.now() - started;
  return summary;
}

async function writeBatch<T extends { _id: string }>(
  store: Store,
  kind: ImportKind<T>,
  batch: Map<string, { doc: T; line: number }>,
  summary: ImportSummary,
  reject: (line: number, reason: string, record: string) => void,
  opts: ImportOptions,
  writtenThisRun?: Set<string>,
): Promise<void> {
  const repo = kind.repo(store);
  const ids = [...batch.keys()];
  const stored = await lookUp(repo, writtenThisRun ? ids.filter((id) => writtenThisRun.has(id)) : ids);
  if (writtenThisRun) for (const id of ids) writtenThisRun.add(id);
  const now = opts.now ?? new Date();
  const inserts: T[] = [];
  const updates: { id: string; set: Record<string, unknown>; unset: string[] }[] = [];
  const written: T[] = [];
  for (const { doc } of batch.values()) {
    const old = stored.get(doc._id);
    if (!old) {
      inserts.push({ ...doc, [kind.stamp]: now });
      written.push(doc);
      continue;
    }
    const target = kind.merge && !opts.replace ? kind.merge(old, doc) : doc;
    const set: Record<string, unknown> = {};
    const unset: string[] = [];
    for (const f of kind.fields) {
      const v = (target as Record<string, unknown>)[f];
      const o = (old as Record<string, unknown>)[f];
      if (v === undefined) {
        if (o !== undefined) unset.push(f);
      } else if (!sameValue(v, o)) {
        set[f] = v;
      }
    }
    if (Object.keys(set).length === 0 && unset.length === 0) {
      summary.unchanged++;
      continue;
    }
    for (const [field, derived] of Object.entries(kind.invalidates ?? {}) as [string, string[]][]) {
      if (field in set || unset.includes(field)) for (const d of derived) if ((old as Record<string, unknown>)[d] !== undefined) unset.push(d);
    }
    set[kind.stamp] = now;
    updates.push({ id: doc._id, set, unset });
    written.push(target);
  }
  const lineOf = (id: string) => batch.get(id)?.line ?? 0;
  const refused = new Set<string>();
  if (inserts.length) {
    // Plain inserts: several times faster than upserts on FerretDB. A document that
    // appeared since the look-up (another writer) is refused as a duplicate and upserted.
    const r = await repo.insertMany(inserts);
    const dup = r.rejected.filter((x) => /duplicate|E11000/i.test(x.reason));
    if (dup.length) {
      const again = new Set(dup.map((x) => x.id));
      const r2 = await repo.upsertMany(inserts.filter((d) => again.has(d._id)));
      r.rejected = [...r.rejected.filter((x) => !again.has(x.id)), ...r2.rejected];
    }
    for (const x of r.rejected) {
      refused.add(x.id);
      reject(lineOf(x.id), `store refused: ${x.reason}`, JSON.stringify(batch.get(x.id)?.doc ?? {}));
    }
    summary.imported += inserts.length - r.rejected.length;
  }
  if (updates.length) {
    const r = await repo.setMany(updates);
    for (const x of r.rejected) {
      refused.add(x.id);
      reject(lineOf(x.id), `store refused: ${x.reason}`, JSON.stringify(batch.get(x.id)?.doc ?? {}));
    }
    summary.updated += updates.length - r.rejected.length;
  }
  if (kind.afterBatch) await kind.afterBatch(store, written.filter((d) => !refused.has(d._id)));
}

/**
 * Stored versions of `ids`. One `_id` equality look-up per id, 64 in flight: FerretDB on
 * SQLite pushes down `_id` equality but not `$in`, so `getMany` on a large collection
 * scans it once per batch and an import turns quadratic.
 */
export async function lookUp<T extends { _id: string }>(repo: Repository<T>, ids: string[]): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  const width = 64;
  for (let i = 0; i < ids.length; i += width) {
    const docs = await Promise.all(ids.slice(i, i + width).map((id) => repo.get(id)));
    for (const d of docs) if (d) out.set(d._id, d);
  }
  return out;
}

/** Structural equality for stored values (Dates by instant, arrays and objects deeply). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameValue(v, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
