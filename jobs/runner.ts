// Runs a job and records it in `runs` (status, progress, stats, duration), the
// one code path used by the CLI, the scheduler, the workers and the API.
//
// Every write of a run after its creation is a claimed update (Repository.update): on
// FerretDB an unguarded progress write that read the run before the final write could
// write `running` back over `succeeded` (jobs stayed `running` after finishing). Progress
// writes go one at a time, never touch a finished run, and the final write waits for them.
// A run whose process died (kill -9) stays `running` in the store; markStaleRuns, called
// whenever a job starts and when the server starts, marks it `stale`.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/index';
import { localProcessGone, type Store } from '../storage/store';
import type { Run } from '../storage/types';
import { checkJobParams } from './params';
import { runInThread } from './thread';
import type { Job, Progress } from './types';

export interface RunOptions {
  trigger: Run['trigger'];
  log: Logger;
  signal?: AbortSignal;
  /** Called on every progress report (e.g. to draw a progress bar). */
  onProgress?: Progress;
  runId?: string;
}

/** How often progress is written to the store, at most. */
const PROGRESS_WRITE_MS = 1000;
/** A running run writes `heartbeatAt` at least this often … */
const HEARTBEAT_MS = 30_000;
/** … so one silent for this long lost its process (on another host, where pids cannot be checked). */
export const STALE_AFTER_MS = 10 * HEARTBEAT_MS;
const HOST = hostname();

export async function runJob<P extends object, R extends object>(
  store: Store,
  config: Config,
  job: Job<P, R>,
  params: P,
  opts: RunOptions,
): Promise<R & { runId: string }> {
  // Refused before anything is recorded: a bad parameter is the caller's error, not a failed run.
  params = checkJobParams(job, params, { config, trigger: opts.trigger });
  const runId = opts.runId ?? `${job.name}:${new Date().toISOString()}:${randomUUID().slice(0, 8)}`;
  await sweepStaleRunsNowAndThen(store).catch((err) => opts.log.warn({ err: (err as Error).message }, 'could not check for stale runs'));
  const startedAt = new Date();
  await store.runs.upsertMany([
    {
      _id: runId, job: job.name, params: jsonSafe(params as Record<string, unknown>), status: 'running', trigger: opts.trigger, startedAt, stats: {},
      host: HOST, pid: process.pid, heartbeatAt: startedAt,
    },
  ]);
  // One write in flight at a time, in order; the final write goes after the last of them.
  let writes: Promise<unknown> = Promise.resolve();
  const whileRunning = (set: Partial<Run>) => {
    writes = writes.then(() => store.runs.update(runId, (r) => (r.status === 'running' ? { set } : null))).catch(() => {});
  };
  let lastWrite = 0;
  const progress: Progress = (done, total, message) => {
    opts.onProgress?.(done, total, message);
    const now = Date.now();
    if (now - lastWrite < PROGRESS_WRITE_MS) return;
    lastWrite = now;
    whileRunning({ progress: { done, total, message }, heartbeatAt: new Date(now) });
  };
  const heartbeat = setInterval(() => whileRunning({ heartbeatAt: new Date() }), HEARTBEAT_MS);
  heartbeat.unref();
  const finish = async (set: Partial<Run>) => {
    clearInterval(heartbeat);
    await writes;
    await store.runs.update(runId, () => ({ set }));
  };
  const log = opts.log.child({ job: job.name, runId });
  try {
    const ctx = { store, config, log, progress, signal: opts.signal ?? new AbortController().signal, runId };
    const result = job.thread ? await runInThread(job, ctx, params) : await job.run(ctx, params);
    const finishedAt = new Date();
    // A job that returns after being asked to stop (a crawl saves its cursors and
    // returns) stopped early: the run is cancelled, with what it did.
    const cancelled = opts.signal?.aborted ?? false;
    await finish({
      status: cancelled ? 'cancelled' : 'succeeded',
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      stats: numericStats(result as Record<string, unknown>),
    });
    return { ...result, runId };
  } catch (err) {
    const finishedAt = new Date();
    const cancelled = opts.signal?.aborted ?? false;
    await finish({
      status: cancelled ? 'cancelled' : 'failed',
      finishedAt,
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      error: (err as Error).message,
    }).catch(() => {});
    throw err;
  }
}

/**
 * The sweep on job start, at most once a minute per process: it reads every `running` run
 * (a scan on FerretDB, which grows with the runs collection), and a distributed crawl starts
 * a job per unit batch — sweeping on each one stalled two workers' crawls mid-run
 * (test/faults/workers.test.ts: windows of 19–23 of 30 requests). The server sweeps on start.
 */
const STALE_SWEEP_EVERY_MS = 60_000;
let lastSweep = 0;
async function sweepStaleRunsNowAndThen(store: Store): Promise<void> {
  const now = Date.now();
  if (now - lastSweep < STALE_SWEEP_EVERY_MS) return;
  lastSweep = now;
  await markStaleRuns(store, now);
}

/**
 * Marks `stale` the runs left `running` by a process that is gone: on this host, its pid
 * is not alive; elsewhere (or for runs from before heartbeats), silent for STALE_AFTER_MS.
 * Returns the run ids marked.
 */
export async function markStaleRuns(store: Store, now = Date.now()): Promise<string[]> {
  const marked: string[] = [];
  for (const run of await store.runs.find({ status: 'running' }, { projection: { _id: 1, host: 1, pid: 1, heartbeatAt: 1, startedAt: 1 } })) {
    if (!isStale(run, now)) continue;
    const r = await store.runs.update(run._id, (cur) =>
      cur.status === 'running' && isStale(cur, now)
        ? { set: { status: 'stale', finishedAt: new Date(now), error: staleReason(cur, now) } }
        : null,
    );
    if (r?.changed) marked.push(run._id);
  }
  await pruneClaimsNowAndThen(store, now);
  return marked;
}

function isStale(run: Pick<Run, 'host' | 'pid' | 'heartbeatAt' | 'startedAt'>, now: number): boolean {
  if (run.host === HOST && run.pid !== undefined) return localProcessGone(run.host, run.pid);
  return now - new Date(run.heartbeatAt ?? run.startedAt).getTime() > STALE_AFTER_MS;
}

function staleReason(run: Pick<Run, 'host' | 'pid' | 'heartbeatAt' | 'startedAt'>, now: number): string {
  if (run.host === HOST && run.pid !== undefined) return `stale: its process (pid ${run.pid} on ${HOST}) ended without finishing the run`;
  const silentS = Math.round((now - new Date(run.heartbeatAt ?? run.startedAt).getTime()) / 1000);
  return `stale: no sign of life from ${run.host ?? 'its process'} for ${silentS} s`;
}

const PRUNE_EVERY_MS = 3_600_000;
let lastPrune = 0;
/** Old revision claims go with the stale-run sweep, at most hourly per process (a scan of `claims`). */
async function pruneClaimsNowAndThen(store: Store, now: number): Promise<void> {
  if (now - lastPrune < PRUNE_EVERY_MS) return;
  lastPrune = now;
  await store.claims.prune(now);
}

/** The numbers of a result, flattened one level ("requests", "reddit.items"), for `runs.stats`. */
export function numericStats(result: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(result)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) {
        if (typeof v2 === 'number' && Number.isFinite(v2)) out[`${k}_${k2}`] = v2;
      }
    }
  }
  return out;
}

/** A URL's password ("scheme://user:password@"), up to the `@` that ends its user info. */
const URL_PASSWORD = /(\/\/[^/\s:@]*):[^/\s@]*@/g;

/**
 * Params as stored in the run record: JSON (non-finite numbers as null), and without any
 * URL's password (an import's `--sql postgresql://user:password@…`): every API key reads run
 * records (GET /api/runs), so a credential in one would be served to analysts.
 */
function jsonSafe(params: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(params ?? {}, (_k, v) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      return typeof v === 'string' ? v.replace(URL_PASSWORD, '$1:***@') : v;
    }),
  );
}

/** A run record as served: its params without passwords, also in records stored before they were left out. */
export function publicRun<R extends Pick<Run, 'params'>>(run: R): R {
  return { ...run, params: jsonSafe(run.params) };
}
