// Streaming readers: CSV with a header, NDJSON, and a SQL query through a server-side
// cursor. Each yields one item per record (or, for files, batches of them: readFileBatches)
// with the line (or row) number where it starts, so that a refused row can be found in the
// source. Memory stays flat: nothing holds more than one input chunk's records, and a record
// is bounded (`maxRecordChars`): a stray quote or a newline-less file is one refused line,
// not the rest of the file read into memory.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { inBatches } from '../storage/batches';

export interface SourceRecord {
  /** 1-based line in the file (CSV: where the record starts) or row number for SQL. */
  line: number;
  row?: Record<string, unknown>;
  /** The source's column names, yielded once before any row (CSV header, SQL result columns). */
  columns?: string[];
  /** Set when the record could not be read at all (bad quoting, bad JSON, wrong field count). */
  error?: string;
  /** The record as written, for the rejects file. */
  raw?: string;
}

export type InputFormat = 'csv' | 'ndjson';

export interface ReadOptions {
  /**
   * Longest record (CSV, quoted newlines included) or NDJSON line, in characters. Longer
   * is refused as one bad line and reading goes on at the next line. 1 Mi: review and case
   * texts are cut at 20,000 characters anyway, so a legitimate row is far below it.
   */
  maxRecordChars?: number;
}

export const MAX_RECORD_CHARS = 1 << 20;

export function formatOf(file: string, explicit?: string): InputFormat {
  if (explicit === 'csv' || explicit === 'ndjson') return explicit;
  if (explicit) throw new Error(`unknown format "${explicit}" (expected csv or ndjson)`);
  return /\.(nd)?jsonl?(\.gz)?$/i.test(file) ? 'ndjson' : 'csv';
}

/** The file's bytes, gunzipped when its name ends in .gz (real data sets ship compressed). */
function openFile(file: string): Readable {
  const raw = createReadStream(file, { highWaterMark: 1 << 18 });
  if (!/\.gz$/i.test(file)) return raw;
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

export function readFileRecords(file: string, format: InputFormat, opts: ReadOptions = {}): AsyncIterable<SourceRecord> {
  return format === 'csv' ? readCsv(file, opts) : readNdjson(file, opts);
}

/** The same records in batches (CSV: one per input chunk; NDJSON: up to 1,000 lines), for readers of many rows. */
export function readFileBatches(file: string, format: InputFormat, opts: ReadOptions = {}): AsyncIterable<SourceRecord[]> {
  return format === 'csv' ? readCsvBatches(file, opts) : inBatches(readNdjson(file, opts), 1000);
}

/** Text chunks of a UTF-8 file (gunzipped if .gz); an I/O error names the file. */
async function* chunks(file: string): AsyncIterable<string> {
  try {
    for await (const c of openFile(file).setEncoding('utf8')) yield c as string;
  } catch (err) {
    throw new Error(`${file}: could not be read to its end: ${(err as Error).message}`);
  }
}

/** What one scan from a record's start found. */
type Scan =
  | { kind: 'more' }
  | { kind: 'blank'; end: number }
  | { kind: 'record'; fields: string[]; end: number }
  | { kind: 'bad'; reason: string };

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * One CSV record (RFC 4180: quoted fields may hold commas, newlines and doubled quotes)
 * starting at `start`. "more" when the buffer ends inside it and more input may follow.
 * A quote inside an unquoted field is kept as a character (5" screen); text after a
 * closing quote, or an unclosed quote at the end of input, makes the record bad.
 */
export function scanCsvRecord(buf: string, start: number, eof: boolean): Scan {
  const n = buf.length;
  if (start >= n) return eof ? { kind: 'blank', end: n } : { kind: 'more' };
  const c0 = buf.charCodeAt(start);
  if (c0 === LF) return { kind: 'blank', end: start + 1 };
  if (c0 === CR) {
    if (start + 1 >= n) return eof ? { kind: 'blank', end: n } : { kind: 'more' };
    if (buf.charCodeAt(start + 1) === LF) return { kind: 'blank', end: start + 2 };
  }
  const fields: string[] = [];
  let i = start;
  for (;;) {
    let value: string;
    if (buf.charCodeAt(i) === QUOTE) {
      let j = i + 1;
      value = '';
      for (;;) {
        const k = buf.indexOf('"', j);
        if (k < 0) return eof ? { kind: 'bad', reason: 'a quoted field is never closed' } : { kind: 'more' };
        value += buf.slice(j, k);
        if (k + 1 >= n && !eof) return { kind: 'more' };
        if (buf.charCodeAt(k + 1) === QUOTE) {
          value += '"';
          j = k + 2;
          continue;
        }
        i = k + 1;
        break;
      }
      const c = i < n ? buf.charCodeAt(i) : -1;
      if (c === CR && i + 1 >= n && !eof) return { kind: 'more' };
      if (c !== COMMA && c !== LF && c !== -1 && !(c === CR && (i + 1 >= n || buf.charCodeAt(i + 1) === LF))) {
        return { kind: 'bad', reason: 'text after a closing quote (quotes inside a field must be doubled)' };
      }
    } else {
      // Up to a comma or a line end (LF or CRLF; a lone CR is an ordinary character).
      let j = i;
      while (j < n) {
        const c = buf.charCodeAt(j);
        if (c === COMMA || c === LF) break;
        if (c === CR) {
          if (j + 1 >= n) {
            if (!eof) return { kind: 'more' };
            break;
          }
          if (buf.charCodeAt(j + 1) === LF) break;
        }
        j++;
      }
      if (j >= n && !eof) return { kind: 'more' };
      value = buf.slice(i, j);
      i = j;
    }
    fields.push(value);
    if (i >= n) return { kind: 'record', fields, end: n };
    const c = buf.charCodeAt(i);
    if (c === COMMA) {
      i++;
      continue;
    }
    if (c === LF) return { kind: 'record', fields, end: i + 1 };
    // CR before LF, or at the very end of the input.
    return { kind: 'record', fields, end: Math.min(n, i + 2) };
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let k = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) k++;
  return k;
}

/** One raw CSV record: its fields, or why its first line is bad; `raw` as written, for the rejects file. */
export interface CsvRecord {
  line: number;
  fields?: string[];
  error?: string;
  raw: string;
}

/** `s` without one trailing LF or CRLF (a record's raw text). */
function trimEnd(s: string): string {
  const n = s.length;
  if (n === 0 || s.charCodeAt(n - 1) !== LF) return s;
  return s.slice(0, n > 1 && s.charCodeAt(n - 2) === CR ? n - 2 : n - 1);
}
/** A bad record's first line, cut for the rejects file. */
const firstLine = (buf: string, start: number) => {
  const nl = buf.indexOf('\n', start);
  return trimEnd(buf.slice(start, nl < 0 ? Math.min(buf.length, start + 2000) : Math.min(nl + 1, start + 2000)));
};

/**
 * Raw CSV records of a text stream, in batches: the records the buffer held before more
 * input was needed (at most one input chunk's worth, so memory stays flat). One batch per
 * chunk rather than one await per record: on 219k rows the per-record hand-offs through
 * the generators cost more than the parsing. After a bad record, reading resumes at the
 * line after its first one, so a stray quote costs that one line (and at most
 * `maxRecordChars` of look-ahead), never the lines after.
 */
export async function* csvRecordBatches(input: AsyncIterable<string>, opts: ReadOptions = {}): AsyncIterable<CsvRecord[]> {
  const max = opts.maxRecordChars ?? MAX_RECORD_CHARS;
  const it = input[Symbol.asyncIterator]();
  let buf = '';
  let pos = 0;
  let line = 1;
  let eof = false;
  let first = true;
  let out: CsvRecord[] = [];
  // Reading past a bad line that has no newline within the buffer: drop input up to the next one.
  let skipping = false;
  const more = async (): Promise<void> => {
    const next = await it.next();
    if (next.done) {
      eof = true;
      return;
    }
    let chunk = next.value;
    if (first) {
      chunk = chunk.replace(/^\ufeff/, '');
      first = false;
    }
    buf = pos > 0 ? buf.slice(pos) + chunk : buf + chunk;
    pos = 0;
  };
  for (;;) {
    if (skipping) {
      const nl = buf.indexOf('\n', pos);
      if (nl < 0) {
        buf = '';
        pos = 0;
        if (eof) break;
        if (out.length > 0) yield out;
        out = [];
        await more();
        continue;
      }
      pos = nl + 1;
      line++;
      skipping = false;
    }
    const scan = scanCsvRecord(buf, pos, eof);
    if (scan.kind === 'more') {
      if (buf.length - pos > max) {
        out.push({ line, error: `longer than ${max.toLocaleString('en-US')} characters (an unclosed quote?); skipped to the next line`, raw: firstLine(buf, pos) });
        skipping = true;
        continue;
      }
      if (out.length > 0) yield out;
      out = [];
      await more();
      continue;
    }
    if (scan.kind === 'blank') {
      if (scan.end >= buf.length && eof) break;
      line += countNewlines(buf, pos, scan.end);
      pos = scan.end;
      continue;
    }
    if (scan.kind === 'bad') {
      out.push({ line, error: `unreadable CSV: ${scan.reason}; skipped to the next line`, raw: firstLine(buf, pos) });
      skipping = true;
      continue;
    }
    if (scan.end - pos > max) {
      out.push({ line, error: `longer than ${max.toLocaleString('en-US')} characters; skipped to the next line`, raw: firstLine(buf, pos) });
      skipping = true;
      continue;
    }
    out.push({ line, fields: scan.fields, raw: trimEnd(buf.slice(pos, scan.end)) });
    line += countNewlines(buf, pos, scan.end);
    pos = scan.end;
    if (pos >= buf.length && eof) break;
  }
  if (out.length > 0) yield out;
}

/** The same records one at a time. */
export async function* csvRecords(input: AsyncIterable<string>, opts: ReadOptions = {}): AsyncIterable<CsvRecord> {
  for await (const batch of csvRecordBatches(input, opts)) yield* batch;
}

/** CSV with a header row, in batches (see csvRecordBatches). Blank lines are skipped; a row with a different field count is an error. */
export async function* readCsvBatches(file: string, opts: ReadOptions = {}): AsyncIterable<SourceRecord[]> {
  let header: string[] | undefined;
  for await (const batch of csvRecordBatches(chunks(file), opts)) {
    const out: SourceRecord[] = [];
    for (const rec of batch) {
      if (!header) {
        if (!rec.fields) throw new Error(`${file}: the header line (line ${rec.line}) is unreadable: ${rec.error}`);
        header = rec.fields.map((h) => h.trim());
        if (header.every((h) => h === '')) throw new Error(`${file}: empty header line`);
        out.push({ line: rec.line, columns: header });
        continue;
      }
      if (!rec.fields) {
        out.push({ line: rec.line, raw: rec.raw, error: rec.error });
        continue;
      }
      if (rec.fields.length !== header.length) {
        out.push({ line: rec.line, raw: rec.raw, error: `has ${rec.fields.length} fields, header has ${header.length}` });
        continue;
      }
      const row: Record<string, unknown> = {};
      for (let i = 0; i < header.length; i++) row[header[i]] = rec.fields[i];
      out.push({ line: rec.line, row, raw: rec.raw });
    }
    if (out.length > 0) yield out;
  }
  if (!header) throw new Error(`${file}: no header line (CSV input needs one)`);
}

/** CSV with a header row, one record at a time. */
export async function* readCsv(file: string, opts: ReadOptions = {}): AsyncIterable<SourceRecord> {
  for await (const batch of readCsvBatches(file, opts)) yield* batch;
}

/** Lines of a text stream, each at most `max` characters (a longer one is reported, not kept). */
async function* boundedLines(input: AsyncIterable<string>, max: number): AsyncIterable<{ line: number; text?: string; tooLong?: string }> {
  let buf = '';
  let line = 0;
  let skipping = false;
  for await (const chunk of input) {
    buf += chunk;
    let pos = 0;
    for (let nl = buf.indexOf('\n', pos); nl >= 0; nl = buf.indexOf('\n', pos)) {
      line++;
      if (skipping) skipping = false;
      else if (nl - pos > max) yield { line, tooLong: buf.slice(pos, pos + 2000) };
      else yield { line, text: trimEnd(buf.slice(pos, nl)) };
      pos = nl + 1;
    }
    buf = buf.slice(pos);
    if (!skipping && buf.length > max) {
      yield { line: line + 1, tooLong: buf.slice(0, 2000) };
      skipping = true;
    }
    if (skipping) buf = '';
  }
  if (buf.length > 0 && !skipping) yield { line: line + 1, text: trimEnd(buf) };
}

/** One JSON object per line; blank lines skipped. */
export async function* readNdjson(file: string, opts: ReadOptions = {}): AsyncIterable<SourceRecord> {
  const max = opts.maxRecordChars ?? MAX_RECORD_CHARS;
  for await (const l of boundedLines(chunks(file), max)) {
    if (l.tooLong !== undefined) {
      yield { line: l.line, raw: l.tooLong, error: `longer than ${max.toLocaleString('en-US')} characters; skipped to the next line` };
      continue;
    }
    const t = l.line === 1 ? (l.text as string).replace(/^\ufeff/, '') : (l.text as string);
    if (t.trim() === '') continue;
    try {
      const v = JSON.parse(t) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) {
        yield { line: l.line, raw: t, error: 'not a JSON object' };
      } else {
        yield { line: l.line, row: v as Record<string, unknown>, raw: t };
      }
    } catch (err) {
      yield { line: l.line, raw: t, error: `bad JSON: ${(err as Error).message}` };
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
    let named = false;
    try {
      for (;;) {
        if (opts.signal?.aborted) throw new Error('import cancelled');
        const { rows, fields } = await new Promise<{ rows: Record<string, unknown>[]; fields: { name: string }[] }>((resolve, reject) =>
          cursor.read(batch, (err, rows, result) => (err ? reject(err) : resolve({ rows, fields: result?.fields ?? [] }))),
        );
        if (!named) {
          named = true;
          yield { line: 0, columns: fields.map((f) => f.name) };
        }
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
