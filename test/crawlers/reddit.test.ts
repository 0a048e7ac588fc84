// Reddit end to end against the simulator: exact store contents, incremental crawl,
// deletion sync, dry run, User-Agent, failures that never move a cursor past an unstored page.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { main } from '../../cli/main';
import type { Config } from '../../config/index';
import { checkUserAgent, MORE_REQUESTS_PER_THREAD, RedditSource } from '../../crawlers/platforms/reddit/source';
import { crawlJob } from '../../jobs/crawl';
import { runJob } from '../../jobs/runner';
import { type Simulator, startSimulator } from '../../sim';
import { testStore } from '../helpers/store';
import { crawl, expectedReddit, quiet, REDDIT_ENV, simConfig, smallSubreddits, storedPosts } from './helpers';

let sim: Simulator;
let subs: string[];
let config: Config;

beforeAll(async () => {
  sim = await startSimulator({ seed: 11, scale: 'small', rateLimits: { reddit: { limit: 100_000, windowMs: 60_000 } } });
  subs = smallSubreddits(sim, 2);
  config = simConfig(sim, { reddit: { subreddits: subs } });
});
afterAll(async () => {
  await sim?.close();
});

/** A new submission by deep_poster with a chain of `n` replies, each answering the one before ("reply <i>"). */
function replyChain(sub: string, n: number, author: (i: number) => string) {
  const link = sim.reddit.sim.addSubmission({ subreddit: sub, author: 'deep_poster', title: 'A long argument', selftext: 'go' });
  let parent = `t3_${link.id}`;
  const chain: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = sim.reddit.sim.addComment({ parent, author: author(i), body: `reply ${i}` });
    chain.push(`reddit:t1_${c.id}`);
    parent = `t1_${c.id}`;
  }
  return { link, chain };
}

const source = (c: Config = config, pageSize?: number) =>
  new RedditSource({
    config: c,
    pageSize,
    credentials: { clientId: REDDIT_ENV.REDDIT_CLIENT_ID, clientSecret: REDDIT_ENV.REDDIT_CLIENT_SECRET, username: 'sim_user', password: 'sim-password' },
  });

describe('reddit crawl', () => {
  it('stores exactly the simulated submissions and comments, deleted ones marked, then stops at seen items and syncs deletions', async () => {
    const store = await testStore();
    try {
      const first = await crawl(source(), store);
      expect(first.errorMessages).toEqual([]);
      expect(first.rateLimited).toBe(0);
      const expected = expectedReddit(sim, subs);
      const stored = await storedPosts(store, 'reddit');
      expect(stored).toEqual(expected);
      expect([...expected.values()].some((d) => d)).toBe(true);
      // Accounts come with their creation time from /user/{name}/about.
      const acc = await store.accounts.find({ platform: 'reddit' });
      expect(acc.length).toBeGreaterThan(10);
      expect(acc.every((a) => a.createdAt instanceof Date)).toBe(true);
      // Every request carried Reddit's User-Agent format.
      expect(
        sim
          .stats()
          .log.filter((r) => r.platform === 'reddit')
          .every((r) => r.userAgent === config.reddit.userAgent),
      ).toBe(true);

      // Incremental: one new submission; the next crawl fetches one listing page per subreddit and stops at what it has.
      const victim = [...expected.entries()].find(([id, d]) => !d && id.startsWith('reddit:t3_'))?.[0] as string;
      const before = (await store.posts.get(victim))!;
      const added = sim.reddit.sim.addSubmission({ subreddit: subs[0], author: 'late_poster', title: 'Just arrived', selftext: 'new one' });
      sim.reddit.sim.deleteItem(victim.replace('reddit:', ''), 'deleted');
      const second = await crawl(source(), store, { deletionSyncDays: 365 });
      expect(second.errorMessages).toEqual([]);
      expect(second.new).toBe(1);
      expect(second.duplicates).toBe(0);
      expect(await store.posts.get(`reddit:t3_${added.id}`)).toMatchObject({ author: 'late_poster', title: 'Just arrived' });
      // Deletion sync: marked deleted, author and text kept for the analysts.
      const after = (await store.posts.get(victim))!;
      expect(after.deleted).toBe(true);
      expect(after.author).toBe(before.author);
      expect(after.text).toBe(before.text);
      expect(second.deleted).toBeGreaterThanOrEqual(1);
    } finally {
      await store.close();
    }
  });

  it('a failing page is retried, then reported, and the cursor stays at the last stored page', async () => {
    const store = await testStore();
    const big = subs.slice(0, 1);
    const c = simConfig(sim, { reddit: { subreddits: big, comments: false, fetchAuthors: false }, crawl: { maxRetries: 2 } });
    try {
      // Page 1 answers, every later page fails: set before the crawl, because the unit reads
      // pages ahead of the writer and a fault switched on after page 1 is stored can come
      // too late (the listing can be fetched to its end by then).
      sim.setFaults({ error5xx: { probability: 1 }, pathPattern: '/new', afterRequests: 1 }, 'reddit');
      const failed = await crawl(source(c, 10), store);
      sim.setFaults({}, 'reddit');
      expect(failed.errors).toBe(1);
      expect(failed.retries).toBe(2);
      expect(failed.errorMessages[0]).toMatch(/gave up after 3 failed tries; last: HTTP 503/);
      const cursor = (await store.crawlState.get(`reddit:r/${big[0]}:new`))!;
      const stored = await store.posts.find({ platform: 'reddit' }, { projection: { _id: 1, createdAt: 1 } });
      expect(stored.length).toBe(10);
      // The cursor is the last stored item: nothing beyond it was skipped.
      const oldest = stored.reduce((a, b) => (a.createdAt < b.createdAt ? a : b));
      expect(cursor.after).toBe(oldest._id.replace('reddit:', ''));
      expect(cursor.backfillDone).toBe(false);

      // Malformed JSON and connection resets are retried; the resumed crawl completes exactly.
      sim.setFaults({ malformed: { everyNth: 3, mode: 'truncate' }, reset: { everyNth: 5 }, pathPattern: '/new' }, 'reddit');
      const resumed = await crawl(source(c, 10), store);
      sim.setFaults({}, 'reddit');
      expect(resumed.errors).toBe(0);
      expect(resumed.retries).toBeGreaterThan(0);
      const want = [...expectedReddit(sim, big).keys()].filter((k) => k.startsWith('reddit:t3_')).sort();
      expect([...(await storedPosts(store, 'reddit')).keys()].sort()).toEqual(want);
      expect((await store.crawlState.get(`reddit:r/${big[0]}:new`))?.backfillDone).toBe(true);
    } finally {
      sim.setFaults({}, 'reddit');
      await store.close();
    }
  });

  it('ringwatch crawl reddit --dry-run prints counts and cursors and stores nothing', async () => {
    const store = await testStore();
    try {
      const dir = store.config.dataDir;
      const file = path.join(dir, 'ringwatch.config.json');
      writeFileSync(
        file,
        JSON.stringify({ reddit: { baseUrl: sim.reddit.baseUrl, authUrl: sim.reddit.authUrl, subreddits: subs, comments: false, fetchAuthors: false } }),
      );
      // A database of its own, so the CLI's run record and the job's below stay apart.
      const db = `${store.describe().database}_cli`;
      const env = { ...REDDIT_ENV, RINGWATCH_DATA: dir, RINGWATCH_DB: db, MONGODB_URI: inject('storeUri'), RINGWATCH_LOG_LEVEL: 'silent' };
      const saved = { ...process.env };
      Object.assign(process.env, env);
      let stdout = '';
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string) => {
        stdout += chunk;
        return true;
      }) as typeof process.stdout.write;
      let code: number;
      try {
        code = await main(['node', 'ringwatch', '--json', '--config', file, 'crawl', 'reddit', '--dry-run']);
      } finally {
        process.stdout.write = write;
        process.env = saved;
      }
      expect(code, stdout).toBe(0);
      const out = JSON.parse(stdout);
      const subCount = [...expectedReddit(sim, subs).keys()].filter((k) => k.startsWith('reddit:t3_')).length;
      expect(out.dryRun).toBe(true);
      expect(out.platforms.reddit.items).toBe(subCount);
      expect(out.cursors.map((c: { _id: string }) => c._id).sort()).toEqual(subs.map((s) => `reddit:r/${s}:new`).sort());
      // The job itself, on this test's store: a dry run writes nothing but its run record.
      const job = await runJob(
        store,
        simConfig(sim, { reddit: { subreddits: subs, comments: false, fetchAuthors: false } }),
        crawlJob,
        { platform: 'reddit', dryRun: true },
        { trigger: 'cli', log: quiet },
      );
      expect(job.items).toBe(subCount);
      expect(await store.posts.count({})).toBe(0);
      expect(await store.accounts.count({})).toBe(0);
      expect(await store.crawlState.count({})).toBe(0);
      expect(await store.runs.count({ job: 'crawl' })).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('a crafted thread thousands of levels deep costs at most 32 requests beyond its tree, and the run says what was left', async () => {
    const store = await testStore();
    const sub = smallSubreddits(sim, 4)[3];
    try {
      const { link, chain } = replyChain(sub, 400, () => 'deep_replier');
      sim.resetStats();
      const report = await crawl(source(simConfig(sim, { reddit: { subreddits: [sub], fetchAuthors: false } })), store);
      expect(report.errorMessages).toEqual([]);
      // The tree shows levels 0-9; each "continue this thread" answer the focused comment and 9 more levels.
      const kept = 10 + MORE_REQUESTS_PER_THREAD * 9;
      const stored = await storedPosts(store, 'reddit');
      expect(chain.filter((id) => stored.has(id))).toEqual(chain.slice(0, kept));
      expect(report.notices).toContain(
        `r/${sub} new: thread t3_${link.id}: left 0 more comment(s) and 1 deeper thread(s) after ${MORE_REQUESTS_PER_THREAD} requests for more`,
      );
      const trees = sim.world.reddit.submissions.filter((x) => x.subreddit === sub && x.numComments > 0).length;
      expect(sim.stats().log.filter((r) => r.platform === 'reddit' && r.endpoint === 'GET /comments/{id}')).toHaveLength(trees + MORE_REQUESTS_PER_THREAD);
    } finally {
      await store.close();
    }
  });

  it('follows "continue this thread" below the depth limit, and keeps the text of a comment whose author deleted the account', async () => {
    const store = await testStore();
    const sub = smallSubreddits(sim, 3)[2];
    try {
      const { chain } = replyChain(sub, 23, (i) => (i % 2 ? 'deep_poster' : 'deep_replier'));
      sim.reddit.sim.deleteItem(chain[15].replace('reddit:', ''), 'account');
      sim.resetStats();
      const report = await crawl(source(simConfig(sim, { reddit: { subreddits: [sub], fetchAuthors: false } })), store);
      expect(report.errorMessages).toEqual([]);
      expect(await storedPosts(store, 'reddit')).toEqual(expectedReddit(sim, [sub]));
      // Depth 10 a request: the chain of 23 needs the tree and two continuations.
      const trees = sim.world.reddit.submissions.filter((x) => x.subreddit === sub && x.numComments > 0).length;
      expect(sim.stats().log.filter((r) => r.platform === 'reddit' && r.endpoint === 'GET /comments/{id}')).toHaveLength(trees + 2);
      const gone = await store.posts.get(chain[15]);
      expect(gone).toMatchObject({ author: '[deleted]', text: 'reply 15', deleted: true, parentId: chain[14] });
      expect(gone?.accountId).not.toMatch(/^reddit:u\//);
      const below = await store.posts.get(chain[16]);
      expect(below?.text).toBe('reply 16');
      expect(below?.replyToAccountId).toBeUndefined();
      expect(await store.posts.get(chain[22])).toMatchObject({ text: 'reply 22', replyToAccountId: 'reddit:u/deep_poster' });
    } finally {
      await store.close();
    }
  });

  it("checks the User-Agent against Reddit's rule", () => {
    expect(checkUserAgent('node:ringwatch:0.1.0 (by /u/ringwatch-operator)')).toBeNull();
    expect(checkUserAgent('Mozilla/5.0')).toMatch(/does not follow/);
  });
});
