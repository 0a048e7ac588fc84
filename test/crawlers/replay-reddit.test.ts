// Every recorded Reddit unit crawled through ringwatch's real Reddit source against the
// replay server (recorded real API traffic, test/helpers/replay): what lands in the store
// must be what the recording holds — counts, ids, authors, times, text, parent links —
// and the gate must pace from the recorded rate-limit headers.
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../config/index';
import type { RateGate } from '../../crawlers/rate-gate';
import { RedditSource } from '../../crawlers/platforms/reddit/source';
import type { Post } from '../../storage/types';
import { type RedditReplay, startRedditReplay } from '../helpers/replay';
import { testConfig, testStore } from '../helpers/store';
import { crawl, REDDIT_ENV } from './helpers';

type Thing = { kind: string; data: Record<string, unknown> };

const CASSETTE = {
  askredditNew: 'reddit/asyncpraw/TestSubredditListings.test_new.json',
  search: 'reddit/asyncpraw/TestSubreddit.test_search.json',
  allNew: 'reddit/asyncpraw/TestSubredditStreams.test_submissions.json',
  spezSubmitted: 'reddit/asyncpraw/TestRedditorListings.test_submissions__new.json',
  spezComments: 'reddit/asyncpraw/TestRedditorListings.test_comments__new.json',
  tree: 'reddit/asyncpraw/TestMore.test_comments.json',
  info: 'reddit/asyncpraw/TestReddit.test_info.json',
  deletedComment: 'reddit/praw/TestComment.test_refresh__deleted_comment.json',
  removedComment: 'reddit/praw/TestComment.test_refresh__removed_comment.json',
};

let replay: RedditReplay | undefined;
afterEach(async () => {
  await replay?.close();
  replay = undefined;
});

/** Reddit's real 404 body (private, quarantined or removed posts answer 403/404). */
const NOT_FOUND = { status: 404, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: '{"message": "Not Found", "error": 404}' };

function replayConfig(r: RedditReplay, reddit: Partial<Config['reddit']>, crawl: Partial<Config['crawl']> = {}): Config {
  return testConfig({
    env: REDDIT_ENV,
    overrides: {
      // A short window: the recorded limit (600 a window) paces at window/600 per request.
      reddit: { baseUrl: r.baseUrl, authUrl: r.baseUrl, subreddits: [], searches: [], users: [], rateWindowSec: 3, ...reddit },
      crawl: { maxRetries: 1, ...crawl },
    } as never,
  });
}

const source = (c: Config) =>
  new RedditSource({
    config: c,
    credentials: { clientId: REDDIT_ENV.REDDIT_CLIENT_ID, clientSecret: REDDIT_ENV.REDDIT_CLIENT_SECRET, username: 'u', password: 'p' },
  });

/** The things of the recorded listing answers at this path, in recorded order. */
function recordedListing(r: RedditReplay, path: string): Thing[] {
  return r.recordings
    .filter((x) => x.url.pathname.replace(/\/+$/, '').toLowerCase() === path && x.status === 200)
    .flatMap((x) => (JSON.parse(x.body) as { data: { children: Thing[] } }).data.children);
}

/** The fields a recorded submission or comment must land with. */
function expectedPost(t: Thing, unitId: string) {
  const d = t.data;
  const author = String(d.author);
  const common = {
    _id: `reddit:${d.name}`,
    externalId: d.name,
    author,
    createdAt: new Date(Number(d.created_utc) * 1000),
    community: d.subreddit,
    source: unitId,
  };
  if (t.kind === 't3') return { ...common, kind: 'submission', title: d.title, url: `https://www.reddit.com${d.permalink}` };
  return { ...common, kind: 'comment', parentId: `reddit:${d.parent_id}` };
}

async function storedReddit(store: Awaited<ReturnType<typeof testStore>>): Promise<Map<string, Post>> {
  const out = new Map<string, Post>();
  for await (const p of store.posts.stream({ platform: 'reddit' })) out.set(p._id, p as Post);
  return out;
}

describe('replay: recorded Reddit units through the Reddit source', () => {
  it('r/askreddit new: the 100 recorded submissions land with ids, authors, times, titles and text; pacing from the float x-ratelimit-remaining', async () => {
    replay = await startRedditReplay([CASSETTE.askredditNew]);
    const store = await testStore();
    try {
      const src = source(replayConfig(replay, { subreddits: ['askreddit'], comments: false, fetchAuthors: false }));
      const report = await crawl(src, store);
      replay.assertAllMatched();
      expect(report.errorMessages).toEqual([]);
      const things = recordedListing(replay, '/r/askreddit/new');
      expect(things).toHaveLength(100);
      const stored = await storedReddit(store);
      expect([...stored.keys()].sort()).toEqual(things.map((t) => `reddit:${t.data.name}`).sort());
      for (const t of things) {
        const p = stored.get(`reddit:${t.data.name}`) as Post;
        expect(p).toMatchObject(expectedPost(t, 'reddit:r/askreddit:new'));
        expect(p.accountId).toBe(`reddit:u/${t.data.author}`);
        // AskReddit posts are questions: the title, often without a body.
        if (t.data.selftext) expect(p.text).toBe(t.data.selftext);
        else expect(p.text).toBeUndefined();
      }
      // A spot check independent of the helper: the recording's first item.
      expect(stored.get('reddit:t3_hozvuc')).toMatchObject({ author: 'p1aguedoc', createdAt: new Date('2020-07-10T23:44:45Z') });
      // Accounts: one per author, none for [deleted].
      const authors = new Set(things.map((t) => String(t.data.author)).filter((a) => a !== '[deleted]'));
      expect((await store.accounts.find({ platform: 'reddit' })).map((a) => a.handle).sort()).toEqual([...authors].sort());
      // One listing page recorded, the next answered empty: two listing requests after the token.
      expect(replay.served.map((s) => s.how)).toEqual(['recorded', 'recorded', 'continuation']);
      // x-ratelimit-used 10, remaining "590.0": a limit of 600 a window, paced window * 1.02 / 600 apart.
      const gate = src.gates()[0] as RateGate;
      // Reset 246 s is longer than the configured 3 s window: the gate trusts the server (245 s, the reset's lower bound).
      expect(gate.snapshot()).toMatchObject({ limit: 600, remaining: 590, windowMs: 245_000 });
      expect(gate.snapshot().interval).toBeCloseTo((245_000 * 1.02) / 600, 6);
    } finally {
      await store.close();
    }
  });

  it("u/spez submitted and comments at the real 10-minute window: requests spaced by the recorded limit (1.02 s), spez's account from /about", async () => {
    replay = await startRedditReplay([CASSETTE.spezSubmitted, CASSETTE.spezComments]);
    const store = await testStore();
    try {
      const src = source(replayConfig(replay, { users: ['spez'], comments: false, fetchAuthors: true, rateWindowSec: 600 }));
      const report = await crawl(src, store, { concurrency: 2 });
      replay.assertAllMatched();
      expect(report.errorMessages).toEqual([]);
      const submitted = recordedListing(replay, '/user/spez/submitted');
      const comments = recordedListing(replay, '/user/spez/comments');
      expect([submitted.length, comments.length]).toEqual([100, 100]);
      const stored = await storedReddit(store);
      expect(stored.size).toBe(200);
      for (const t of submitted) expect(stored.get(`reddit:${t.data.name}`)).toMatchObject(expectedPost(t, 'reddit:u/spez:submitted'));
      for (const t of comments) {
        const p = stored.get(`reddit:${t.data.name}`) as Post;
        expect(p).toMatchObject({ ...expectedPost(t, 'reddit:u/spez:comments'), text: t.data.body });
      }
      const spez = await store.accounts.get('reddit:u/spez');
      // /user/spez/about: created_utc 1118030400.0, link 138858 + comment 743795 karma (the later recording: 2020-06-29).
      expect(spez?.createdAt).toEqual(new Date(1118030400 * 1000));
      expect(spez?.karma).toBeGreaterThan(800_000);
      // Pacing from the recorded headers. The first answer (submitted: remaining "554.0", reset 348 s, used 46)
      // teaches the gate the window: the next request waits for what is left spread over it
      // (347 s / 554), and every later one for the limit's interval (600 s * 1.02 / 600 = 1.02 s).
      const api = replay.served.filter((s) => !s.key.includes('access_token'));
      expect(api.map((s) => s.key).sort()).toEqual([
        'GET /user/spez/about',
        'GET /user/spez/comments',
        'GET /user/spez/comments after=t1_egegczl',
        'GET /user/spez/submitted',
        'GET /user/spez/submitted after=t3_f6fp',
      ]);
      const first = replay.recordings.find((x) => x.url.pathname === '/user/spez/submitted')!.headers;
      expect([first['x-ratelimit-remaining'], first['x-ratelimit-reset'], first['x-ratelimit-used']]).toEqual(['554.0', '348', '46']);
      const gaps = api.slice(1).map((s, i) => s.at - api[i].at);
      // Measured at the server, where each arrival lags its send by a varying delay (large on a
      // loaded machine): the paced span as a whole, less one such delay, and every gap by most of its share.
      const spread = 347_000 / 554;
      const lag = 150;
      expect(gaps.slice(1).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(spread + 1020 * (gaps.length - 2) - lag);
      expect(gaps[1]).toBeGreaterThanOrEqual(spread / 2);
      for (const g of gaps.slice(2)) expect(g).toBeGreaterThanOrEqual(1020 * 0.75);
      expect((src.gates()[0] as RateGate).snapshot()).toMatchObject({ limit: 600, windowMs: 600_000 });
    } finally {
      await store.close();
    }
  });

  it('r/all search and r/all new: every recorded item lands, search results in recorded order', async () => {
    replay = await startRedditReplay([CASSETTE.search, CASSETTE.allNew]);
    const store = await testStore();
    try {
      const src = source(
        replayConfig(replay, { subreddits: ['all'], searches: [{ subreddit: 'all', query: 'praw oauth search' }], comments: false, fetchAuthors: false }),
      );
      const report = await crawl(src, store);
      replay.assertAllMatched();
      expect(report.errorMessages).toEqual([]);
      const found = recordedListing(replay, '/r/all/search');
      // r/all/new: the first recorded page (100); the later page PRAW asked with `before` is not one ringwatch asks for.
      const fresh = (
        JSON.parse(replay.recordings.find((x) => x.url.pathname === '/r/all/new' && !x.url.searchParams.has('before'))!.body) as { data: { children: Thing[] } }
      ).data.children;
      const stored = await storedReddit(store);
      const want = new Map<string, Thing>([
        ...found.map((t) => [`reddit:${t.data.name}`, t] as const),
        ...fresh.map((t) => [`reddit:${t.data.name}`, t] as const),
      ]);
      expect([...stored.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [id, t] of want) expect(stored.get(id)).toMatchObject({ ...expectedPost(t, stored.get(id)!.source), community: t.data.subreddit });
      expect(found.length).toBe(31);
    } finally {
      await store.close();
    }
  });

  it('deletion sync through the recorded /api/info: gone and [deleted]/[removed] things are the deleted ones, 100 ids a request', async () => {
    replay = await startRedditReplay([CASSETTE.info]);
    const src = source(replayConfig(replay, {}));
    // The posts PRAW's test asked about (it also asked for subreddits, t5_, which ringwatch never stores).
    const infoRecs = replay.recordings.filter((x) => x.url.pathname.startsWith('/api/info'));
    const asked = infoRecs.flatMap((x) => (x.url.searchParams.get('id') ?? '').split(','));
    const posts = asked.filter((id) => !id.startsWith('t5_')).map((id) => ({ _id: `reddit:${id}`, externalId: id }));
    const answered = new Map<string, Thing>();
    for (const x of infoRecs) for (const t of (JSON.parse(x.body) as { data: { children: Thing[] } }).data.children) answered.set(String(t.data.name), t);
    const gone = (t: Thing | undefined) => !t || t.data.author === '[deleted]' || ['[deleted]', '[removed]'].includes(String(t.data.body ?? t.data.selftext));
    const want = new Set(posts.filter((p) => gone(answered.get(p.externalId))).map((p) => p._id));
    const deleted = await src.deletedAmong(posts, {
      signal: new AbortController().signal,
      knownPosts: async () => new Set(),
      knownAccounts: async () => new Set(),
      spend: () => {},
    });
    replay.assertAllMatched();
    expect(posts.length).toBeGreaterThan(150);
    expect(want.size).toBeGreaterThan(20);
    expect(want.size).toBeLessThan(posts.length - 50);
    expect(deleted).toEqual(want);
    // Spot checks from the recording: t1_d7ltv00 by OmegaFemale is live, t1_d7ltv01 shows [deleted].
    expect(deleted.has('reddit:t1_d7ltv00')).toBe(false);
    expect(deleted.has('reddit:t1_d7ltv01')).toBe(true);
    expect(replay.served.filter((x) => x.key.startsWith('GET /api/info'))).toHaveLength(Math.ceil(posts.length / 100));
  });

  it("12.1 r/all new with comment trees: threads answering 404 are counted as not accessible, the listing's submissions are all stored", async () => {
    // The comment trees of these submissions are not recorded: answered as Reddit answers a private or removed post.
    replay = await startRedditReplay([CASSETTE.allNew], { declared: (req) => (/^\/comments\/[a-z0-9]+$/.test(req.path) ? NOT_FOUND : null) });
    const store = await testStore();
    try {
      const report = await crawl(source(replayConfig(replay, { subreddits: ['all'], comments: true, fetchAuthors: false })), store);
      replay.assertAllMatched();
      const page = (
        JSON.parse(replay.recordings.find((x) => x.url.pathname === '/r/all/new' && !x.url.searchParams.has('before'))!.body) as { data: { children: Thing[] } }
      ).data.children;
      const withComments = page.filter((t) => Number(t.data.num_comments) > 0).map((t) => String(t.data.id));
      expect(withComments).toHaveLength(6);
      expect(report.errorMessages).toEqual([]);
      expect(report.errors).toBe(0);
      expect(report.inaccessible).toBe(6);
      expect(report.notices).toHaveLength(6);
      for (const id of withComments) expect(report.notices.some((n) => n.includes(`t3_${id}`) && n.includes('404'))).toBe(true);
      expect([...(await storedReddit(store)).keys()].sort()).toEqual(page.map((t) => `reddit:${t.data.name}`).sort());
      expect((await store.crawlState.get('reddit:r/all:new'))?.backfillDone).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('12.2 + 12.7 the recorded 3hahrw tree: every recorded comment lands with its parent link; "continue this thread" stubs are followed; [deleted] authors keep their text, attributed to no account', async () => {
    // The tree is recorded, not a listing holding it: r/funny/new is declared as the recorded submission alone.
    replay = await startRedditReplay([CASSETTE.tree], {
      declared: (req) => {
        if (req.key !== 'GET /r/funny/new') return null;
        const tree = JSON.parse(replay!.recordings.find((x) => x.url.pathname.startsWith('/comments/3hahrw'))!.body) as { data: { children: Thing[] } }[];
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ kind: 'Listing', data: { after: null, before: null, children: tree[0].data.children } }),
        };
      },
    });
    const store = await testStore();
    try {
      const report = await crawl(source(replayConfig(replay, { subreddits: ['funny'], comments: true, fetchAuthors: false })), store);
      replay.assertAllMatched();
      expect(report.errorMessages).toEqual([]);
      // What the recording holds: the tree's comments, with replies nested, and the morechildren answer.
      const treeRec = replay.recordings.find((x) => x.url.pathname.startsWith('/comments/3hahrw'))!;
      const tree = JSON.parse(treeRec.body) as { data: { children: Thing[] } }[];
      const comments: Thing[] = [];
      const stubs: Thing[] = [];
      const moreIds: string[] = [];
      const walk = (things: Thing[]) => {
        for (const t of things) {
          if (t.kind === 'more') {
            if (t.data.id === '_') stubs.push(t);
            else moreIds.push(...(t.data.children as string[]));
          } else {
            comments.push(t);
            const r = t.data.replies as { data: { children: Thing[] } } | '';
            if (r) walk(r.data.children);
          }
        }
      };
      walk(tree[1].data.children);
      const more = (JSON.parse(replay.recordings.find((x) => x.url.pathname.startsWith('/api/morechildren'))!.body) as { json: { data: { things: Thing[] } } })
        .json.data.things;
      expect([comments.length, stubs.length, more.length]).toEqual([470, 6, 7]);
      const stored = await storedReddit(store);
      const want = [...comments, ...more];
      expect([...stored.keys()].sort()).toEqual(['reddit:t3_3hahrw', ...want.map((t) => `reddit:${t.data.name}`)].sort());
      for (const t of want) expect(stored.get(`reddit:${t.data.name}`)).toMatchObject(expectedPost(t, 'reddit:r/funny:new'));
      // Every `more` id was asked for; those not in the recording are the ones PRAW's test never expanded.
      const recorded = new Set(want.map((t) => String(t.data.id)));
      expect(new Set(replay.platform.missing)).toEqual(new Set(moreIds.filter((id) => !recorded.has(id)).map((id) => `t1_${id}`)));
      // Each "continue this thread" stub was followed as PRAW does: /comments/<link>/_/<parent comment>.
      const followed = replay.served.filter((x) => /^GET \/comments\/3hahrw\/_\//.test(x.key)).map((x) => x.key.replace('GET /comments/3hahrw/_/', 't1_'));
      expect(followed.sort()).toEqual(stubs.map((t) => String(t.data.parent_id)).sort());
      // [deleted] authors: the body stays (unless it is itself [deleted]/[removed]), no account is named or created.
      const gone = want.filter((t) => t.data.author === '[deleted]');
      const withText = gone.filter((t) => t.data.body !== '[deleted]' && t.data.body !== '[removed]');
      expect(withText.length).toBeGreaterThan(10);
      for (const t of gone) {
        const p = stored.get(`reddit:${t.data.name}`) as Post;
        expect(p.author).toBe('[deleted]');
        expect(p.accountId).not.toMatch(/^reddit:u\//);
        expect(p.deleted).toBe(true);
        if (withText.includes(t)) expect(p.text).toBe(t.data.body);
        else expect(p.text).toBeUndefined();
      }
      // Replies to a [deleted] author reply to no account.
      for (const p of stored.values()) if (p.parentId && gone.some((t) => `reddit:${t.data.name}` === p.parentId)) expect(p.replyToAccountId).toBeUndefined();
      const accounts = await store.accounts.find({ platform: 'reddit' });
      expect(accounts.some((a) => a.handle === '[deleted]' || a._id.includes('[deleted]'))).toBe(false);
      expect(accounts.length).toBe(
        new Set(
          want
            .concat(tree[0].data.children)
            .map((t) => String(t.data.author))
            .filter((a) => a !== '[deleted]'),
        ).size,
      );
    } finally {
      await store.close();
    }
  });
});
