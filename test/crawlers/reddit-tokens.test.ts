// A Reddit credential logs in once per process, however many sources use it (a distributed
// crawl builds one per unit batch), and a page asks the store nothing it does not need.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedditSource } from '../../crawlers/platforms/reddit/source';
import type { SourcePage, UnitContext } from '../../crawlers/source';
import { DEFAULT_REDDIT_CLIENTS, type Simulator, startSimulator } from '../../sim';
import { REDDIT_ENV, simConfig } from './helpers';

const SIM = { seed: 11, scale: 'small', rateLimits: { reddit: { limit: 100_000, windowMs: 60_000 } } } as const;
const login = { username: REDDIT_ENV.REDDIT_USERNAME, password: REDDIT_ENV.REDDIT_PASSWORD };

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator(SIM);
});
afterAll(async () => {
  await sim?.close();
});

const source = (s: Simulator, client = 0, reddit: Record<string, unknown> = {}) =>
  new RedditSource({
    config: simConfig(s, { reddit: { comments: false, fetchAuthors: false, ...reddit } }),
    credentials: { clientId: DEFAULT_REDDIT_CLIENTS[client].id, clientSecret: DEFAULT_REDDIT_CLIENTS[client].secret, ...login },
    pageSize: 5,
  });

/** The first page of one subreddit's /new listing; `asked` counts the store look-ups it makes. */
async function firstPage(src: RedditSource, sub: string, asked = { posts: 0, accounts: 0 }): Promise<SourcePage> {
  const ctx = {
    signal: new AbortController().signal,
    knownPosts: async () => {
      asked.posts++;
      return new Set<string>();
    },
    knownAccounts: async () => {
      asked.accounts++;
      return new Set<string>();
    },
    spend: () => {},
    state: null,
  } as unknown as UnitContext;
  const it = src.pages({ id: `reddit:r/${sub}:new`, label: `r/${sub} new` }, ctx)[Symbol.asyncIterator]();
  const r = await it.next();
  await it.return?.(undefined);
  if (r.done) throw new Error(`no page for r/${sub}`);
  return r.value;
}

const logins = (s: Simulator, client = DEFAULT_REDDIT_CLIENTS[0].id) =>
  s.stats().log.filter((r) => r.platform === 'reddit' && r.endpoint.includes('access_token') && r.client === client).length;

describe('reddit access tokens', () => {
  it('sources of one process share their credential’s token: one login for many sources at once and after, one per credential', async () => {
    sim.resetStats();
    const subs = ['gadgets', 'headphones', 'fitness', 'dogs'];
    // Four sources asking at the same moment (a worker starting four unit batches), then two more.
    const pages = await Promise.all(subs.map((s) => firstPage(source(sim), s)));
    for (const p of pages) expect(p.posts.length).toBeGreaterThan(0);
    await firstPage(source(sim), 'gadgets');
    await firstPage(source(sim), 'dogs');
    expect(logins(sim)).toBe(1);
    // Another app is another credential: its own token.
    await firstPage(source(sim, 1), 'gadgets');
    expect(logins(sim, DEFAULT_REDDIT_CLIENTS[1].id)).toBe(1);
    expect(logins(sim)).toBe(1);
  });

  it('a token the API refuses is not handed out again: the next request logs in anew', async () => {
    const own = await startSimulator(SIM);
    try {
      const src = source(own);
      await firstPage(src, 'gadgets');
      expect(logins(own)).toBe(1);
      // The server forgets the token it issued (a revocation). Re-binding a freed port to a
      // fresh server did the same, but another test process could take the port meanwhile.
      own.reddit.sim.revokeTokens();
      await expect(firstPage(src, 'gadgets')).rejects.toThrow(/401/);
      expect((await firstPage(src, 'gadgets')).posts.length).toBeGreaterThan(0);
      expect((await firstPage(source(own), 'dogs')).posts.length).toBeGreaterThan(0);
      expect(logins(own)).toBe(2);
    } finally {
      await own.close();
    }
  });

  it('without comments a page asks the store nothing about its posts (only comment trees need it)', async () => {
    const asked = { posts: 0, accounts: 0 };
    await firstPage(source(sim, 0, { fetchAuthors: true }), 'gadgets', asked);
    expect(asked).toEqual({ posts: 0, accounts: 1 });
    const withComments = { posts: 0, accounts: 0 };
    await firstPage(source(sim, 0, { comments: true }), 'gadgets', withComments);
    expect(withComments.posts).toBe(1);
  });
});
