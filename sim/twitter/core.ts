// The server's clock, faults, rate limits and usage cap, and the world's tweets and users indexed.
import { FaultInjector, type FaultOptions } from '../faults';
import { normalise } from '../query';
import { FirstRequestWindowLimiter, type LimitSpec } from '../ratelimit';
import { TweetIndex, cmpId } from '../search-index';
import { RequestLog } from '../stats';
import type { Tweet } from '../world';
import { DEFAULT_TWITTER_APPS, DEFAULT_TWITTER_OAUTH_CLIENT, TWITTER_ENDPOINT_LIMITS, type TwitterRateLimits, type TwitterSimOptions } from './common';

export function twitterCore(options: TwitterSimOptions) {
  const world = options.world;
  const apps = options.apps ?? DEFAULT_TWITTER_APPS;
  const oauthClient = options.oauthClient ?? DEFAULT_TWITTER_OAUTH_CLIENT;
  const log = options.log ?? new RequestLog();
  const startedReal = Date.now();
  // The server's clock is the world's: Date and rate-limit reset headers agree with the tweet
  // ids, as on X (a crawler judges the 7-day search limit by them). A clockOffsetMs fault
  // shifts it further.
  const worldShift = world.now - startedReal;
  const withWorldClock = (o: FaultOptions = {}): FaultOptions => ({ ...o, clockOffsetMs: (o.clockOffsetMs ?? 0) + worldShift });
  const faults = new FaultInjector(withWorldClock(options.faults));
  const tokenTtl = options.tokenTtlSec ?? 7200;
  /** Settings a test changes while the server runs, and the caller of the request being handled (handlers run synchronously). */
  const mutable: { limits: TwitterRateLimits; usageCap: number | null; currentCaller: string | undefined } = {
    limits: options.rateLimits ?? {},
    usageCap: options.usageCap ?? null,
    currentCaller: undefined,
  };
  const limiter = new FirstRequestWindowLimiter(
    (endpoint): LimitSpec => ({
      windowMs: mutable.limits.windowMs ?? 15 * 60_000,
      limit: mutable.limits.perEndpoint?.[endpoint] ?? mutable.limits.limit ?? TWITTER_ENDPOINT_LIMITS[endpoint] ?? 300,
    }),
  );
  const usage = new Map<string, number>();
  const worldNow = () => world.now + (Date.now() - startedReal);

  // ---------------------------------------------------------------- indexes
  const tweetsNewest: Tweet[] = world.twitter.tweets.slice().sort((a, b) => cmpId(b.id, a.id));
  const tweetById = new Map(world.twitter.tweets.map((t) => [t.id, t]));
  const userById = new Map(world.twitter.users.map((u) => [u.id, u]));
  const userByName = new Map(world.twitter.users.map((u) => [u.username.toLowerCase(), u]));
  const userTweets = new Map<string, Tweet[]>();
  for (const t of tweetsNewest) {
    const list = userTweets.get(t.authorId);
    if (list) list.push(t);
    else userTweets.set(t.authorId, [t]);
  }
  const normalised = new WeakMap<Tweet, string>();
  const textOf = (t: Tweet) => {
    let n = normalised.get(t);
    if (n === undefined) {
      n = normalise(t.text);
      normalised.set(t, n);
    }
    return n;
  };
  const searchIndex = new TweetIndex(tweetsNewest, textOf);
  return {
    options,
    world,
    apps,
    oauthClient,
    log,
    startedReal,
    worldShift,
    withWorldClock,
    faults,
    tokenTtl,
    mutable,
    limiter,
    usage,
    worldNow,
    tweetsNewest,
    tweetById,
    userById,
    userByName,
    userTweets,
    normalised,
    textOf,
    searchIndex,
  };
}
