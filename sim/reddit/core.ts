// The server's settings, the world indexed, tokens, edits, subreddit access and ids, and its clock.
import { FaultInjector } from '../faults';
import { AlignedWindowLimiter } from '../ratelimit';
import { RequestLog } from '../stats';
import { DEFAULT_REDDIT_CLIENTS, DEFAULT_REDDIT_LOGINS, type RedditSimOptions, type Token, lower, RedditIndex, type SubredditAccess } from './common';

export function redditCore(options: RedditSimOptions) {
  const world = options.world;
  const clients = options.clients ?? DEFAULT_REDDIT_CLIENTS;
  const logins = options.logins ?? DEFAULT_REDDIT_LOGINS;
  const listingCap = options.listingCap ?? 1000;
  const searchCap = options.searchCap ?? 250;
  const tokenTtl = options.tokenTtlSec ?? 86_400;
  const log = options.log ?? new RequestLog();
  const faults = new FaultInjector(options.faults);
  const limiter = new AlignedWindowLimiter(options.rateLimit ?? { limit: 600, windowMs: 600_000 });
  const index = new RedditIndex(world);
  const tokens = new Map<string, Token>();
  const refreshTokens = new Map<string, { clientId: string; user: string }>();
  /** Ids of items added while the server runs (addSubmission, addComment). */
  const ids = { nextSubId: 0, nextComId: 0 };
  ids.nextSubId = world.reddit.submissions.reduce((m, s) => Math.max(m, parseInt(s.id, 36)), parseInt('1g00000', 36)) + 1;
  ids.nextComId = world.reddit.comments.reduce((m, c) => Math.max(m, parseInt(c.id, 36)), parseInt('lq00000', 36)) + 1;
  const subredditIds = new Map<string, string>();
  /** Edits by fullname: the new text and the edit time (world seconds). */
  const edits = new Map<string, { text: string; at: number }>();
  const access = new Map<string, SubredditAccess>();
  const subredditId = (name: string) => {
    let id = subredditIds.get(lower(name));
    if (!id) {
      id = `t5_${(parseInt('2qh00', 36) + subredditIds.size * 37).toString(36)}`;
      subredditIds.set(lower(name), id);
    }
    return id;
  };
  /** Items are timestamped on the world's clock, which keeps running while the server is up. */
  const startedReal = Date.now();
  const worldNowSec = () => Math.floor((world.now + (Date.now() - startedReal)) / 1000);
  return {
    world,
    clients,
    logins,
    listingCap,
    searchCap,
    tokenTtl,
    log,
    faults,
    limiter,
    index,
    tokens,
    refreshTokens,
    ids,
    subredditIds,
    edits,
    access,
    subredditId,
    startedReal,
    worldNowSec,
  };
}
