// Shared pieces of the crawler tests: a config pointing at a started simulator, the
// expected items from the simulator's world, and a quiet logger.
import pino from 'pino';
import type { Simulator } from '../../sim';
import type { Config } from '../../config/index';
import { crawlSource, type EngineOptions } from '../../crawlers/engine';
import type { Source } from '../../crawlers/source';
import type { Store } from '../../storage/store';
import { testConfig } from '../helpers/store';

export const quiet = pino({ level: 'silent' });

export const REDDIT_ENV = {
  REDDIT_CLIENT_ID: 'sim-reddit-client',
  REDDIT_CLIENT_SECRET: 'sim-reddit-secret',
  REDDIT_USERNAME: 'sim_user',
  REDDIT_PASSWORD: 'sim-password',
  TWITTER_BEARER_TOKEN: 'sim-x-bearer-token',
};

type Overrides = NonNullable<Parameters<typeof testConfig>[0]>['overrides'];

export function simConfig(sim: Simulator, overrides: Overrides = {}): Config {
  const webHost = new URL(sim.web.baseUrl).host;
  return testConfig({
    env: REDDIT_ENV,
    overrides: {
      ...overrides,
      reddit: { baseUrl: sim.reddit.baseUrl, authUrl: sim.reddit.authUrl, ...(overrides.reddit ?? {}) },
      twitter: { baseUrl: sim.twitter.baseUrl, ...(overrides.twitter ?? {}) },
      web: { allowDomains: [webHost], perDomainDelayMs: 0, ...(overrides.web ?? {}) },
      crawl: { maxRetries: 4, ...(overrides.crawl ?? {}) },
    } as Overrides,
  });
}

export function crawl(source: Source, store: Store, extra: Partial<EngineOptions> = {}) {
  return crawlSource(source, { store, log: quiet, signal: new AbortController().signal, concurrency: 3, ...extra });
}

/** The Reddit posts a crawl of these subreddits' /new listings (with comment trees) must store: id → deleted. */
export function expectedReddit(sim: Simulator, subreddits: string[]): Map<string, boolean> {
  const subs = new Set(subreddits.map((s) => s.toLowerCase()));
  const out = new Map<string, boolean>();
  for (const s of sim.world.reddit.submissions) if (subs.has(s.subreddit.toLowerCase())) out.set(`reddit:t3_${s.id}`, !!s.deleted);
  for (const c of sim.world.reddit.comments) if (subs.has(c.subreddit.toLowerCase())) out.set(`reddit:t1_${c.id}`, !!c.deleted);
  return out;
}

export async function storedPosts(store: Store, platform: string): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  for await (const p of store.posts.stream({ platform }, { projection: { _id: 1, deleted: 1 } })) {
    if (out.has(p._id)) throw new Error(`duplicate ${p._id}`);
    out.set(p._id, !!p.deleted);
  }
  return out;
}

/** Subreddits with few submissions, so that tests stay quick. */
export function smallSubreddits(sim: Simulator, n: number): string[] {
  const counts = new Map<string, number>();
  for (const s of sim.world.reddit.submissions) counts.set(s.subreddit, (counts.get(s.subreddit) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[1] - b[1]).slice(0, n).map(([s]) => s);
}
