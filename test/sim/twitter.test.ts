import http from 'node:http';
import { TwitterApi } from 'twitter-api-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snowflakeTime } from '../../sim/ids';
import { type Simulator, startSimulator } from '../../sim/server';
import { DEFAULT_TWITTER_APPS, DEFAULT_TWITTER_OAUTH_CLIENT } from '../../sim/twitter';
import { generateWorld } from '../../sim/world';
import { basic, getJson, sleep } from './helpers';

const world = generateWorld({ seed: 11, scale: 'small' });
const BEARER = DEFAULT_TWITTER_APPS[0].bearerToken;

interface SearchBody {
  data?: Record<string, unknown>[];
  includes?: { users?: Record<string, unknown>[]; tweets?: Record<string, unknown>[] };
  meta: { result_count: number; newest_id?: string; oldest_id?: string; next_token?: string };
  errors?: Record<string, unknown>[];
}

describe('X API v2 imitation', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ world, rateLimits: { twitter: { limit: 100_000 } } });
  });
  afterAll(() => sim.close());
  const url = (path: string) => `${sim.twitter.baseUrl}${path}`;

  it('requires a token and answers in X error format', async () => {
    const res = await getJson<Record<string, unknown>>(url('tweets/search/recent?query=test'));
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ title: 'Unauthorized', status: 401, type: 'about:blank' });
    const bad = await getJson<{ errors: { message: string }[]; title: string }>(url('tweets/search/recent?query=test&max_results=5'), BEARER);
    expect(bad.status).toBe(400);
    expect(bad.body.title).toBe('Invalid Request');
    expect(bad.body.errors[0].message).toContain('between 10 and 100');
  });

  it('issues app-only and OAuth2 user tokens', async () => {
    const app = await fetch(`${sim.twitter.origin}/oauth2/token`, { method: 'POST', headers: { authorization: basic(DEFAULT_TWITTER_APPS[0].key, DEFAULT_TWITTER_APPS[0].secret) }, body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    expect(await app.json()).toEqual({ token_type: 'bearer', access_token: BEARER });
    const auth = await fetch(`${sim.twitter.origin}/i/oauth2/authorize?response_type=code&client_id=${DEFAULT_TWITTER_OAUTH_CLIENT.clientId}&redirect_uri=http://localhost/cb&state=xyz&code_challenge=abc&code_challenge_method=plain`, { redirect: 'manual' });
    expect(auth.status).toBe(302);
    const location = new URL(auth.headers.get('location') as string);
    expect(location.searchParams.get('state')).toBe('xyz');
    const tokenRes = await fetch(url('oauth2/token'), {
      method: 'POST',
      headers: { authorization: basic(DEFAULT_TWITTER_OAUTH_CLIENT.clientId, DEFAULT_TWITTER_OAUTH_CLIENT.clientSecret) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: location.searchParams.get('code') as string, redirect_uri: 'http://localhost/cb', code_verifier: 'abc' }),
    });
    const tokens = (await tokenRes.json()) as Record<string, string>;
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.refresh_token).toBeTruthy();
    const u = world.twitter.users[0];
    expect((await getJson(url(`users/${u.id}`), tokens.access_token)).status).toBe(200);
    const refreshed = (await (await fetch(url('oauth2/token'), { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: DEFAULT_TWITTER_OAUTH_CLIENT.clientId }) })).json()) as Record<string, string>;
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.access_token).not.toBe(tokens.access_token);
  });

  it('pages recent search with next_token, newest first, every match exactly once', async () => {
    const product = world.products.find((p) => world.twitter.tweets.filter((t) => t.text.includes(p.brand)).length > 25) as (typeof world.products)[number];
    const expected = world.twitter.tweets.filter((t) => !t.deleted && new RegExp(`\\b${product.brand}\\b`, 'i').test(t.text)).map((t) => t.id);
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const res: { body: SearchBody } = await getJson<SearchBody>(url(`tweets/search/recent?query=${encodeURIComponent(product.brand)}&max_results=10&tweet.fields=created_at,author_id${next ? `&next_token=${next}` : ''}`), BEARER);
      const ids = (res.body.data ?? []).map((t) => t.id as string);
      expect(res.body.meta.result_count).toBe(ids.length);
      if (ids.length) {
        expect(res.body.meta.newest_id).toBe(ids[0]);
        expect(res.body.meta.oldest_id).toBe(ids[ids.length - 1]);
      }
      seen.push(...ids);
      next = res.body.meta.next_token;
      pages++;
    } while (next && pages < 100);
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(new Set(expected));
    const sorted = [...seen].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1));
    expect(seen).toEqual(sorted);
  });

  it('honours since_id, until_id, start_time and has no data field on empty results', async () => {
    const sorted = [...world.twitter.tweets].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const pivot = sorted[sorted.length - 30];
    const since = await getJson<SearchBody>(url(`tweets/search/recent?query=-is:retweet OR is:retweet&since_id=${pivot.id}&max_results=100`), BEARER);
    expect(since.body.data?.length).toBe(29);
    for (const t of since.body.data ?? []) expect(BigInt(t.id as string) > BigInt(pivot.id)).toBe(true);
    const until = await getJson<SearchBody>(url(`tweets/search/recent?query=${encodeURIComponent('-is:retweet OR is:retweet')}&until_id=${pivot.id}&max_results=10`), BEARER);
    for (const t of until.body.data ?? []) expect(BigInt(t.id as string) < BigInt(pivot.id)).toBe(true);
    const startTime = new Date(pivot.createdAt).toISOString();
    const st = await getJson<SearchBody>(url(`tweets/search/recent?query=${encodeURIComponent('-is:retweet OR is:retweet')}&start_time=${startTime}&max_results=100&tweet.fields=created_at`), BEARER);
    for (const t of st.body.data ?? []) expect(Date.parse(t.created_at as string)).toBeGreaterThanOrEqual(pivot.createdAt);
    const empty = await getJson<SearchBody>(url('tweets/search/recent?query=zzqqxnonexistentword'), BEARER);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ meta: { result_count: 0 } });
    expect('data' in empty.body).toBe(false);
  });

  it('supports from:, quoted phrases, OR and -is:retweet, with expansions and fields', async () => {
    const author = world.twitter.users.find((u) => world.twitter.tweets.filter((t) => t.authorId === u.id).length >= 3) as (typeof world.twitter.users)[number];
    const own = world.twitter.tweets.filter((t) => t.authorId === author.id && !t.referenced?.some((r) => r.type === 'retweeted'));
    const res = await getJson<SearchBody>(url(`tweets/search/recent?query=${encodeURIComponent(`from:${author.username} -is:retweet`)}&max_results=100&expansions=author_id&tweet.fields=created_at,author_id,conversation_id,public_metrics,entities,referenced_tweets,in_reply_to_user_id&user.fields=created_at,public_metrics,verified,username,name`), BEARER);
    expect(new Set((res.body.data ?? []).map((t) => t.id))).toEqual(new Set(own.map((t) => t.id)));
    const t0 = (res.body.data ?? [])[0];
    expect(t0).toHaveProperty('created_at');
    expect(t0.author_id).toBe(author.id);
    expect(t0).toHaveProperty('conversation_id');
    expect(t0.public_metrics).toHaveProperty('like_count');
    expect(res.body.includes?.users?.[0]).toMatchObject({ id: author.id, username: author.username, created_at: new Date(author.createdAt).toISOString() });
    expect(res.body.includes?.users?.[0].public_metrics).toHaveProperty('followers_count', author.followers);
    const reply = world.twitter.tweets.find((t) => t.inReplyToUserId && t.text.includes('@')) as (typeof world.twitter.tweets)[number];
    const lookup = await getJson<SearchBody>(url(`tweets?ids=${reply.id},1&tweet.fields=in_reply_to_user_id,referenced_tweets,entities,conversation_id`), BEARER);
    expect(lookup.body.data?.[0]).toMatchObject({ id: reply.id, in_reply_to_user_id: reply.inReplyToUserId, referenced_tweets: reply.referenced, conversation_id: reply.conversationId });
    expect(((lookup.body.data ?? [])[0].entities as { mentions: unknown[] }).mentions.length).toBeGreaterThan(0);
    expect(lookup.body.errors?.[0]).toMatchObject({ resource_type: 'tweet', resource_id: '1', title: 'Not Found Error' });
    const phrase = world.products[3].name;
    const phraseRes = await getJson<SearchBody>(url(`tweets/search/recent?query=${encodeURIComponent(`"${phrase}" OR "${world.products[4].name}"`)}&max_results=100`), BEARER);
    for (const t of phraseRes.body.data ?? []) expect((t.text as string).toLowerCase().includes(phrase.toLowerCase()) || (t.text as string).toLowerCase().includes(world.products[4].name.toLowerCase())).toBe(true);
  });

  it('serves user timelines with pagination_token, user lookups and snowflake ids', async () => {
    const author = [...world.twitter.users].sort((a, b) => world.twitter.tweets.filter((t) => t.authorId === b.id).length - world.twitter.tweets.filter((t) => t.authorId === a.id).length)[0];
    const expected = world.twitter.tweets.filter((t) => t.authorId === author.id).map((t) => t.id);
    expect(expected.length).toBeGreaterThan(5);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const res: { body: SearchBody } = await getJson<SearchBody>(url(`users/${author.id}/tweets?max_results=5${token ? `&pagination_token=${token}` : ''}`), BEARER);
      seen.push(...(res.body.data ?? []).map((t) => t.id as string));
      token = res.body.meta.next_token;
    } while (token);
    expect(new Set(seen)).toEqual(new Set(expected));
    expect(seen.length).toBe(expected.length);
    const by = await getJson<{ data: Record<string, unknown>[]; errors: Record<string, unknown>[] }>(url(`users/by?usernames=${author.username},no_such_user_q&user.fields=created_at,public_metrics,verified`), BEARER);
    expect(by.body.data[0]).toMatchObject({ id: author.id, username: author.username, verified: author.verified });
    expect(by.body.errors[0]).toMatchObject({ resource_type: 'user', value: 'no_such_user_q' });
    // Lookups take 1–100 entries; a leading @ on a username is dropped.
    const at = await getJson<{ data: Record<string, unknown>[] }>(url(`users/by?usernames=@${author.username}`), BEARER);
    expect(at.body.data[0]).toMatchObject({ id: author.id });
    const many = Array.from({ length: 101 }, (_, i) => String(i + 1)).join(',');
    for (const [path, name] of [[`tweets?ids=${many}`, 'ids'], [`users?ids=${many}`, 'ids'], ['users/by?usernames=', 'usernames']]) {
      const bad = await getJson<{ errors: { message: string }[] }>(url(path), BEARER);
      expect(bad.status, path).toBe(400);
      expect(bad.body.errors[0].message).toBe(`The \`${name}\` query parameter value must have between 1 and 100 ${name}`);
    }
    const one = await getJson<{ data: Record<string, unknown> }>(url(`users/${author.id}?user.fields=created_at`), BEARER);
    expect(one.body.data.created_at).toBe(new Date(author.createdAt).toISOString());
    for (const t of world.twitter.tweets.slice(0, 50)) {
      expect(t.id).toMatch(/^\d{19}$/);
      expect(Math.abs(snowflakeTime(t.id) - t.createdAt)).toBeLessThan(1000);
    }
  });

  it('works with twitter-api-v2 pointed at the simulator', async () => {
    const client = new TwitterApi(BEARER, { httpAgent: new http.Agent() });
    // setPrefix is protected in the typings but is the documented way to re-point v2 (DESIGN.md §6).
    (client.v2 as unknown as { setPrefix(prefix: string): void }).setPrefix(sim.twitter.baseUrl);
    const brand = world.products[0].brand;
    const paginator = await client.v2.search(brand, { max_results: 10, 'tweet.fields': ['created_at', 'author_id'], expansions: ['author_id'] });
    const ids: string[] = [];
    for await (const t of paginator) ids.push(t.id);
    const expected = world.twitter.tweets.filter((t) => new RegExp(`\\b${brand}\\b`, 'i').test(t.text));
    expect(new Set(ids)).toEqual(new Set(expected.map((t) => t.id)));
    expect(paginator.rateLimit.limit).toBe(100_000);
    const empty = await client.v2.search('zzqqxnonexistentword');
    expect(empty.meta.result_count).toBe(0);
    expect(empty.tweets).toEqual([]);
  });
});

describe('X rate limits', () => {
  it('limits per token and endpoint, with epoch-second resets and 429s', async () => {
    const sim = await startSimulator({ world, rateLimits: { twitter: { limit: 5, windowMs: 1500 } } });
    try {
      const url = `${sim.twitter.baseUrl}tweets/search/recent?query=the`;
      const results: { status: number; remaining: string; reset: number; limit: string; date: number }[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await getJson(url, BEARER);
        results.push({ status: res.status, remaining: res.headers.get('x-rate-limit-remaining') as string, reset: Number(res.headers.get('x-rate-limit-reset')), limit: res.headers.get('x-rate-limit-limit') as string, date: Date.parse(res.headers.get('date') as string) });
      }
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(results.map((r) => r.remaining)).toEqual(['4', '3', '2', '1', '0', '0', '0']);
      expect(results[0].limit).toBe('5');
      // The server's clock is the world's (its Date header), as tweet ids are.
      const offset = results[0].date - Date.now();
      expect(Math.abs(offset - (world.now - Date.now()))).toBeLessThan(60_000);
      const nowSec = (Date.now() + offset) / 1000;
      // Epoch seconds, within the window from now. The Date header has whole seconds, so
      // nowSec can be up to 1 s early: the reset is at most the 1.5 s window, rounded up, later.
      expect(results[0].reset).toBeGreaterThan(nowSec - 1);
      expect(results[0].reset).toBeLessThanOrEqual(nowSec + 3);
      // Another endpoint and another app token have their own budgets.
      expect((await getJson(`${sim.twitter.baseUrl}users/${world.twitter.users[0].id}`, BEARER)).status).toBe(200);
      expect((await getJson(url, DEFAULT_TWITTER_APPS[1].bearerToken)).status).toBe(200);
      await sleep(results[0].reset * 1000 - offset - Date.now() + 1050);
      expect((await getJson(url, BEARER)).status).toBe(200);
      const stats = sim.stats();
      expect(stats.byClient[`twitter app:${DEFAULT_TWITTER_APPS[0].key}`].rateLimited).toBe(2);
    } finally {
      await sim.close();
    }
  });
});
