// Child process for the kill-during-import test: imports a reviews file into the given
// database and prints the summary. The parent SIGKILLs it mid-import.
import pino from 'pino';
import { loadConfig } from '../../config/index';
import { runImportJob } from '../../jobs/import';
import { openStore } from '../../storage/store';

const env = process.env;
const config = loadConfig({ cwd: env.CHILD_DIR as string, env: { RINGWATCH_DATA: env.CHILD_DIR as string, RINGWATCH_LOG_LEVEL: 'silent' } });
const store = await openStore(config, { uri: env.STORE_URI, database: env.STORE_DB });
const ctx = { store, config, log: pino({ level: 'silent' }), progress: () => {}, signal: new AbortController().signal, runId: 'child' };
const r = await runImportJob(ctx, { what: 'reviews', file: env.IMPORT_FILE as string, source: 'crash', batchSize: Number(env.BATCH_SIZE) });
process.stdout.write(`${JSON.stringify(r)}\n`);
await store.close();
