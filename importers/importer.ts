// The one import loop shared by escalations, orders, reviews (and co-actions): read →
// check the header → clean → merge duplicates → compare with what is stored → write only
// what changed, in batches, one batch written while the next is read. Re-running the same
// import writes nothing and reports everything as unchanged; a re-run after a crash
// converges to the uninterrupted result (derived documents are rebuilt from every row).
import { closeSync, createWriteStream, fchmodSync, mkdirSync, openSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { csvSafe, maskPii } from './clean';
import { columnKey, type RowResult } from './rows';
import type { Repository, Store } from '../storage/store';
import type { SourceRecord } from './readers';

/** The columns an import kind reads, as `columnKey` spells them ("Case ID" → "case_id"). */
export interface ImportColumns {
  /** A source without one of these is refused before any row is read (one error naming them all). */
  required: readonly string[];
  /** Read when present. */
  optional: readonly string[];
  /** Columns whose NDJSON/SQL value may be an array or object (clean handles it); elsewhere such a value refuses the row. */
  structured?: readonly string[];
}

export interface ImportKind<T extends { _id: string }> {
  name: string;
  repo(store: Store): Repository<T>;
  columns: ImportColumns;
  /** One source row (keys as the source spells them) → a document, or why it is refused. */
  clean(row: Record<string, unknown>): RowResult<T>;
  /** Fields the import owns: compared to detect changes, unset when a new version lacks them. */
  fields: readonly (keyof T & string)[];
  /** Field stamped with the write time on new and changed documents (never compared). */
  stamp: keyof T & string;
  /** Merges a stored or earlier record with a new one of the same id; absent = the new one replaces. */
  merge?(earlier: T, later: T): T;
  /** Derived fields to drop when a field changes (a new case text invalidates its text analysis). */
  invalidates?: Partial<Record<keyof T & string, string[]>>;
  /**
   * Documents derived from the imported ones (review authors → accounts). A fresh
   * derivation per run sees every stored document of the source (new, changed and
   * unchanged) and writes once at the end: a run killed before that is redone in full by
   * the next run, whose rows are then all unchanged.
   */
  derive?(): Derivation<T>;
}

export interface Derivation<T> {
  add(doc: T): void;
  /** Writes what was gathered; the counts go into the summary's `derived`. */
  write(store: Store): Promise<Record<string, number>>;
}

/** A source that cannot be imported at all (wrong header or delimiter): nothing is written. Exit code 2. */
export class ImportInputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'ImportInputError';
  }
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
  /** What the kind's derivation wrote (e.g. accounts created / widened). */
  derived?: Record<string, number>;
  rejectsFile?: string;
  durationMs: number;
}

export interface ImportOptions {
  batchSize?: number;
  /** Where refused records go (CSV: line,reason,record). Created only when something is refused. */
  rejectsFile?: string;
  /** Where they go when rejectsFile cannot be written (a read-only folder of input files). */
  rejectsFallback?: string;
  /** Replace stored documents instead of merging (corrections from the source win). */
  replace?: boolean;
  signal?: AbortSignal;
  progress?: (read: number) => void;
  /** Called once per refused record (CLI prints the first few). */
  onReject?: (line: number, reason: string) => void;
  now?: Date;
  /** Looks at the first batch before anything is written; throwing (ImportInputError) imports nothing. */
  checkFirstBatch?: (docs: readonly { _id: string }[]) => Promise<void>;
}

/**
 * Appends refused records to a CSV file (mode 0600), opened on first use. The records are
 * attacker-written and may hold customer data: PII is masked and cells a spreadsheet
 * would run as formulas are quoted, as in every export.
 */
export class RejectsWriter {
  private out?: WriteStream;
  count = 0;
  /**
   * `file`, or `fallback` when `file` cannot be created (the default next to the input, in a
   * read-only folder: an import must not stop at its first bad row for want of a place to say
   * so). `file` then names where they went.
   */
  constructor(
    public file?: string,
    private readonly fallback?: string,
  ) {}

  write(line: number, reason: string, record: string): void {
    this.count++;
    if (!this.file) return;
    if (!this.out) {
      let fd: number;
      try {
        fd = openPrivate(this.file);
      } catch (err) {
        if (!this.fallback) throw err;
        this.file = this.fallback;
        fd = openPrivate(this.file);
      }
      this.out = createWriteStream('', { fd });
      this.out.write(stringify([['line', 'reason', 'record']]));
    }
    this.out.write(stringify([[line, csvSafe(maskPii(reason).text), csvSafe(maskPii(record).text)]]));
  }

  async close(): Promise<void> {
    const out = this.out;
    if (!out) return;
    this.out = undefined; // closed once, however many paths close it
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}

/** A new (or emptied) file of mode 0600, its folder created. */
function openPrivate(file: string): number {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600); // an existing file keeps its mode on open
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/** Refuses a source whose columns lack any the kind requires: one message naming them and what was found. */
export function checkColumns(kind: Pick<ImportKind<{ _id: string }>, 'name' | 'columns'>, found: string[]): void {
  const have = new Set(found.map(columnKey));
  const missing = kind.columns.required.filter((c) => !have.has(c));
  if (missing.length === 0) return;
  const shown = found.map((c) => JSON.stringify(c.length > 60 ? `${c.slice(0, 60)}…` : c));
  const list = shown.length > 20 ? `${shown.slice(0, 20).join(', ')} and ${shown.length - 20} more` : shown.join(', ') || 'none';
  const delimiter = found.length === 1 ? [';', '\t', '|'].find((d) => found[0].includes(d)) : undefined;
  const hint = delimiter
    ? ` The header looks ${delimiter === '\t' ? 'tab' : `"${delimiter}"`}-separated; ringwatch reads comma-separated files.`
    : '';
  throw new ImportInputError(
    `${kind.name}: the source lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
      `(found ${found.length} column${found.length === 1 ? '' : 's'}: ${list}).${hint} ` +
      `Required: ${kind.columns.required.join(', ')}; optional: ${kind.columns.optional.join(', ') || 'none'}. Nothing was imported.`,
  );
}

/** Why a row's value cannot be read as a cell (an NDJSON object would otherwise become "[object Object]"), or null. */
function structuredValue(row: Record<string, unknown>, declared: Set<string>, structured: Set<string>): string | null {
  // for…in, not Object.entries: no array per row (CSV rows hold strings only and never get past the first test).
  for (const k in row) {
    const v = row[k];
    if (typeof v !== 'object' || v === null || v instanceof Date) continue;
    const key = columnKey(k);
    if (!declared.has(key) || structured.has(key)) continue;
    return `${key} holds a JSON ${Array.isArray(v) ? 'array' : 'object'}; expected text, a number or a boolean`;
  }
  return null;
}

/** A fresh summary and the refusal handler writing to the rejects file (shared by every import loop). */
export function startImport(kindName: string, opts: ImportOptions): { summary: ImportSummary; rejects: RejectsWriter; reject: Reject; started: number } {
  const summary: ImportSummary = {
    kind: kindName, read: 0, imported: 0, updated: 0, unchanged: 0, rejected: 0, duplicates: 0, masked: 0, durationMs: 0,
  };
  const rejects = new RejectsWriter(opts.rejectsFile, opts.rejectsFallback);
  const reject: Reject = (line, reason, record) => {
    summary.rejected++;
    rejects.write(line, reason, record);
    opts.onReject?.(line, reason);
  };
  return { summary, rejects, reject, started: Date.now() };
}

/** Closes the rejects file and stamps the summary's end. */
export async function endImport(s: { summary: ImportSummary; rejects: RejectsWriter; started: number }, opts: ImportOptions): Promise<ImportSummary> {
  await s.rejects.close();
  opts.progress?.(s.summary.read);
  if (s.rejects.count > 0 && s.rejects.file) s.summary.rejectsFile = s.rejects.file;
  s.summary.durationMs = Date.now() - s.started;
  return s.summary;
}

export type Reject = (line: number, reason: string, record: string) => void;

/**
 * Reads and cleans every record: refused ones go to `reject`, good ones to `take` with their
 * line (the header checked first). Counts read and masked items into the summary. Records
 * may come in batches (readFileBatches): one await per batch, not per record.
 */
export async function readRecords<T extends { _id: string }>(
  kind: Pick<ImportKind<T>, 'name' | 'columns' | 'clean'>,
  records: AsyncIterable<SourceRecord | readonly SourceRecord[]>,
  summary: ImportSummary,
  reject: Reject,
  opts: ImportOptions,
  take: (doc: T, line: number) => Promise<void> | void,
): Promise<void> {
  const declared = new Set([...kind.columns.required, ...kind.columns.optional]);
  const structured = new Set(kind.columns.structured ?? []);
  let first = true;
  const one = (rec: SourceRecord): Promise<void> | void => {
    if (rec.columns) {
      if (first) checkColumns(kind, rec.columns);
      first = false;
      return;
    }
    first = false;
    summary.read++;
    let pending: Promise<void> | undefined;
    if (rec.error || !rec.row) {
      reject(rec.line, rec.error ?? 'empty record', rec.raw ?? '');
    } else {
      let result: RowResult<T>;
      const odd = structuredValue(rec.row, declared, structured);
      try {
        result = odd ? { ok: false, reason: odd } : kind.clean(rec.row);
      } catch (err) {
        result = { ok: false, reason: (err as Error).message };
        if (/RINGWATCH_HASH_KEY/.test(result.reason)) throw err;
      }
      if (!result.ok) {
        reject(rec.line, result.reason, rec.raw ?? JSON.stringify(rec.row));
      } else {
        summary.masked += result.masked ?? 0;
        pending = take(result.doc, rec.line) ?? undefined;
      }
    }
    if (summary.read % 1000 === 0) opts.progress?.(summary.read);
    if (opts.signal?.aborted) throw new Error('import cancelled');
    return pending;
  };
  for await (const item of records) {
    if (!Array.isArray(item)) {
      await one(item as SourceRecord);
      continue;
    }
    for (const rec of item as readonly SourceRecord[]) {
      // Awaited only when `take` returned a promise (a batch to write): no microtask per record.
      const pending = one(rec);
      if (pending) await pending;
    }
  }
}

export async function runImport<T extends { _id: string }>(
  store: Store,
  kind: ImportKind<T>,
  records: AsyncIterable<SourceRecord | readonly SourceRecord[]>,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const batchSize = opts.batchSize ?? 1000;
  const run = startImport(kind.name, opts);
  const { summary, reject } = run;
  const derivation = kind.derive?.();

  // Into an empty collection only ids written earlier in this run can exist, so per-id
  // look-ups (the slow part on FerretDB) are skipped for all others.
  const written = (await kind.repo(store).isEmpty()) ? new Set<string>() : undefined;
  let batch = new Map<string, { doc: T; line: number }>();
  // One batch is written while the next is read and cleaned (the store and the parser
  // use different processes' CPU); batches are written one at a time, in order.
  let writing: Promise<void> = Promise.resolve();
  let checked = !opts.checkFirstBatch;
  const flush = async () => {
    if (batch.size === 0) return;
    const current = batch;
    batch = new Map();
    if (!checked) {
      checked = true;
      await opts.checkFirstBatch?.([...current.values()].map((b) => b.doc));
    }
    await writing;
    writing = writeBatch(store, kind, current, summary, reject, opts, written, derivation);
    writing.catch(() => {}); // awaited by the next flush or at the end
  };

  try {
    await readRecords(kind, records, summary, reject, opts, async (doc, line) => {
      const prev = batch.get(doc._id);
      if (prev) {
        summary.duplicates++;
        const merged = kind.merge ? kind.merge(prev.doc, doc) : doc;
        batch.set(merged._id, { doc: merged, line: prev.line });
      } else {
        batch.set(doc._id, { doc, line });
      }
      if (batch.size >= batchSize) await flush();
    });
    await flush();
    await writing;
    if (derivation) summary.derived = await derivation.write(store);
  } finally {
    await writing.catch(() => {});
    await run.rejects.close();
  }
  return endImport(run, opts);
}

async function writeBatch<T extends { _id: string }>(
  store: Store,
  kind: ImportKind<T>,
  batch: Map<string, { doc: T; line: number }>,
  summary: ImportSummary,
  reject: (line: number, reason: string, record: string) => void,
  opts: ImportOptions,
  writtenThisRun: Set<string> | undefined,
  derivation: Derivation<T> | undefined,
): Promise<void> {
  const repo = kind.repo(store);
  const ids = [...batch.keys()];
  const stored = await repo.getMap(writtenThisRun ? ids.filter((id) => writtenThisRun.has(id)) : ids);
  if (writtenThisRun) for (const id of ids) writtenThisRun.add(id);
  const now = opts.now ?? new Date();
  const inserts: T[] = [];
  const updates: { id: string; set: Record<string, unknown>; unset: string[] }[] = [];
  // Every document of the batch as it is stored after this write: new, changed or unchanged.
  const asStored: T[] = [];
  for (const { doc } of batch.values()) {
    const old = stored.get(doc._id);
    if (!old) {
      (doc as Record<string, unknown>)[kind.stamp] = now; // the batch's own object: no copy per row
      inserts.push(doc);
      asStored.push(doc);
      continue;
    }
    const target = kind.merge && !opts.replace ? kind.merge(old, doc) : doc;
    asStored.push(target);
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
  if (derivation) for (const d of asStored) if (!refused.has(d._id)) derivation.add(d);
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
