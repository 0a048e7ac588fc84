// `ringwatch import reviews|escalations|orders <file>` and `--sql <url> --query <sql>`.
import type { Command } from 'commander';
import { type ImportWhat, importJob } from '../../jobs/import';
import type { CliDeps } from '../context';
import { output, printTable } from '../output';

export function register(program: Command, deps: CliDeps) {
  program
    .command('import')
    .description('bulk import of reviews, escalation cases or orders from CSV/NDJSON or a SQL query (PostgreSQL/Redshift); cleaned, PII-masked, idempotent; bad rows go to a rejects file with line numbers')
    .argument('<what>', 'reviews | escalations | orders')
    .argument('[file]', 'CSV (with header) or NDJSON file')
    .option('--format <f>', 'csv | ndjson (default: from the file extension)')
    .option('--sql <url>', 'PostgreSQL connection URL, e.g. postgresql://user:pass@host:5432/db (Redshift works too)')
    .option('--query <sql>', 'SQL query whose columns follow the file format (with --sql)')
    .option('--source <name>', 'source name stored on documents (default: the file name, or "sql")')
    .option('--rejects <file>', 'where refused rows go (default: <file>.rejects.csv, or <dataDir>/rejects/ for SQL)')
    .option('--replace', 'corrections from the source replace stored cases instead of merging with them')
    .option('--batch-size <n>', 'rows per write batch / SQL fetch', (v) => Number.parseInt(v, 10))
    .action(async (what: string, file: string | undefined, opts: { format?: 'csv' | 'ndjson'; sql?: string; query?: string; source?: string; rejects?: string; replace?: boolean; batchSize?: number }) => {
      if (!['reviews', 'escalations', 'orders'].includes(what)) throw new Error(`import: unknown kind "${what}" (reviews, escalations, orders)`);
      const r = await deps.withStore((store) =>
        deps.runJob(store, importJob, { what: what as ImportWhat, file, ...opts }, `import ${what}`),
      );
      output(program.opts().json, r, () => {
        printTable([{ read: r.read, imported: r.imported, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected, duplicates: r.duplicates, 'pii masked': r.masked, seconds: (r.durationMs / 1000).toFixed(1) }]);
        if (r.rejectsFile) console.log(`\n${r.rejected} rows refused; see ${r.rejectsFile} (line, reason, record)`);
      });
      if (r.read > 0 && r.rejected === r.read) process.exitCode = 1;
    });
}
