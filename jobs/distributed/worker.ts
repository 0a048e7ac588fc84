// `ringwatch worker`: BullMQ workers that run queued jobs with the same job functions and
// the same runner (jobs/runner.ts, trigger "worker") as the CLI and the in-process scheduler.
//  - every job name is looked up in the job registry and run as is, unless the job says
//    how it runs on a worker (`Job.onWorker`): crawl:<platform> fans out into one job per
//    crawl unit (crawl-unit.ts); a unit job runs a batch of pages, then goes back to the
//    queue until its pass is over.
// Rate limits are per credential across all workers: every request takes a slot from the
// shared gate in Redis; a 429 rate-limits the whole queue (worker.rateLimit) until the
// platform's reset, and the job waits without spending an attempt.
import { type Job as BullJob, type Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CrawlPlatform, CrawlUnit } from '../../crawlers/source';
import type { Config } from '../../config/index';
import type { Store } from '../../storage/store';
import { type AnyJob, jobRegistry } from '../registry';
import { runJob } from '../runner';
import type { Job, WorkerKit } from '../types';
import { defaultSources, planJob, type SourceFactory, unitBatchJob } from './crawl-unit';
import { DEFAULT_PREFIX, openQueues, type QueuedJob, type QueueName, redisConnection, unitJobId } from './queues';
import { JobLease } from './lease';
import { RateLimited, sharedGateFactory } from './shared-gate';

export interface Limiter {
  max: number;
  duration: number;
}

export interface WorkerOptions {
  redisUrl: string;
  prefix?: string;
  queues: QueueName[];
  /** Jobs processed at once per queue by this process. */
  concurrency: number;
  store: Store;
  config: Config;
  log: Logger;
  /** Job name → job, for everything but crawls (default jobs/registry.ts). */
  jobs?: Record<string, AnyJob>;
  /** Default: the registered platforms' sources (crawlers/platforms/registry.ts createSource). */
  makeSource?: SourceFactory;
  /** BullMQ's queue rate limiter per queue: at most `max` jobs start per `duration` ms over all workers. */
  limiters?: Partial<Record<QueueName, Limiter>>;
  /** Pages per unit batch (default 5). */
  pagesPerBatch?: number;
  /** How long a job's lock lasts without renewal; a dead worker's job is retried after about this long. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface WorkerHandle {
  workers: Worker<QueuedJob>[];
  /** Finishes the jobs in hand, then closes (force: abandon them; they come back as stalled). */
  close(force?: boolean): Promise<void>;
}

/** Options for every job ringwatch queues: retries with backoff, bounded history. */
export const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 1000 },
} as const;

export async function enqueueUnits(queue: Queue<QueuedJob>, platform: CrawlPlatform, units: CrawlUnit[], params: Record<string, unknown> = {}): Promise<number> {
  let queued = 0;
  for (const u of units) {
    // One job per unit at a time: the job id is the unit's, so a unit still queued or
    // running from the previous round is not queued twice (two workers on one cursor).
    const id = unitJobId(u.id);
    const existing = await queue.getJob(id);
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed' || state === 'failed') await existing.remove().catch(() => {});
      else continue;
    }
    await queue.add(`crawl-unit:${platform}`, { job: `crawl:${platform}`, params, unit: { id: u.id, label: u.label, platform, batch: 0 } }, { ...JOB_OPTIONS, jobId: id });
    queued++;
  }
  return queued;
}

export async function startWorkers(opts: WorkerOptions): Promise<WorkerHandle> {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const connection = redisConnection(opts.redisUrl);
  const gateRedis: Redis = redisConnection(opts.redisUrl);
  const gates = sharedGateFactory(gateRedis, prefix);
  const queues = openQueues(connection, prefix, opts.queues);
  const makeSource = opts.makeSource ?? defaultSources;
  const controller = new AbortController();
  const pages = opts.pagesPerBatch ?? 5;
  const log = opts.log.child({ worker: process.pid });

  const plan = planJob(makeSource, gates, (platform, units) => {
    const q = queues.get(`crawl-${platform}` as QueueName);
    if (!q) throw new Error(`this worker does not serve crawl-${platform}`);
    return enqueueUnits(q, platform, units);
  });
  const kit: WorkerKit = { crawlUnits: (platform) => ({ job: plan as Job<{ platform: string }, object>, params: { platform } }) };

  // Each run holds its job through a lease on its own lock token (lease.ts says why not
  // BullMQ's per-id renewals): a run whose lock another run has taken is aborted, and a
  // unit's run checks the lease before every cursor it saves, so that two workers never
  // write one unit's cursor.
  const lockMs = opts.lockDurationMs ?? 30_000;
  const run = async <P extends object, R extends object>(makeJob: (lease: JobLease) => Job<P, R>, params: P, bull: BullJob<QueuedJob>, token: string | undefined) => {
    const lease = new JobLease(bull, token ?? '', lockMs, (err) => log.warn({ queue: bull.queueName, id: bull.id }, `${err.message}; stopping work on it`));
    if (token) lease.start();
    const job = makeJob(lease);
    try {
      return await runJob(opts.store, opts.config, job, params, {
        trigger: 'worker',
        log,
        signal: AbortSignal.any([controller.signal, lease.signal]),
        runId: `${job.name}:${bull.queueName}:${bull.id}:${bull.attemptsMade}:${Date.now()}`,
      });
    } finally {
      lease.stop();
    }
  };

  const workers = opts.queues.map((name) => {
    const worker: Worker<QueuedJob> = new Worker<QueuedJob>(
      name,
      async (bull, token) => {
        const data = bull.data;
        try {
          if (data.unit) {
            const u = data.unit;
            const params = { platform: u.platform as CrawlPlatform, unitId: u.id, unitLabel: u.label, maxPages: pages };
            const r = await run((lease) => unitBatchJob(makeSource, gates, () => lease.check()), params, bull, token);
            if (!r.finished) {
              // Next batch: back to the queue, so the work spreads over the workers.
              await bull.updateData({ ...data, unit: { ...u, batch: u.batch + 1 } });
              await bull.moveToWait(token);
              throw new WaitingError();
            }
            return { ...r, batches: u.batch + 1 };
          }
          const registry = opts.jobs ?? jobRegistry();
          const job = registry[data.job];
          if (!job) throw new UnrecoverableError(`unknown job "${data.job}" (known: ${Object.keys(registry).sort().join(', ')})`);
          // A job may run differently on a worker (a platform crawl plans one job per unit).
          const onWorker = job.onWorker?.(kit);
          if (onWorker) return await run(() => onWorker.job, onWorker.params, bull, token);
          return await run(() => job as Job<Record<string, unknown>, object>, data.params ?? {}, bull, token);
        } catch (err) {
          if (err instanceof RateLimited) {
            log.warn({ queue: name, waitMs: Math.round(err.waitMs) }, 'rate-limited by the platform; pausing the queue until the reset');
            await worker.rateLimit(Math.ceil(err.waitMs));
            throw Worker.RateLimitError();
          }
          throw err;
        }
      },
      {
        connection,
        prefix,
        // Shown as the job's processedBy: which machine and process holds it.
        name: `${hostname()}:${process.pid}`,
        concurrency: opts.concurrency,
        limiter: opts.limiters?.[name],
        lockDuration: opts.lockDurationMs ?? 30_000,
        stalledInterval: opts.stalledIntervalMs ?? opts.lockDurationMs ?? 30_000,
        // A job whose worker died is retried, a few times: each retry resumes from its cursor.
        maxStalledCount: 5,
        autorun: true,
      },
    );
    worker.on('failed', (job, err) => log.error({ queue: name, job: job?.name, id: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'));
    worker.on('error', (err) => {
      // BullMQ renewing, or handing back, a job with a token its run no longer holds: the
      // run's own lease has decided already (lease.ts), and the job is the other run's.
      if (/^(could not renew lock for job|Missing lock for job|Lock mismatch for job)/.test(err.message)) log.debug({ queue: name, err: err.message }, 'BullMQ refused a lock this run no longer holds');
      else log.warn({ queue: name, err: err.message }, 'worker connection problem; retrying');
    });
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));

  return {
    workers,
    async close(force = false) {
      if (force) controller.abort(new Error('worker shutting down'));
      await Promise.all(workers.map((w) => w.close(force)));
      await Promise.all([...queues.values()].map((q) => q.close()));
      connection.disconnect();
      gateRedis.disconnect();
    },
  };
}
