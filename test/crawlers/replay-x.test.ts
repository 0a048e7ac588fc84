// Every recorded X unit crawled through ringwatch's real X source against the replay server
// (recorded real API traffic, test/helpers/replay): recent search pages (tweepy, twarc
// #kpop/#brexit, obama, from:mariambarghouti), user look-up and user tweets, tweet look-up
// (edits, deletion sync). What lands in the store must be what the recording holds — counts,
// ids, authors, times, text (unescaped, retweets as shares of the full original),
// references, objects, links — and the gate must pace from the recorded headers (epoch
// reset, clock offset from `date`).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../config/index';
import type { RateGate } from '../../crawlers/rate-gate';
import { TwitterSource } from '../../crawlers/platforms/twitter/source';
import type { Post } from '../../storage/types';
import { cassette } from '../helpers/replay';
import { loadVcr } from '../helpers/replay/vcr-yaml';
import { startXReplay, type XReplay } from '../helpers/replay/x';
import { testConfig, testStore } from '../helpers/store';
import { crawl } from './helpers';

type Url = { url?: string; expanded_url?: string; unwound_url?: string; media_key?: string };
type Tweet = {
  id: string;
  text: string;
  author_id: string;
  created_at: string;
  referenced_tweets?: { type: string; id: string }[];
  entities?: { urls?: Url[] };
  edit_history_tweet_ids?: string[];
};
type Page = { data: Tweet[]; includes: { users: { id: string; username: string }[]; tweets?: Tweet[] }; meta: Record<string, unknown> };

const TWEEPY = {
  search: 'x/tweepy/test_client_search_recent_tweets.yaml',
  user: 'x/tweepy/test_client_get_user.yaml',
  userTweets: 'x/tweepy/test_client_get_users_tweets.yaml',
  tweets: 'x/tweepy/test_client_get_tweets.yaml',
};
const TWARC = {
  twoSets: 'x/twarc-csv/2sets.jsonl',
  noflat: 'x/twarc-csv/noflat.jsonl',
  media: 'x/twarc-csv/media_policy_violation_off.jsonl',
  edited: 'x/twarc-csv/edited.jsonl',
};

let replay: XReplay | undefined;
afterEach(async () => {
  await replay?.close();
  replay = undefined;
});

function replayConfig(r: XReplay, twitter: Partial<Config['twitter']>): Config {
  return testConfig({
    env: { TWITTER_BEARER_TOKEN: 'redacted-in-the-recordings' },
    overrides: { twitter: { baseUrl: r.prefix, queries: [], users: [], ...twitter }, crawl: { maxRetries: 1 } } as never,
  });
}
const source = (c: Config, now?: () => Date) => new TwitterSource({ config: c, bearerToken: 'redacted-in-the-recordings', now });
const searchGate = (s: TwitterSource) => s.gates().find((g) => g.name.endsWith('GET /2/tweets/search/recent')) as RateGate;

/** HTML entities X escapes, undone (independently of the crawler's code). */
const unescapeX = (s: string) => s.split('&lt;').join('<').split('&gt;').join('>').split('&amp;').join('&');

async function stored(store: Awaited<ReturnType<typeof testStore>>): Promise<Map<string, Post>> {
  const out = new Map<string, Post>();
  for await (const p of store.posts.stream({ platform: 'twitter' })) out.set(p._id, p as Post);
  return out;
}

describe('replay: recorded X units through the X source', () => {
  it('tweepy recent search "Tweepy": 10 tweets without the requested created_at/author_id are refused with the reason; pacing from the recorded epoch reset and date', async () => {
    const arrivals: number[] = [];
    replay = await startXReplay([TWEEPY.search], {
      delayMs: () => {
        arrivals.push(Date.now());
        return 0;
      },
    });
    const store = await testStore();
    try {
      const src = source(replayConfig(replay, { queries: ['Tweepy'] }));
      const report = await crawl(src, store, { deletionSyncDays: 0 });
      replay.assertAllMatched();
      expect(report.errorMessages).toEqual([]);
      // No 1970 dates, no twitter:undefined accounts: nothing stored, every refusal counted.
      expect(await store.posts.count({ platform: 'twitter' })).toBe(0);
      expect(await store.accounts.count({})).toBe(0);
      expect(report.refused).toBe(10);
      expect(report.refusedReasons).toEqual({ 'missing created_at, author_id': 10 });
      // The recorded page, then its next_token answered empty.
      expect(replay.served.map((s) => s.how)).toEqual(['recorded', 'continuation']);
      // Recorded: limit 450, remaining 448, reset 1665183229 = 630 s after the recorded date.
      const gate = searchGate(src);
      const offset = Date.parse('Fri, 07 Oct 2022 22:43:19 UTC') - arrivals[0];
      expect(Math.abs(gate.snapshot().clockOffset - offset)).toBeLessThan(2_000);
      expect(gate.snapshot()).toMatchObject({ limit: 450, remaining: 448 });
      // The window ends 630 s after the answer (local time): 448 requests left spread over it, ~1.4 s apart.
      const gap = arrivals[1] - arrivals[0];
      expect(gap).toBeGreaterThan(1_300);
      expect(gap).toBeLessThan(4_000);
    } finally {
      await store.close();
    }
  }, 30_000);

  it('tweepy user look-up @Twitter then user tweets: the id from the look-up, the 2 tweets refused (no created_at/author_id in the answer)', async () => {
    replay = await startXReplay([TWEEPY.user, TWEEPY.userTweets]);
    const store = await testStore();
    try {
      const report = await crawl(source(replayConfig(replay, { users: ['Twitter'] })), store, { deletionSyncDays: 0 });
      replay.assertAllMatched();
      expect(report.errorMessages).toEqual([]);
      expect(replay.served.map((s) => [s.key, s.how])).toEqual([
        ['GET /2/users/by/username/twitter', 'recorded'],
        ['GET /2/users/783214/tweets', 'recorded'],
        ['GET /2/users/783214/tweets pagination_token=7140dibdnow9c7btw4232poeq0wapgnwgwqwvuwn3peex', 'continuation'],
      ]);
      expect(report.refusedReasons).toEqual({ 'missing created_at, author_id': 2 });
      expect(await store.posts.count({ platform: 'twitter' })).toBe(0);
      const state = await store.crawlState.get('twitter:user:Twitter:tweets');
      expect(state?.extra?.userId).toBe('783214');
      expect(state?.backfillDone).toBe(true);
    } finally {
      await store.close();
    }
  }, 30_000);

  it('twarc recent search pages (#kpop, #brexit, obama, from:mariambarghouti): every tweet lands as recorded; retweets as shares of the full original; text unescaped; no self-links', async () => {
    replay = await startXReplay([TWARC.twoSets, TWARC.noflat, TWARC.media]);
    const store = await testStore();
    try {
      const queries = ['#kpop', '#brexit', 'obama', 'from:mariambarghouti'];
      const src = source(replayConfig(replay, { queries }));
      const report = await crawl(src, store, { deletionSyncDays: 0 });
      replay.assertAllMatched();
      expect(report.errorMessages).toEqual([]);
      expect(report.refused).toBe(0);
      const posts = await stored(store);
      const pages = replay.recordings.map((r) => ({ page: JSON.parse(r.body) as Page, query: r.url.searchParams.get('query') as string }));
      const want = new Set<string>();
      let retweets = 0;
      let cut = 0;
      let escaped = 0;
      for (const { page, query } of pages) {
        const users = new Map(page.includes.users.map((u) => [u.id, u.username]));
        const included = new Map((page.includes.tweets ?? []).map((t) => [t.id, t]));
        for (const t of page.data) {
          want.add(`twitter:${t.id}`);
          const p = posts.get(`twitter:${t.id}`) as Post;
          expect(p, t.id).toBeDefined();
          expect(p).toMatchObject({
            externalId: t.id,
            accountId: `twitter:${t.author_id}`,
            author: users.get(t.author_id),
            createdAt: new Date(t.created_at),
            source: `twitter:search:${query}`,
            kind: 'tweet',
          });
          expect(p.references ?? []).toEqual((t.referenced_tweets ?? []).map((r) => ({ type: r.type, postId: `twitter:${r.id}` })));
          expect(p.objects ?? []).toEqual((t.referenced_tweets ?? []).filter((r) => r.type !== 'replied_to').map((r) => `tweet:${r.id}`));
          if (/&(amp|lt|gt);/.test(t.text)) escaped++;
          const rt = t.referenced_tweets?.find((r) => r.type === 'retweeted');
          if (rt) {
            retweets++;
            if (t.text.endsWith('…')) cut++;
            // No text or links of its own: the original holds them, once, in full.
            expect(p.text).toBeUndefined();
            expect(p.links).toBeUndefined();
            const original = included.get(rt.id) as Tweet;
            want.add(`twitter:${original.id}`);
            const o = posts.get(`twitter:${original.id}`) as Post;
            expect(o.text).toBe(unescapeX(original.text));
            expect(o.accountId).toBe(`twitter:${original.author_id}`);
            if (t.text.endsWith('…'))
              expect(Array.from(o.text as string).length).toBeGreaterThan(Array.from(t.text).length - `RT @${users.get(original.author_id)}: `.length - 1);
          } else {
            expect(p.text).toBe(unescapeX(t.text));
          }
          const q = t.referenced_tweets?.find((r) => r.type === 'quoted');
          if (q && included.has(q.id)) want.add(`twitter:${q.id}`);
          // Links: what t.co unwinds to (else the expanded URL), never a link to the tweet itself or a tweet it references.
          if (!rt) {
            const own = [t.id, ...(t.referenced_tweets ?? []).map((r) => r.id)];
            const allowed = (t.entities?.urls ?? []).filter((u) => !u.media_key && !own.some((id) => (u.expanded_url ?? '').includes(`/status/${id}`)));
            expect(new Set(p.links ?? [])).toEqual(new Set(allowed.map((u) => u.unwound_url ?? u.expanded_url)));
          }
        }
      }
      // What the issue counted in these recordings: 400 results, 234 retweets, 197 cut.
      expect(pages.reduce((n, p) => n + p.page.data.length, 0)).toBe(400);
      expect([retweets, cut, escaped]).toEqual([234, 197, 24]);
      expect(new Set(posts.keys())).toEqual(want);
      for (const p of posts.values()) {
        expect(p.text ?? '').not.toMatch(/&(amp|lt|gt);/);
        // (A link to another tweet's video is an outbound link: sharing someone else's media.)
        for (const l of p.links ?? []) expect(l).not.toContain(`/status/${p.externalId}`);
      }
      // Spot check, independent of the loop: a cut #kpop retweet and its original.
      expect(posts.get('twitter:1440717170493689866')?.text).toBeUndefined();
      expect(posts.get('twitter:1440717170493689866')).toMatchObject({
        references: [{ type: 'retweeted', postId: 'twitter:1440691114135080963' }],
        objects: ['tweet:1440691114135080963'],
      });
      const original = posts.get('twitter:1440691114135080963') as Post;
      expect(original.text).toBe(
        '#TopKPopEcuador\n@BTS_twt se mantiene en el #1 con #Butter, #Lisa debuta en el #2 \nhttps://t.co/pQMACSzDmd\n#charts #kpop #bts #blackpink #straykids https://t.co/isLejPBxdt',
      );
      expect(original.links).toEqual(['https://www.chartsecuador.biz/']);
      expect(original.createdAt).toEqual(new Date('2021-09-22T14:55:03.000Z'));
      // Accounts: every stored post's author, from includes.users.
      const accounts = new Set((await store.accounts.find({ platform: 'twitter' })).map((a) => a._id));
      for (const p of posts.values()) expect(accounts.has(p.accountId), p.accountId).toBe(true);
      // Each query: its recorded page, then its next_token answered empty; paced by the borrowed headers.
      expect(replay.served.filter((s) => s.how === 'recorded')).toHaveLength(4);
      expect(replay.served.filter((s) => s.how === 'continuation')).toHaveLength(4);
      expect(searchGate(src).snapshot()).toMatchObject({ limit: 450, remaining: 448 });
      expect(report.rateLimited).toBe(0);
    } finally {
      await store.close();
    }
  }, 90_000);

  it('edited tweet (edited.jsonl): seen while still editable, re-fetched on the next passes by the recorded tweet look-up; one post for the edit chain; off the list once the edit window closed', async () => {
    const edited = JSON.parse(readFileSync(cassette(TWARC.edited), 'utf8')) as Page;
    const headers = loadVcr(cassette(TWEEPY.search))[0].headers;
    let searches = 0;
    // The search that first found the tweet is not recorded: its answer is the recorded tweet as listed at the time.
    const firstPage = {
      data: edited.data,
      includes: { users: edited.includes.users },
      meta: { result_count: 1, newest_id: edited.data[0].id, oldest_id: edited.data[0].id },
    };
    replay = await startXReplay([TWARC.edited], {
      declared: (req) =>
        req.path === '/2/tweets/search/recent'
          ? {
              status: 200,
              headers: {
                'content-type': 'application/json; charset=utf-8',
                date: headers.date,
                'x-rate-limit-limit': '450',
                'x-rate-limit-remaining': '440',
                'x-rate-limit-reset': headers['x-rate-limit-reset'],
              },
              body: JSON.stringify(searches++ === 0 ? firstPage : { meta: { result_count: 0 } }),
            }
          : null,
    });
    const store = await testStore();
    try {
      let now = new Date('2022-10-03T17:58:00Z');
      const src = () => source(replayConfig(replay as XReplay, { queries: ['from:wongmjane'] }), () => now);
      await crawl(src(), store, { deletionSyncDays: 0 });
      // Version ids 1576994746135764992 → 1576994789110992896: one post, named by the first.
      const post = async () => (await store.posts.find({ platform: 'twitter' })) as Post[];
      expect((await post()).map((p) => [p._id, p.externalId, p.text, p.links])).toEqual([
        ['twitter:1576994746135764992', '1576994789110992896', 'hey :) https://t.co/rnwEIoNuqd', undefined],
      ]);
      const state = () => store.crawlState.get('twitter:search:from:wongmjane');
      expect((await state())?.extra?.recheck).toBe('1576994789110992896');

      now = new Date('2022-10-03T18:00:12Z');
      await crawl(src(), store, { deletionSyncDays: 0 });
      replay.assertAllMatched();
      expect(replay.served.filter((s) => s.how === 'recorded').map((s) => s.key)).toEqual(['GET /2/tweets ids=1576994789110992896']);
      expect((await post()).map((p) => [p._id, p.externalId, p.text])).toEqual([
        ['twitter:1576994746135764992', '1576994789110992896', 'hey :) https://t.co/rnwEIoNuqd'],
      ]);
      // editable_until 18:27:01: still on the list.
      expect((await state())?.extra?.recheck).toBe('1576994789110992896');

      now = new Date('2022-10-03T18:30:00Z');
      await crawl(src(), store, { deletionSyncDays: 0 });
      expect(replay.served.filter((s) => s.how === 'recorded')).toHaveLength(2);
      expect((await state())?.extra?.recheck ?? null).toBeNull();
      expect(await store.posts.count({ platform: 'twitter' })).toBe(1);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('tweet look-up (tweepy get_tweets) for deletion sync: recorded tweets stay, an unrecorded one is marked deleted', async () => {
    replay = await startXReplay([TWEEPY.tweets]);
    const store = await testStore();
    try {
      const ids = ['1293593516040269825', '1293595870563381249', '1293590000000000000'];
      const at = new Date('2020-08-12T17:00:00Z');
      await store.posts.upsertMany(
        ids.map(
          (id) =>
            ({
              _id: `twitter:${id}`,
              platform: 'twitter',
              kind: 'tweet',
              externalId: id,
              accountId: 'twitter:6253282',
              author: 'TwitterDev',
              createdAt: at,
              week: '2020-W33',
              text: 'x',
              source: 'seed',
              fetchedAt: at,
            }) as Post,
        ),
      );
      const report = await crawl(source(replayConfig(replay, {})), store, { deletionSyncDays: 30 });
      replay.assertAllMatched();
      expect(report.errorMessages).toEqual([]);
      expect(report.deleted).toBe(1);
      expect(replay.platform.missing).toEqual(['1293590000000000000']);
      const deleted = (await store.posts.find({ platform: 'twitter', deleted: true })).map((p) => p._id);
      expect(deleted).toEqual(['twitter:1293590000000000000']);
    } finally {
      await store.close();
    }
  }, 30_000);
});
