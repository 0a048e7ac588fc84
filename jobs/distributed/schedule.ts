// `ringwatch schedule` with REDIS_URL set: the configured schedules become BullMQ job
// schedulers (repeatable jobs kept in Redis), so any number of `ringwatch worker`
// processes share the work and a schedule fires once however many workers run.
// Without REDIS_URL the in-process scheduler (jobs/schedule.ts) runs the same jobs.
import type { Logger } from 'pino';
import type { Config } from '../../config/index';
import { checkJobParams } from '../params';
import { findJob, jobRegistry } from '../registry';
import { DEFAULT_PREFIX, openQueues, queueFor, type QueueName, redisConnection } from './queues';
import { JOB_OPTIONS } from './worker';

export interface RedisScheduleOptions {
  redisUrl: string;
  config: Config;
  log: Logger;
  prefix?: string;
  /** Also queue every scheduled job once, now. */
  now?: boolean;
}

export interface RedisScheduleResult {
  schedulers: { id: string; job: string; cron: string; queue: QueueName }[];
  removed: string[];
  queuedNow: number;
}

/** Scheduler ids are stable per (job, position) so re-running `schedule` updates, not duplicates. */
export function schedulerId(job: string, index: number): string {
  return `schedule-${index}-${job.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export async function scheduleOnRedis(opts: RedisScheduleOptions): Promise<RedisScheduleResult> {
  const { config } = opts;
  // Fail on an unknown job name before touching Redis.
  // crawl:all is one scheduler per platform queue (each platform has its own workers and limits).
  const planned = config.schedules.flatMap((s, i) =>
    (jobRegistry()[s.job]?.parts?.() ?? [s.job]).map((job) => ({ id: schedulerId(job, i), job, cron: s.cron, params: s.params ?? {}, queue: queueFor(job) })),
  );
  const connection = redisConnection(opts.redisUrl, { maxRetriesPerRequest: 3 });
  const queues = openQueues(connection, opts.prefix ?? DEFAULT_PREFIX);
  try {
    const removed: string[] = [];
    const wanted = new Set(planned.map((p) => p.id));
    for (const q of queues.values()) {
      for (const s of await q.getJobSchedulers()) {
        if (s.key && !wanted.has(s.key)) {
          await q.removeJobScheduler(s.key);
          removed.push(s.key);
        }
      }
    }
    for (const p of planned) {
      const q = queues.get(p.queue);
      await q?.upsertJobScheduler(p.id, { pattern: p.cron }, { name: p.job, data: { job: p.job, params: p.params }, opts: JOB_OPTIONS });
    }
    let queuedNow = 0;
    if (opts.now) {
      for (const p of planned) {
        await queues.get(p.queue)?.add(p.job, { job: p.job, params: p.params }, JOB_OPTIONS);
        queuedNow++;
      }
    }
    opts.log.info({ schedulers: planned.length, removed: removed.length, queuedNow }, 'schedules stored in Redis; `ringwatch worker` runs them');
    return { schedulers: planned.map(({ id, job, cron, queue }) => ({ id, job, cron, queue })), removed, queuedNow };
  } finally {
    await Promise.all([...queues.values()].map((q) => q.close()));
    connection.disconnect();
  }
}

/** Queues one job now (e.g. `crawl:reddit`) for the workers, its params checked against the job's schema first. */
export async function enqueueJob(redisUrl: string, job: string, params: Record<string, unknown> = {}, prefix = DEFAULT_PREFIX, config?: Config): Promise<string> {
  if (config) checkJobParams(findJob(job), params, { config, trigger: 'worker' });
  const connection = redisConnection(redisUrl, { maxRetriesPerRequest: 3 });
  const [queue] = openQueues(connection, prefix, [queueFor(job)]).values();
  try {
    const added = await queue.add(job, { job, params }, JOB_OPTIONS);
    return String(added.id);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
