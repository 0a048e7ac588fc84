// The `import` job: reviews, escalations, orders or co-actions from a CSV/NDJSON file
// (gzipped too) or a SQL query (PostgreSQL protocol, so Amazon Redshift too), cleaned and
// upserted idempotently.
import path from 'node:path';
import { type CoactionColumnFlags, peekHeader, resolveColumns, runCoactionImport } from '../importers/coactions';
import { cleaningOptions, escalationKind, orderKind } from '../importers/escalations';
import { type ImportKind, type ImportOptions, type ImportSummary, runImport } from '../importers/importer';
import { formatOf, readFileBatches, readFileRecords, readSql, redactUrl, type SourceRecord } from '../importers/readers';
import { reviewKind } from '../importers/reviews';
import { refuseReviewCopies, runSource } from './import-copies';
import type { Job, JobContext } from './types';

export const IMPORT_KINDS = ['reviews', 'escalations', 'orders', 'coactions'] as const;
export type ImportWhat = (typeof IMPORT_KINDS)[number];

export interface ImportParams {
  what: ImportWhat;
  file?: string;
  format?: 'csv' | 'ndjson';
  sql?: string;
  query?: string;
  /** Source name stored on documents; default: file name, or "sql". */
  source?: string;
  /** Rejects CSV path; default <file>.rejects.csv (<dataDir>/rejects/<what>-<runId>.rejects.csv when that cannot be written, and for SQL). */
  rejects?: string;
  /** Corrections from the source replace stored cases instead of merging. */
  replace?: boolean;
  batchSize?: number;
  /** coactions: column names when they differ from the two schemas' (importers/coactions). */
  columns?: CoactionColumnFlags;
  /** Longest record or line read from a file, in characters (default 1 Mi); longer is one refused line. */
  maxRecordChars?: number;
  /** reviews: import rows whose ids are stored under another source too (jobs/import-copies). */
  allowCopies?: boolean;
}

export type ImportResult = ImportSummary & Record<string, unknown>;

export async function runImportJob(ctx: Pick<JobContext, 'store' | 'config' | 'log' | 'progress' | 'signal' | 'runId'>, params: ImportParams): Promise<ImportResult> {
  const { what } = params;
  if (!IMPORT_KINDS.includes(what)) throw new Error(`import: unknown kind "${what}" (${IMPORT_KINDS.join(', ')})`);
  if (!!params.file === !!params.sql) throw new Error('import: give either a file or --sql <url> with --query <sql>');
  if (params.sql && !params.query) throw new Error('import: --sql needs --query <sql>');
  const source = runSource(params as unknown as Record<string, unknown>);
  let records: AsyncIterable<SourceRecord | SourceRecord[]>;
  let rejects: string;
  let rejectsFallback: string | undefined;
  const inDataDir = path.join(ctx.config.dataDir, 'rejects', `${what}-${ctx.runId}.rejects.csv`);
  if (params.file) {
    const format = formatOf(params.file, params.format);
    const read = { maxRecordChars: params.maxRecordChars };
    // Co-action files are read whole and in batches (one await per input chunk, not per row).
    records = what === 'coactions' ? readFileBatches(params.file, format, read) : readFileRecords(params.file, format, read);
    rejects = params.rejects ?? `${params.file}.rejects.csv`;
    // Next to the input unless that cannot be written (a shared, read-only data set).
    if (!params.rejects) rejectsFallback = inDataDir;
    ctx.log.info({ what, file: params.file }, 'import from file');
  } else {
    records = readSql({ url: params.sql as string, query: params.query as string, signal: ctx.signal, batchSize: params.batchSize });
    rejects = params.rejects ?? inDataDir;
    ctx.log.info({ what, sql: redactUrl(params.sql as string) }, 'import from SQL');
  }
  let shown = 0;
  const opts: ImportOptions = {
    batchSize: params.batchSize,
    rejectsFile: rejects,
    rejectsFallback,
    replace: params.replace,
    signal: ctx.signal,
    progress: (n) => ctx.progress(n, undefined, `${what}: ${n} read`),
    onReject: (line, reason) => {
      if (shown++ < 20) ctx.log.warn({ line, reason }, `${what}: row refused`);
    },
  };
  let summary: ImportSummary;
  if (what === 'coactions') {
    // The schema comes from the header: checked once, before any row is cleaned.
    const peeked = await peekHeader(records);
    const columns = resolveColumns(peeked.header, params.columns);
    ctx.log.info({ schema: columns.schema, objects: columns.objects.map((o) => o.column) }, 'coactions: columns');
    // A header the source named keys every row: cells are read in place.
    summary = await runCoactionImport(ctx.store, source, peeked.named ? { ...columns, header: peeked.header } : columns, peeked.records, opts);
  } else {
    if (what === 'reviews' && !params.allowCopies) opts.checkFirstBatch = refuseReviewCopies(ctx.store, source);
    const kind = (what === 'reviews'
      ? reviewKind(source)
      : what === 'escalations'
        ? escalationKind(cleaningOptions(ctx.config, source))
        : orderKind(cleaningOptions(ctx.config, source))) as unknown as ImportKind<{ _id: string }>;
    summary = await runImport(ctx.store, kind, records, opts);
  }
  ctx.log.info(summary, `${what} imported`);
  return summary as ImportResult;
}

export const importJob: Job<ImportParams, ImportResult> = {
  name: 'import',
  description: 'Import reviews, escalations, orders or co-actions from CSV/NDJSON (or .gz) or a SQL query; bad rows go to a rejects file',
  run: runImportJob,
};
