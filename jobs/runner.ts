// Runs a job and records it in `runs` (status, progress, stats, duration), the
// one code path used by the CLI, the scheduler, the workers and the API.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/index';
import type { Store } from '../storage/store';
import type { Run } from '../storage/types';
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

export async function runJob<P extends object, R extends object>(
  store: Store,
  config: Config,
  job: Job<P, R>,
  params: P,
  opts: RunOptions,
): Promise<R & { runId: string }> {
  const runId = opts.runId ?? `${job.name}:${new Date().toISOString()}:${randomUUID().slice(0, 8)}`;
  const startedAt = new Date();
  await store.runs.upsertMany([
    { _id: runId, job: job.name, params: jsonSafe(params as Record<string, unknown>), status: 'running', trigger: opts.trigger, startedAt, stats: {} },
  ]);
  let lastWrite = 0;
  const progress: Progress = (done, total, message) => {
    opts.onProgress?.(done, total, message);
    const now = Date.now();
    if (now - lastWrite < PROGRESS_WRITE_MS) return;
    lastWrite = now;
    void store.runs.setMany([{ id: runId, set: { progress: { done, total, message } } }]).catch(() => {});
  };
  const log = opts.log.child({ job: job.name, runId });
  try {
    const result = await job.run({ store, config, log, progress, signal: opts.signal ?? new AbortController().signal, runId }, params);
    const finishedAt = new Date();
    await store.runs.setMany([
      {
        id: runId,
        set: { status: 'succeeded', finishedAt, durationMs: finishedAt.getTime() - startedAt.getTime(), stats: numericStats(result as Record<string, unknown>) },
      },
    ]);
    return { ...result, runId };
  } catch (err) {
    const finishedAt = new Date();
    const cancelled = opts.signal?.aborted ?? false;
    await store.runs
      .setMany([
        {
          id: runId,
          set: {
            status: cancelled ? 'cancelled' : 'failed',
            finishedAt,
            durationMs: finishedAt.getTime() - startedAt.getTime(),
            error: (err as Error).message,
          },
        },
      ])
      .catch(() => {});
    throw err;
  }
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

function jsonSafe(params: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(params ?? {}, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
