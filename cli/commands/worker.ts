// `ringwatch worker` (BullMQ worker process) and `ringwatch enqueue <job>`: the jobs of
// the pipeline spread over many processes and machines through one Redis (REDIS_URL).
import type { Command } from 'commander';
import { parseQueues, type QueueName, queueNames } from '../../jobs/distributed/queues';
import { enqueueJob, scheduleOnRedis } from '../../jobs/distributed/schedule';
import { type Limiter, startWorkers } from '../../jobs/distributed/worker';
import type { CliDeps } from '../context';
import { output, printTable } from '../output';

const positive = (name: string) => (v: string) => {
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n) || n < 1 || String(n) !== v.trim()) throw new Error(`${name} must be a whole number ≥ 1, not "${v}"`);
  return n;
};

/** "crawl-reddit=600/600000" (max jobs per duration in ms), repeatable. */
export function parseLimiter(v: string, prev: Partial<Record<QueueName, Limiter>> = {}): Partial<Record<QueueName, Limiter>> {
  const m = /^([a-z-]+)=(\d+)\/(\d+)$/.exec(v.trim());
  if (!m) throw new Error(`--limit "${v}": use <queue>=<max jobs>/<duration ms>, e.g. crawl-reddit=100/60000`);
  const [q] = parseQueues(m[1]);
  const max = Number(m[2]);
  const duration = Number(m[3]);
  if (max < 1 || duration < 1) throw new Error(`--limit "${v}": max and duration must be ≥ 1`);
  return { ...prev, [q]: { max, duration } };
}

/** Key prefix of ringwatch's queues in Redis (several deployments can share one Redis). */
export const redisPrefix = () => process.env.RINGWATCH_REDIS_PREFIX || undefined;

function redisUrl(deps: CliDeps): string {
  const url = deps.config().secrets.redisUrl;
  if (!url) throw new Error('REDIS_URL is not set: workers take their jobs from Redis (e.g. REDIS_URL=redis://127.0.0.1:6379; `bash scripts/redis.sh start` starts a local one)');
  return url;
}

export function register(program: Command, deps: CliDeps) {
  program
    .command('worker')
    .description('process queued jobs from Redis (REDIS_URL) until stopped: crawls per platform within shared rate limits, enrich, detect, reports')
    .option('--queues <list>', `comma-separated: ${queueNames().join(', ')} (default all)`)
    .option('--concurrency <n>', 'jobs at once per queue in this process', positive('--concurrency'), 2)
    .option('--pages-per-batch <n>', 'pages a crawl unit job fetches before going back to the queue', positive('--pages-per-batch'), 5)
    .option('--limit <queue=max/ms>', "BullMQ queue limiter: at most max jobs start per ms over all workers (repeatable); request limits are enforced per credential regardless", parseLimiter, {})
    .option('--lock-ms <ms>', "job lock; a dead worker's job is retried by another after about this long", positive('--lock-ms'), 30_000)
    .action(async (opts: { queues?: string; concurrency: number; pagesPerBatch: number; limit: Partial<Record<QueueName, Limiter>>; lockMs: number }) => {
      const url = redisUrl(deps);
      const queues = parseQueues(opts.queues);
      const log = deps.log();
      await deps.withStore(async (store) => {
        const handle = await startWorkers({
          redisUrl: url,
          prefix: redisPrefix(),
          queues,
          concurrency: opts.concurrency,
          pagesPerBatch: opts.pagesPerBatch,
          limiters: opts.limit,
          lockDurationMs: opts.lockMs,
          store,
          config: deps.config(),
          log,
        });
        log.info({ queues, concurrency: opts.concurrency, pid: process.pid }, 'worker ready');
        process.stderr.write(`ringwatch worker ${process.pid}: serving ${queues.join(', ')} (Ctrl-C to stop after the jobs in hand)\n`);
        await new Promise<void>((resolve) => {
          let stopping = false;
          const stop = (force: boolean) => {
            if (stopping) force = true;
            stopping = true;
            void handle.close(force).then(resolve, resolve);
          };
          process.once('SIGINT', () => stop(false));
          process.once('SIGTERM', () => stop(false));
          process.on('SIGINT', () => stop(true));
        });
      });
    });

  program
    .command('enqueue <job>')
    .description('queue one job now for the workers (e.g. crawl:reddit, enrich, detect); needs REDIS_URL')
    .option('--params <json>', 'job parameters as a JSON object', '{}')
    .action(async (job: string, opts: { params: string }) => {
      let params: unknown;
      try {
        params = JSON.parse(opts.params);
      } catch {
        throw new Error(`--params is not JSON: ${opts.params}`);
      }
      if (!params || typeof params !== 'object' || Array.isArray(params)) throw new Error('--params must be a JSON object');
      const id = await enqueueJob(redisUrl(deps), job, params as Record<string, unknown>, redisPrefix(), deps.config());
      output(program.opts().json, { job, id }, () => console.log(`queued ${job} as job ${id}`));
    });
}

/**
 * `ringwatch schedule` with REDIS_URL set: stores the schedules as BullMQ job schedulers
 * (workers run them) and exits. Returns false without REDIS_URL (run in-process instead).
 */
export async function scheduleThroughRedis(program: Command, deps: CliDeps, opts: { now?: boolean } = {}): Promise<boolean> {
  const config = deps.config();
  const url = config.secrets.redisUrl;
  if (!url) return false;
  const r = await scheduleOnRedis({ redisUrl: url, config, log: deps.log(), now: opts.now, prefix: redisPrefix() });
  output(program.opts().json, r, () => {
    printTable(r.schedulers.map((s) => ({ job: s.job, cron: s.cron, queue: s.queue, scheduler: s.id })));
    if (r.removed.length) console.log(`removed schedulers no longer configured: ${r.removed.join(', ')}`);
    if (r.queuedNow) console.log(`queued ${r.queuedNow} jobs to run now`);
    console.log('Schedules are stored in Redis; start `ringwatch worker` processes to run them.');
  });
  return true;
}
