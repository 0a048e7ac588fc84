// Streaming readers: CSV with a header, NDJSON, and a SQL query through a server-side
// cursor. Each yields one item per record with the line (or row) number where it starts,
// so that a refused row can be found in the source. Memory stays flat: nothing holds more
// than one batch.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import pg from 'pg';
import Cursor from 'pg-cursor';

export interface SourceRecord {
  /** 1-based line in the file (CSV: where the record starts) or row number for SQL. */
  line: number;
  row?: Record<string, unknown>;
  /** Set when the record could not be read at all (bad quoting, bad JSON, wrong field count). */
  error?: string;
  /** The record as written, for the rejects file. */
  raw?: string;
}

export type InputFormat = 'csv' | 'ndjson';

export function formatOf(file: string, explicit?: string): InputFormat {
  if (explicit === 'csv' || explicit === 'ndjson') return explicit;
  if (explicit) throw new Error(`unknown format "${explicit}" (expected csv or ndjson)`);
  return /\.(nd)?jsonl?(\.gz)?$/i.test(file) ? 'ndjson' : 'csv';
}

/** The file's bytes, gunzipped when its name ends in .gz (real data sets ship compressed). */
function openFile(file: string): Readable {
  const raw = createReadStream(file);
  if (!/\.gz$/i.test(file)) return raw;
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

export function readFileRecords(file: string, format: InputFormat): AsyncIterable<SourceRecord> {
  return format === 'csv' ? readCsv(file) : readNdjson(file);
}

/** CSV with a header row. Blank lines are skipped; a row with a different field count is an error. */
export async function* readCsv(file: string): AsyncIterable<SourceRecord> {
  const pending: SourceRecord[] = [];
  const parser = openFile(file).pipe(
    parse({
      info: true,
      raw: true,
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err, raw) => {
        const text = (raw ?? '').replace(/^(\r?\n)+/, '');
        const line = (err as { lines?: number } | undefined)?.lines ?? 0;
        pending.push({ line: Math.max(1, line - countNewlines(text.replace(/\r?\n$/, ''))), error: `unreadable CSV: ${err?.message ?? 'parse error'}`, raw: text });
      },
    }),
  );
  let header: string[] | undefined;
  for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number }; raw: string }>) {
    while (pending.length) yield pending.shift() as SourceRecord;
    const raw = rec.raw.replace(/^(\r?\n)+/, '').replace(/\r?\n$/, '');
    const line = rec.info.lines - countNewlines(raw);
    if (!header) {
      header = rec.record.map((h) => h.trim());
      if (header.length === 0 || header.every((h) => h === '')) throw new Error(`${file}: empty header line`);
      continue;
    }
    if (rec.record.length !== header.length) {
      yield { line, raw, error: `has ${rec.record.length} fields, header has ${header.length}` };
      continue;
    }
    const row: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) row[header[i]] = rec.record[i];
    yield { line, row, raw };
  }
  while (pending.length) yield pending.shift() as SourceRecord;
  if (!header) throw new Error(`${file}: no header line (CSV input needs one)`);
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** One JSON object per line; blank lines skipped. */
export async function* readNdjson(file: string): AsyncIterable<SourceRecord> {
  const rl = createInterface({ input: openFile(file).setEncoding('utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of rl) {
    line++;
    const t = line === 1 ? text.replace(/^\ufeff/, '') : text;
    if (t.trim() === '') continue;
    try {
      const v = JSON.parse(t) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        yield { line, raw: t, error: 'not a JSON object' };
      } else {
        yield { line, row: v as Record<string, unknown>, raw: t };
      }
    } catch (err) {
      yield { line, raw: t, error: `bad JSON: ${(err as Error).message}` };
    }
  }
}

// pg reads `timestamp without time zone` in the process's local zone; warehouse
// timestamps are UTC by convention, so read them as UTC (per client, not globally).
const TIMESTAMP = 1114;
const sqlTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP && format !== 'binary') return (v: string) => new Date(`${v.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

export interface SqlOptions {
  url: string;
  query: string;
  values?: unknown[];
  /** Rows fetched per round trip. */
  batchSize?: number;
  signal?: AbortSignal;
}

/**
 * Streams a query's rows through a cursor (extended-protocol portal with a row limit), so
 * a million-row result never sits in memory. Row numbers stand in for line numbers.
 */
export async function* readSql(opts: SqlOptions): AsyncIterable<SourceRecord> {
  const client = new pg.Client({ connectionString: opts.url, types: sqlTypes, application_name: 'ringwatch-import' });
  await client.connect();
  const batch = opts.batchSize ?? 2000;
  try {
    const cursor = client.query(new Cursor(opts.query, opts.values, { types: sqlTypes }));
    let n = 0;
    try {
      for (;;) {
        if (opts.signal?.aborted) throw new Error('import cancelled');
        const rows = (await cursor.read(batch)) as Record<string, unknown>[];
        if (rows.length === 0) break;
        for (const row of rows) yield { line: ++n, row };
      }
    } finally {
      await cursor.close().catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL without its password, for logs and run records. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}
