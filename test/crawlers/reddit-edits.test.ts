// 12.10 (Reddit): posts seen edited lately are read again when the next pass starts, so a
// later edit reaches the store although listings never bring an old post back; one
// /api/info request per unit, counted in the run's requests (and so in its budget).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../config/index';
import { RedditSource } from '../../crawlers/platforms/reddit/source';
import { type Simulator, startSimulator } from '../../sim';
import { testStore } from '../helpers/store';
import { crawl, REDDIT_ENV, simConfig, smallSubreddits } from './helpers';

let sim: Simulator;
let sub: string;
let config: Config;
let started: number;

beforeAll(async () => {
  sim = await startSimulator({ seed: 12, scale: 'small', rateLimits: { reddit: { limit: 100_000, windowMs: 60_000 } } });
  started = Date.now();
  sub = smallSubreddits(sim, 1)[0];
  config = simConfig(sim, { reddit: { subreddits: [sub], fetchAuthors: false } });
});
afterAll(async () => {
  await sim?.close();
});

// The crawler's clock is the simulated world's (its posts are dated by it).
const source = () =>
  new RedditSource({
    config,
    now: () => new Date(sim.world.now + (Date.now() - started)),
    credentials: { clientId: REDDIT_ENV.REDDIT_CLIENT_ID, clientSecret: REDDIT_ENV.REDDIT_CLIENT_SECRET, username: 'sim_user', password: 'sim-password' },
  });

describe('reddit edits', () => {
  it('re-reads posts edited lately on the next pass and stores their new text, within one request', async () => {
    const store = await testStore();
    try {
      const s = sim.world.reddit.submissions.find((x) => x.subreddit === sub && !x.deleted && !x.linkUrl) as (typeof sim.world.reddit.submissions)[number];
      const c = sim.world.reddit.comments.find((x) => x.subreddit === sub && !x.deleted && x.linkId !== s.id) as (typeof sim.world.reddit.comments)[number];
      expect(s && c).toBeTruthy();
      sim.reddit.sim.editItem(`t3_${s.id}`, 'first edit of the submission');
      sim.reddit.sim.editItem(`t1_${c.id}`, 'first edit of the comment');
      const first = await crawl(source(), store);
      expect(first.errorMessages).toEqual([]);
      expect(await store.posts.get(`reddit:t3_${s.id}`)).toMatchObject({ text: 'first edit of the submission' });
      const stored = await store.posts.get(`reddit:t1_${c.id}`);
      expect(stored?.text).toBe('first edit of the comment');
      expect(stored?.editedAt).toBeInstanceOf(Date);
      // Listed in the unit's cursor for the next pass.
      expect(
        String((await store.crawlState.get(`reddit:r/${sub}:new`))?.extra?.edited)
          .split(',')
          .sort(),
      ).toEqual([`t1_${c.id}`, `t3_${s.id}`].sort());

      // Edited again between the passes: listings show nothing new.
      sim.reddit.sim.editItem(`t3_${s.id}`, 'second edit of the submission');
      sim.reddit.sim.editItem(`t1_${c.id}`, 'second edit of the comment');
      sim.resetStats();
      const second = await crawl(source(), store);
      expect(second.errorMessages).toEqual([]);
      expect(second.new).toBe(0);
      expect(await store.posts.get(`reddit:t3_${s.id}`)).toMatchObject({ text: 'second edit of the submission' });
      expect(await store.posts.get(`reddit:t1_${c.id}`)).toMatchObject({ text: 'second edit of the comment' });
      // One /api/info for both, one listing page.
      const api = sim.stats().log.filter((r) => r.platform === 'reddit' && r.endpoint !== 'POST /api/v1/access_token');
      expect(api.map((r) => r.endpoint).sort()).toEqual(['GET /api/info', 'GET /r/{sub}/new']);
      expect(second.requests - 1).toBeLessThanOrEqual(api.length); // and the token
    } finally {
      await store.close();
    }
  });
});
