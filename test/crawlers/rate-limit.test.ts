// The rate gate against the simulator's real limits: no self-caused 429s, ≥ 90 % of the
// allowed requests used over a long crawl, a 429 storm waited out rather than hammered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsPerFixedWindow, maxInSlidingWindow, type Simulator, startSimulator } from '../../sim';
import { RedditSource } from '../../crawlers/platforms/reddit/source';
import { TwitterSource } from '../../crawlers/platforms/twitter/source';
import { REDDIT_HEADERS } from '../../crawlers/platforms/reddit/rate-headers';
import { X_HEADERS } from '../../crawlers/platforms/twitter/rate-headers';
import { readWindow } from '../../crawlers/rate-gate';
import { testStore } from '../helpers/store';
import { crawl, REDDIT_ENV, simConfig } from './helpers';

const LIMIT = 10;
const WINDOW = 1000;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 5,
    scale: 'small',
    rateLimits: { reddit: { limit: LIMIT, windowMs: WINDOW }, twitter: { windowMs: WINDOW, perEndpoint: { 'GET /2/tweets/search/recent': 4 } } },
  });
});
afterAll(async () => {
  await sim?.close();
});

const creds = { clientId: REDDIT_ENV.REDDIT_CLIENT_ID, clientSecret: REDDIT_ENV.REDDIT_CLIENT_SECRET, username: 'sim_user', password: 'sim-password' };

describe('rate gate', () => {
  it('Reddit: never over the limit, at least 90 % of it used over ~7 s', async () => {
    const store = await testStore();
    try {
      const config = simConfig(sim, { reddit: { subreddits: sim.world.subreddits, rateWindowSec: WINDOW / 1000 } });
      sim.resetStats();
      const report = await crawl(new RedditSource({ config, credentials: creds }), store, { budget: { max: 70, used: 0 } });
      expect(report.stoppedBy).toBe('budget');
      const log = sim.stats().log.filter((r) => r.platform === 'reddit' && r.endpoint !== 'POST /api/v1/access_token');
      expect(log.filter((r) => r.status === 429)).toHaveLength(0);
      expect(report.rateLimited).toBe(0);
      expect(Math.max(...countsPerFixedWindow(log, WINDOW).values())).toBeLessThanOrEqual(LIMIT);
      const span = log[log.length - 1].t - log[0].t;
      // Requests made over requests allowed in the time taken.
      const utilisation = (log.length - 1) / ((span / WINDOW) * LIMIT);
      expect(utilisation).toBeGreaterThanOrEqual(0.9);
    } finally {
      await store.close();
    }
  }, 30_000);

  it('X: the search endpoint running out (remaining=0) does not end the crawl; all pages arrive, no 429', async () => {
    const store = await testStore();
    try {
      const config = simConfig(sim, { twitter: { rateWindowSec: WINDOW / 1000 } });
      // Everything a search for "the" reaches, paged by hand without any rate limit concerns.
      const fresh = await startSimulator({ seed: 5, scale: 'small', rateLimits: { twitter: { limit: 100_000 } } });
      const want = new Set<string>();
      let token: string | undefined;
      do {
        const u = new URL('tweets/search/recent', fresh.twitter.baseUrl);
        u.searchParams.set('query', 'the');
        u.searchParams.set('max_results', '100');
        if (token) u.searchParams.set('next_token', token);
        const body = (await (await fetch(u, { headers: { authorization: 'Bearer sim-x-bearer-token' } })).json()) as { data?: { id: string }[]; meta: { next_token?: string } };
        for (const t of body.data ?? []) want.add(`twitter:${t.id}`);
        token = body.meta.next_token;
      } while (token);
      await fresh.close();
      expect(want.size).toBeGreaterThan(400);

      sim.resetStats();
      const report = await crawl(new TwitterSource({ config, bearerToken: 'sim-x-bearer-token', queries: ['the'] }), store, { deletionSyncDays: 0 });
      expect(report.errorMessages).toEqual([]);
      const stored = new Set((await store.posts.find({ platform: 'twitter' }, { projection: { _id: 1 } })).map((p) => p._id));
      expect(stored).toEqual(want);
      const log = sim.stats().log.filter((r) => r.endpoint === 'GET /2/tweets/search/recent');
      expect(log.length).toBeGreaterThan(4);
      expect(log.filter((r) => r.status === 429)).toHaveLength(0);
      expect(maxInSlidingWindow(log, WINDOW)).toBeLessThanOrEqual(4);
      expect((await store.crawlState.get('twitter:search:the'))?.backfillDone).toBe(true);
    } finally {
      await store.close();
    }
  }, 30_000);

  it('a 429 storm is waited out, not hammered', async () => {
    const store = await testStore();
    try {
      const config = simConfig(sim, { reddit: { subreddits: sim.world.subreddits.slice(0, 2), comments: false, fetchAuthors: false, rateWindowSec: WINDOW / 1000 } });
      sim.resetStats();
      sim.setFaults({ storm429: { durationMs: 2500 } }, 'reddit');
      const t0 = Date.now();
      const report = await crawl(new RedditSource({ config, credentials: creds, pageSize: 25 }), store);
      sim.setFaults({}, 'reddit');
      expect(report.errorMessages).toEqual([]);
      expect(report.rateLimited).toBeGreaterThan(0);
      const storm = sim.stats().log.filter((r) => r.platform === 'reddit' && r.status === 429);
      // Each 429 says when the storm's window ends; the gate waits for it instead of retrying at once.
      expect(storm.length).toBeLessThanOrEqual(4);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
      expect(await store.posts.count({ platform: 'reddit' })).toBeGreaterThan(0);
    } finally {
      sim.setFaults({}, 'reddit');
      await store.close();
    }
  }, 30_000);

  it('reads both platforms\' headers, X with a clock offset', () => {
    const now = 1_000_000;
    expect(readWindow(REDDIT_HEADERS, { 'x-ratelimit-remaining': '7.0', 'x-ratelimit-used': '3', 'x-ratelimit-reset': '2' }, now, 0)).toEqual({ remaining: 7, limit: 10, resetLo: now + 1000, resetHi: now + 2000 });
    // Server clock 30 s ahead: its epoch reset maps back to local time.
    const r = readWindow(X_HEADERS, { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String((now + 30_000 + 5000) / 1000) }, now, 30_000);
    expect(r.remaining).toBe(0);
    expect(r.resetLo).toBe(now + 4000);
    expect(r.resetHi).toBe(now + 6000);
  });
});
