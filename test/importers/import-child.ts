// Child process for the kill-during-import tests: imports a reviews (or IMPORT_WHAT) file into
// the given database and prints the summary. The parent SIGKILLs it mid-import.
import pino from 'pino';
import { loadConfig } from '../../config/index';
import { type ImportWhat, runImportJob } from '../../jobs/import';
import { openStore } from '../../storage/store';

const env = process.env;
const config = loadConfig({ cwd: env.CHILD_DIR as string, env: { RINGWATCH_DATA: env.CHILD_DIR as string, RINGWATCH_LOG_LEVEL: 'silent' } });
const store = await openStore(config, { uri: env.STORE_URI, database: env.STORE_DB });
const ctx = { store, config, log: pino({ level: 'silent' }), progress: () => {}, signal: new AbortController().signal, runId: 'child' };
const r = await runImportJob(ctx, { what: (env.IMPORT_WHAT ?? 'reviews') as ImportWhat, file: env.IMPORT_FILE as string, source: 'crash', batchSize: Number(env.BATCH_SIZE) });
process.stdout.write(`${JSON.stringify(r)}\n`);
await store.close();
