// Child process for the stale-run test: starts a job that never finishes, prints its
// run id once the run is recorded, and waits to be killed (kill -9).
import pino from 'pino';
import { loadConfig } from '../../config/index';
import { runJob } from '../../jobs/runner';
import { openStore } from '../../storage/store';

const env = process.env;
const dir = env.CHILD_DIR as string;
const config = loadConfig({ cwd: dir, env: { RINGWATCH_DATA: dir, RINGWATCH_LOG_LEVEL: 'silent' } });
const store = await openStore(config, { uri: env.STORE_URI, database: env.STORE_DB });
const runId = `forever:${process.pid}`;
const job = {
  name: 'forever',
  description: 'waits',
  run: async (ctx: { progress: (d: number) => void }) => {
    ctx.progress(1);
    process.stdout.write(`${runId}\n`);
    await new Promise(() => {});
    return {};
  },
};
await runJob(store, config, job, {}, { trigger: 'cli', log: pino({ level: 'silent' }), runId });
