// The in-process scheduler: cron runs recorded in `runs`, a job never overlapping itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim';
import { jobRegistry } from '../../jobs/registry';
import { startScheduler, validateSchedules } from '../../jobs/schedule';
import type { Job } from '../../jobs/types';
import { testStore } from '../helpers/store';
import { quiet, simConfig, smallSubreddits } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 4, scale: 'small' });
});
afterAll(async () => {
  await sim?.close();
});

describe('scheduler', () => {
  it('runs crawl:reddit on its cron, records each run, and never overlaps a slow job', async () => {
    const store = await testStore();
    const config = simConfig(sim, { reddit: { subreddits: smallSubreddits(sim, 1), comments: false, fetchAuthors: false } });
    // A job that takes longer than its one-second cron period.
    const slow: Job = {
      name: 'slow',
      description: 'sleeps 1.6 s',
      run: async () => {
        await new Promise((r) => setTimeout(r, 1600));
        return { slept: 1600 };
      },
    };
    const outcomes: string[] = [];
    const scheduler = startScheduler({
      store,
      config,
      log: quiet,
      registry: { ...jobRegistry(), slow },
      schedules: [
        { job: 'crawl:reddit', cron: '*/2 * * * * *' },
        { job: 'slow', cron: '* * * * * *' },
      ],
      onRun: (r) => outcomes.push(`${r.schedule.job}:${r.status}`),
    });
    try {
      expect(scheduler.entries.every((e) => e.next instanceof Date)).toBe(true);
      await new Promise((r) => setTimeout(r, 4500));
    } finally {
      await scheduler.stop();
    }
    try {
      const crawls = await store.runs.find({ job: 'crawl:reddit' });
      // stop() asks running jobs to stop (issue 15.2): a crawl still in flight then ends
      // cancelled; every other one succeeded.
      const done = crawls.filter((r) => r.status === 'succeeded');
      expect(done.length).toBeGreaterThanOrEqual(1);
      expect(crawls.filter((r) => r.trigger !== 'schedule' || (r.status !== 'succeeded' && r.status !== 'cancelled')).map((r) => `${r.trigger} ${r.status} ${r.error ?? ''}`)).toEqual([]);
      expect(crawls.filter((r) => r.status === 'cancelled').length).toBeLessThanOrEqual(1);
      expect(done[0].stats.requests).toBeGreaterThan(0);
      expect(await store.posts.count({ platform: 'reddit' })).toBeGreaterThan(0);
      const slowRuns = (await store.runs.find({ job: 'slow' })).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      expect(slowRuns.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < slowRuns.length; i++) expect(slowRuns[i].startedAt.getTime()).toBeGreaterThanOrEqual((slowRuns[i - 1].finishedAt as Date).getTime());
      expect(outcomes.filter((o) => o.startsWith('slow:')).length).toBe(slowRuns.length);
    } finally {
      await store.close();
    }
  }, 30_000);

  it('rejects unknown jobs and bad cron expressions up front', () => {
    expect(() => validateSchedules([{ job: 'crawl:myspace', cron: '* * * * *' }])).toThrow(/unknown job "crawl:myspace"/);
    expect(() => validateSchedules([{ job: 'crawl:all', cron: '61 * * * *' }])).toThrow(/invalid cron/);
    expect(() => validateSchedules([{ job: 'crawl:all', cron: '*/15 * * * *' }])).not.toThrow();
  });
});
