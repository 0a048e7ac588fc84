// `ringwatch import reviews|escalations|orders|coactions <file>` and `--sql <url> --query <sql>`.
import type { Command } from 'commander';
import { IMPORT_KINDS, type ImportParams, type ImportWhat, importJob } from '../../jobs/import';
import type { CliDeps } from '../context';
import { output, printTable } from '../output';

type ImportFlags = Omit<ImportParams, 'what' | 'file' | 'columns'> & {
  accountColumn?: string;
  postColumn?: string;
  timeColumn?: string;
  objectColumns?: string;
};

export function register(program: Command, deps: CliDeps) {
  program
    .command('import')
    .description('bulk import of reviews, escalation cases, orders or co-actions (shared objects, CooRTweet schema) from CSV/NDJSON (or .gz) or a SQL query (PostgreSQL/Redshift); cleaned, PII-masked, idempotent; bad rows go to a rejects file with line numbers')
    .argument('<what>', IMPORT_KINDS.join(' | '))
    .argument('[file]', 'CSV (with header) or NDJSON file, optionally gzipped (.gz)')
    .option('--format <f>', 'csv | ndjson (default: from the file extension)')
    .option('--sql <url>', 'PostgreSQL connection URL, e.g. postgresql://user:pass@host:5432/db (Redshift works too)')
    .option('--query <sql>', 'SQL query whose columns follow the file format (with --sql)')
    .option('--source <name>', 'source name stored on documents (default: the file name, or "sql")')
    .option('--rejects <file>', 'where refused rows go (default: <file>.rejects.csv, or <dataDir>/rejects/ for SQL)')
    .option('--replace', 'corrections from the source replace stored cases instead of merging with them')
    .option('--allow-copies', 'reviews: import rows even when the same review ids are stored under another source (an earlier file)')
    .option('--batch-size <n>', 'rows per write batch / SQL fetch', (v) => Number.parseInt(v, 10))
    .option('--account-column <name>', 'coactions: the account column (default account_id)')
    .option('--post-column <name>', 'coactions: the post column (default post_id or content_id)')
    .option('--time-column <name>', 'coactions: the epoch-seconds column (default timestamp or timestamp_share)')
    .option('--object-columns <names>', 'coactions: comma-separated object columns (default object_id, else every other *_id column)')
    .addHelpText(
      'after',
      '\nCo-actions: CooRTweet\'s object_id,account_id,content_id,timestamp_share or account_id,post_id,timestamp with\n' +
        'object columns (url_id,hashtag_id,domain_id,phash_id). Each object becomes "<kind>:<id>" on the post; accounts\n' +
        'sharing one object within seconds of each other are linked by `ringwatch detect` (co_share).\n' +
        'Example: ringwatch import coactions posts.csv.gz --source german-elections-2021',
    )
    .action(async (what: string, file: string | undefined, opts: ImportFlags) => {
      if (!(IMPORT_KINDS as readonly string[]).includes(what)) throw new Error(`import: unknown kind "${what}" (${IMPORT_KINDS.join(', ')})`);
      const { accountColumn, postColumn, timeColumn, objectColumns, ...rest } = opts;
      const columns = {
        ...(accountColumn ? { account: accountColumn } : {}),
        ...(postColumn ? { post: postColumn } : {}),
        ...(timeColumn ? { time: timeColumn } : {}),
        ...(objectColumns ? { objects: objectColumns.split(',').map((c) => c.trim()).filter(Boolean) } : {}),
      };
      const r = await deps.withStore((store) =>
        deps.runJob(store, importJob, { what: what as ImportWhat, file, ...rest, ...(Object.keys(columns).length ? { columns } : {}) }, `import ${what}`),
      );
      output(program.opts().json, r, () => {
        printTable([{ read: r.read, imported: r.imported, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected, duplicates: r.duplicates, 'pii masked': r.masked, ...(r.derived?.accountsCreated !== undefined ? { 'accounts new': r.derived.accountsCreated, 'accounts widened': r.derived.accountsWidened } : {}), seconds: (r.durationMs / 1000).toFixed(1) }]);
        if (r.rejectsFile) console.log(`\n${r.rejected} rows refused; see ${r.rejectsFile} (line, reason, record)`);
      });
      if (r.read > 0 && r.rejected === r.read) process.exitCode = 1;
    });
}
