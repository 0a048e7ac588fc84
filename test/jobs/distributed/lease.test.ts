// A run's lease on its queue job, against a real Redis and BullMQ's own locks: it keeps the
// lock alive past the lock duration on its own token, and once another worker holds the lock
// the run learns it at the next check (and its signal aborts) instead of writing on.
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobLease, LeaseLost } from '../../../jobs/distributed/lease';
import { redisConnection } from '../../../jobs/distributed/queues';
import { startRedis, type TestRedis } from '../../helpers/redis';

const LOCK_MS = 400;

describe('JobLease', () => {
  let redis: TestRedis;
  let conn: Redis;
  let queue: Queue;
  let worker: Worker;
  const prefix = `lease${Date.now()}`;

  beforeAll(async () => {
    redis = await startRedis();
    conn = redisConnection(redis.url);
    queue = new Queue('lease-test', { connection: conn, prefix });
    // A worker without a processor: jobs are taken by hand, as a processor would get them.
    worker = new Worker('lease-test', null, { connection: redisConnection(redis.url), prefix, lockDuration: LOCK_MS });
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    conn?.disconnect();
    redis?.dispose();
  });

  const lockKey = (id: string) => `${prefix}:lease-test:${id}:lock`;

  it('holds the lock on its own token past the lock duration, and stops when another owns it', async () => {
    await queue.add('unit', {}, { jobId: 'j1' });
    const token = 'run-1-token';
    const job = await worker.getNextJob(token);
    expect(job?.id).toBe('j1');
    if (!job) return;
    const lost: string[] = [];
    const lease = new JobLease(job, token, LOCK_MS, (e) => lost.push(e.jobId)).start();
    await new Promise((r) => setTimeout(r, LOCK_MS * 3));
    expect(await conn.get(lockKey('j1'))).toBe(token);
    await lease.check();
    expect(lease.signal.aborted).toBe(false);

    // The job went back to the queue and another run took it with its own token.
    await conn.set(lockKey('j1'), 'run-2-token', 'PX', LOCK_MS);
    const err = await lease.check().catch((e) => e);
    expect(err).toBeInstanceOf(LeaseLost);
    expect(lease.signal.aborted).toBe(true);
    expect(lost).toEqual(['j1']);
    // The lease never renews the other run's lock with its own token, and keeps saying no.
    expect(await conn.get(lockKey('j1'))).toBe('run-2-token');
    await expect(lease.check()).rejects.toBeInstanceOf(LeaseLost);
    lease.stop();
  });

  it('notices a lapsed lock on its timer, without a check', async () => {
    await queue.add('unit', {}, { jobId: 'j2' });
    const token = 'run-3-token';
    const job = await worker.getNextJob(token);
    if (!job) throw new Error('no job');
    const lease = new JobLease(job, token, LOCK_MS).start();
    await conn.del(lockKey('j2'));
    await new Promise((r) => setTimeout(r, LOCK_MS));
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toBeInstanceOf(LeaseLost);
    lease.stop();
  });
});
