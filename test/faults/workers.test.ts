// Two `ringwatch worker` processes crawling one Reddit credential through Redis: together
// they stay inside the credential's limit and use nearly all of it; a worker SIGKILLed
// mid-crawl loses nothing (its unit is retried by the other from the saved cursor) and the
// store ends up as an uninterrupted crawl's.
import type { ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisConnection } from '../../jobs/distributed/queues';
import { enqueueJob } from '../../jobs/distributed/schedule';
import { countsPerFixedWindow, maxInSlidingWindow } from '../../sim/index';
import { type Cluster, crawlSnapshot, dropDatabase, newDatabase, startCluster } from './cluster';

const LIMIT = 30;
const WINDOW = 1000;
const CLIENT = 'sim-reddit-client';

describe('workers sharing one credential', () => {
  let c: Cluster;
  const refDb = newDatabase();
  let reference: Promise<void>;

  beforeAll(async () => {
    c = await startCluster(
      { seed: 11, scale: 'small', rateLimits: { reddit: { limit: LIMIT, windowMs: WINDOW } } },
      { subreddits: ['gadgets', 'headphones', 'fitness'], fetchAuthors: true },
    );
    // The uninterrupted crawl, in this process with the second client's own budget.
    reference = (await c.reference(refDb, 1)).done;
  });
  afterAll(async () => {
    await c?.close();
  });

  it('two workers stay within N requests per window together and use ≥ 90% of it', async () => {
    const db = newDatabase();
    const store = await c.store(db);
    const workers = await Promise.all([c.spawnWorker(db, ['--concurrency', '2']), c.spawnWorker(db, ['--concurrency', '2'])]);
    c.sim.resetStats();
    await enqueueJob(c.redis.url, 'crawl:reddit', {}, c.prefix);
    await c.waitIdle(60_000);
    for (const w of workers) w.kill('SIGTERM');
    const log = c.sim.stats().log.filter((r) => r.platform === 'reddit' && r.client === CLIENT && !r.endpoint.includes('access_token'));
    expect(log.length).toBeGreaterThan(4 * LIMIT);
    expect(log.filter((r) => r.status === 429)).toHaveLength(0);
    expect(maxInSlidingWindow(log, WINDOW)).toBeLessThanOrEqual(LIMIT);
    const windows = [...countsPerFixedWindow(log, WINDOW).entries()].sort((a, b) => a[0] - b[0]);
    for (const [, n] of windows) expect(n).toBeLessThanOrEqual(LIMIT);
    // Utilisation in the windows between the first and the last (both partial).
    const middle = windows.slice(1, -1).map(([, n]) => n);
    expect(middle.length).toBeGreaterThanOrEqual(3);
    const used = middle.reduce((a, b) => a + b, 0) / (LIMIT * middle.length);
    console.log(`two workers: ${log.length} requests, ${windows.length} windows, utilisation ${(used * 100).toFixed(1)}%, max per window ${Math.max(...windows.map(([, n]) => n))}`);
    expect(used).toBeGreaterThanOrEqual(0.9);
    await reference;
    const ref = await c.store(refDb);
    expect(await crawlSnapshot(store)).toEqual(await crawlSnapshot(ref));
    await dropDatabase(store);
    await ref.close();
  });

  it('a worker SIGKILLed mid-crawl loses nothing: its unit is picked up by the other from its cursor', async () => {
    const db = newDatabase();
    // One page per job step, so units span several jobs steps and the kill lands mid-unit.
    const args = ['--concurrency', '3', '--pages-per-batch', '1'];
    const store = await c.store(db);
    const victim: ChildProcess = await c.spawnWorker(db, args);
    const conn = redisConnection(c.redis.url);
    const queue = new Queue('crawl-reddit', { connection: conn, prefix: c.prefix });
    try {
      await enqueueJob(c.redis.url, 'crawl:reddit', {}, c.prefix);
      // Wait until the victim holds a unit job that has stored at least one page.
      let held: string[] = [];
      for (let i = 0; i < 200 && held.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const cursors = await store.crawlState.count({});
        const active = await queue.getActive();
        if (cursors > 0) held = active.filter((j) => j.data.unit && j.processedBy?.endsWith(`:${victim.pid}`)).map((j) => String(j.id));
      }
      expect(held.length).toBeGreaterThan(0);
      victim.kill('SIGKILL');
      const survivor = await c.spawnWorker(db, args);
      await c.waitIdle(90_000);
      survivor.kill('SIGTERM');
      // The killed worker's jobs stalled and were finished by the survivor.
      for (const id of held) {
        const job = await queue.getJob(id);
        expect(job, `job ${id}`).toBeDefined();
        expect(await job?.getState()).toBe('completed');
        expect(job?.stalledCounter).toBeGreaterThanOrEqual(1);
        expect(job?.processedBy).toMatch(new RegExp(`:${survivor.pid}$`));
      }
      await reference;
      const ref = await c.store(refDb);
      const got = await crawlSnapshot(store);
      expect(got.posts.length).toBeGreaterThan(200);
      expect(got).toEqual(await crawlSnapshot(ref));
      await ref.close();
      await dropDatabase(store);
    } finally {
      await queue.close();
      conn.disconnect();
    }
  });
});
