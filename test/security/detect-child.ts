// Child process for the detect kill test: runs detect on the given database with a known
// run id; the parent kills it -9 during the write phase.
import pino from 'pino';
import { loadConfig } from '../../config/index';
import { detectJob } from '../../jobs/detect';
import { runJob } from '../../jobs/runner';
import { openStore } from '../../storage/store';

const env = process.env;
const dir = env.CHILD_DIR as string;
const config = loadConfig({ cwd: dir, env: { RINGWATCH_DATA: dir, RINGWATCH_LOG_LEVEL: 'silent' } });
const store = await openStore(config, { uri: env.STORE_URI, database: env.STORE_DB });
await runJob(store, config, detectJob, { window: '400d' }, { trigger: 'cli', log: pino({ level: 'silent' }), runId: env.RUN_ID });
await store.close();
