// Child process for the kill-during-score-write test: records a running detect run (this
// host and pid, as jobs/runner.ts does) and writes N account scores for it through
// store.scores. The parent SIGKILLs it while the inserts are under way.
import { hostname } from 'node:os';
import { loadConfig } from '../../config/index';
import { openStore } from '../../storage/store';
import { scoreRows } from './scores-rows';

const env = process.env;
const dir = env.CHILD_DIR as string;
const config = loadConfig({ cwd: dir, env: { RINGWATCH_DATA: dir, RINGWATCH_LOG_LEVEL: 'silent' } });
const store = await openStore(config, { uri: env.STORE_URI, database: env.STORE_DB });
const runId = env.RUN_ID as string;
const now = new Date();
await store.runs.insertOne({
  _id: runId,
  job: 'detect',
  params: {},
  status: 'running',
  trigger: 'cli',
  startedAt: now,
  stats: {},
  host: hostname(),
  pid: process.pid,
});
const rows = scoreRows(Number(env.N), runId, Number(env.SCORE));
// Several small adds, so that the parent sees the collection fill up before the end.
const draft = await store.scores.begin(runId);
for (let i = 0; i < rows.length; i += 500) await draft.add(rows.slice(i, i + 500));
await draft.commit();
process.stdout.write('committed\n');
await store.close();
