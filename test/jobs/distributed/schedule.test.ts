// `ringwatch schedule` with REDIS_URL: the configured schedules become BullMQ job
// schedulers on the platform and stage queues, idempotently, and stale ones go.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueues, redisConnection } from '../../../jobs/distributed/queues';
import { scheduleOnRedis } from '../../../jobs/distributed/schedule';
import { testConfig } from '../../helpers/store';
import { startRedis, type TestRedis } from '../../helpers/redis';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.dispose());

async function schedulers(prefix: string) {
  const connection = redisConnection(redis.url);
  const queues = openQueues(connection, prefix);
  try {
    const out: Record<string, string[]> = {};
    for (const [name, q] of queues) {
      const keys = (await q.getJobSchedulers()).map((s) => `${s.key} ${s.pattern}`).sort();
      if (keys.length) out[name] = keys;
    }
    return out;
  } finally {
    await Promise.all([...queues.values()].map((q) => q.close()));
    connection.disconnect();
  }
}

describe('schedules on Redis', () => {
  it('stores one scheduler per platform for crawl:all, updates in place, removes stale ones', async () => {
    const prefix = `t${Date.now()}`;
    const log = pino({ level: 'silent' });
    const config = testConfig({ overrides: { schedules: [{ job: 'crawl:all', cron: '*/15 * * * *' }, { job: 'detect', cron: '0 * * * *' }] } });
    const first = await scheduleOnRedis({ redisUrl: redis.url, config, log, prefix });
    expect(first.schedulers.map((s) => s.job).sort()).toEqual(['crawl:reddit', 'crawl:twitter', 'crawl:web', 'detect']);
    const stored = await schedulers(prefix);
    expect(Object.keys(stored).sort()).toEqual(['crawl-reddit', 'crawl-twitter', 'crawl-web', 'detect']);

    // Running schedule again changes nothing; dropping a schedule removes its scheduler.
    await scheduleOnRedis({ redisUrl: redis.url, config, log, prefix });
    expect(await schedulers(prefix)).toEqual(stored);
    const fewer = testConfig({ overrides: { schedules: [{ job: 'detect', cron: '30 * * * *' }] } });
    const third = await scheduleOnRedis({ redisUrl: redis.url, config: fewer, log, prefix });
    expect(third.removed.length).toBe(4);
    const after = await schedulers(prefix);
    expect(Object.keys(after)).toEqual(['detect']);
    expect(after.detect[0]).toContain('30 * * * *');
  });

  it('refuses an unknown job before touching Redis', async () => {
    const config = testConfig({ overrides: { schedules: [{ job: 'crawl:myspace', cron: '*/5 * * * *' }] } });
    await expect(scheduleOnRedis({ redisUrl: 'redis://127.0.0.1:1', config, log: pino({ level: 'silent' }) })).rejects.toThrow(/crawl:myspace/);
  });
});
