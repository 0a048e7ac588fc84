// The BullMQ queues ringwatch uses when REDIS_URL is set: one per platform (each platform's
// credentials have their own limits, so a slow platform never holds up another) and one
// per analysis stage. Each job declares its queue (`Job.queue`); the list is theirs.
import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { joinWords } from '../../crawlers/platforms/registry';
import { jobRegistry } from '../registry';

/** "crawl-<id>" for each registered platform, or an analysis stage's queue. */
export type QueueName = string;

/** Every queue a job declares, in registry order: one per registered platform, then the analysis stages'. */
export function queueNames(): QueueName[] {
  return [...new Set(Object.values(jobRegistry()).flatMap((j) => (j.queue ? [j.queue] : [])))];
}

/** Default key prefix; tests use their own so suites sharing a Redis do not meet. */
export const DEFAULT_PREFIX = 'ringwatch';

/** The payload of every ringwatch BullMQ job. */
export interface QueuedJob {
  /** Registry job name, e.g. "crawl:reddit", "enrich", "detect", "report:weekly". */
  job: string;
  params: Record<string, unknown>;
  /** Crawl unit jobs: the unit and how many batches it has run (for logs and tests). */
  unit?: { id: string; label: string; platform: string; batch: number };
}

/** The queue a job declares: crawl:reddit → crawl-reddit, enrich → enrich, report:weekly → reports. */
export function queueFor(job: string): QueueName {
  const declared = jobRegistry()[job];
  if (declared?.queue) return declared.queue;
  if (declared?.parts) throw new Error(`no queue for job "${job}": it runs as ${joinWords(declared.parts(), 'or')}`);
  throw new Error(`no queue for job "${job}" (queues: ${queueNames().join(', ')})`);
}

export function parseQueues(list: string | undefined): QueueName[] {
  const known = queueNames();
  if (!list) return known;
  const out: QueueName[] = [];
  for (const raw of list.split(',')) {
    const q = raw.trim();
    if (!q) continue;
    if (!known.includes(q)) throw new Error(`unknown queue "${q}" (queues: ${known.join(', ')})`);
    out.push(q);
  }
  if (out.length === 0) throw new Error('--queues lists no queue');
  return out;
}

/**
 * A Redis connection for BullMQ: workers block on Redis, so commands must wait for a
 * reconnect rather than fail (maxRetriesPerRequest null), and reconnects back off to 2 s.
 */
export function redisConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    ...extra,
  });
}

/** A unit id as a BullMQ job id (custom ids may not contain ":"). */
export function unitJobId(unitId: string): string {
  return `unit-${Buffer.from(unitId).toString('base64url')}`;
}

export function openQueues(connection: Redis, prefix = DEFAULT_PREFIX, names: readonly QueueName[] = queueNames()): Map<QueueName, Queue<QueuedJob>> {
  return new Map(names.map((n) => [n, new Queue<QueuedJob>(n, { connection, prefix })]));
}
