// The engine's page pipeline (pages fetched ahead, accounts / posts / cursor stages running
// at once on different pages) against the simulator and the real store: when the store
// fails on a page while later pages are already fetched or in the stages, the unit stops,
// its cursor stays at the last page stored whole, nothing is sent after the crawl returns,
// and the next crawl goes on from there to exactly the simulator's set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourcePage } from '../../crawlers/source';
import { TwitterSource } from '../../crawlers/platforms/twitter/source';
import { type Simulator, startSimulator } from '../../sim';
import { testStore } from '../helpers/store';
import { crawl, simConfig } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 5, scale: 'small', rateLimits: { twitter: { limit: 100_000 } }, twitter: { recentSearchDays: null } });
});
afterAll(async () => {
  await sim?.close();
});

/** Every tweet a search for `query` reaches, paged by hand. */
async function searchAll(query: string): Promise<Set<string>> {
  const want = new Set<string>();
  let token: string | undefined;
  do {
    const u = new URL('tweets/search/recent', sim.twitter.baseUrl);
    u.searchParams.set('query', query);
    u.searchParams.set('max_results', '100');
    if (token) u.searchParams.set('next_token', token);
    const body = (await (await fetch(u, { headers: { authorization: 'Bearer sim-x-bearer-token' } })).json()) as {
      data?: { id: string }[];
      meta: { next_token?: string };
    };
    for (const t of body.data ?? []) want.add(`twitter:${t.id}`);
    token = body.meta.next_token;
  } while (token);
  return want;
}

describe('crawl pipeline', () => {
  it('a store failure stops the unit with the cursor at the last page stored, and the next crawl completes it', async () => {
    const store = await testStore();
    try {
      const want = await searchAll('the');
      sim.resetStats();
      expect(want.size).toBeGreaterThan(700);
      const config = simConfig(sim);
      const source = () => new TwitterSource({ config, bearerToken: 'sim-x-bearer-token', queries: ['the'] });

      // The store fails one post write, the third (a fault on the real store, not a fake one);
      // the pages after it are stored fine, but the unit must not save a cursor past it.
      const insertMany = store.posts.insertMany.bind(store.posts);
      let calls = 0;
      store.posts.insertMany = (docs) => (++calls === 3 ? Promise.reject(new Error('injected store failure')) : insertMany(docs));
      const stored: SourcePage[] = [];
      const fetched: SourcePage[] = [];
      const twitter = source();
      const recorded = Object.assign(Object.create(twitter), {
        async *pages(...args: Parameters<TwitterSource['pages']>) {
          for await (const page of twitter.pages(...args)) {
            fetched.push(page);
            yield page;
          }
        },
      }) as TwitterSource;
      let report: Awaited<ReturnType<typeof crawl>>;
      try {
        report = await crawl(recorded, store, { readAhead: 8, deletionSyncDays: 0, onPage: (_p, _u, page) => stored.push(page) });
      } finally {
        store.posts.insertMany = insertMany;
      }
      const sentAtReturn = sim.stats().log.length;
      expect(report.errors).toBe(1);
      expect(report.errorMessages[0]).toContain('injected store failure');
      expect(stored.length).toBeGreaterThanOrEqual(1);
      const state = await store.crawlState.get('twitter:search:the');
      expect(state?.nextToken).toBe(stored[stored.length - 1].cursor.nextToken);
      expect(state?.backfillDone).toBe(false);
      // Every post of every page up to the saved cursor is in the store.
      const upTo = fetched.findIndex((p) => p.cursor.nextToken === state?.nextToken);
      expect(upTo).toBeGreaterThanOrEqual(0);
      const ids = fetched.slice(0, upTo + 1).flatMap((p) => p.posts.map((x) => x._id));
      expect((await store.posts.getMany(ids, { projection: { _id: 1 } })).length).toBe(new Set(ids).size);
      expect(fetched.length).toBeGreaterThan(upTo + 2);
      // Later pages had been fetched while the failing one was being stored (checked above);
      // those were let go: nothing is sent once the crawl has returned.
      await new Promise((r) => setTimeout(r, 300));
      expect(sim.stats().log.length).toBe(sentAtReturn);

      const second = await crawl(source(), store, { readAhead: 8, deletionSyncDays: 0 });
      expect(second.errorMessages).toEqual([]);
      const all = new Set((await store.posts.find({ platform: 'twitter' }, { projection: { _id: 1 } })).map((p) => p._id));
      expect(all).toEqual(want);
      expect((await store.crawlState.get('twitter:search:the'))?.backfillDone).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('a fence that refuses stops the unit before the cursor moves: the cursor stays where the last allowed save left it', async () => {
    const store = await testStore();
    try {
      const config = simConfig(sim);
      const stored: SourcePage[] = [];
      let checks = 0;
      // A queue job's lease (jobs/distributed/lease.ts): lost after the second page's cursor.
      const fence = async () => {
        if (++checks > 2) throw new Error('lost the lock of job j: another worker has it now');
      };
      const source = new TwitterSource({ config, bearerToken: 'sim-x-bearer-token', queries: ['the'] });
      const report = await crawl(source, store, { readAhead: 4, deletionSyncDays: 0, fence, onPage: (_p, _u, page) => stored.push(page) });
      expect(report.errors).toBe(1);
      expect(report.errorMessages[0]).toContain('another worker has it now');
      expect(stored).toHaveLength(2);
      const state = await store.crawlState.get('twitter:search:the');
      expect(state?.nextToken).toBe(stored[1].cursor.nextToken);
      expect(state?.backfillDone).toBe(false);
    } finally {
      await store.close();
    }
  }, 60_000);
});
