// X (Twitter) API v2 imitation over a simulated world: app-only bearer tokens and OAuth2
// user tokens, recent search with the query operators crawlers use, user timelines, tweet
// and user lookups, fields and expansions, X's error shapes, per-token-per-endpoint rate
// limits with epoch resets. The parts, one file each: core (clock, limits, indexes), tokens,
// serialise (fields, expansions, edits), paging (params, pages, query filters), routes;
// here the request handler, the server and the test controls.
import { createServer } from 'node:http';
import type { FaultDecision } from '../faults';
import { type SimRequest, type SimResponse, json, listener } from '../http';
import { snowflake } from '../ids';
import { cmpId } from '../search-index';
import type { Tweet } from '../world';
import {
  TWITTER_ENDPOINT_LIMITS,
  type TwitterSimOptions,
  type TwitterSim,
  EDIT_WINDOW_MIN,
  EDITS_ALLOWED,
  PROBLEM,
  InvalidRequest,
  invalidResponse,
  problem,
} from './common';
import { twitterCore } from './core';
import { twitterTokens } from './tokens';
import { twitterSerialisation } from './serialise';
import { twitterPaging } from './paging';
import { twitterRoutes } from './routes';

export {
  type TwitterApp,
  type TwitterOAuthClient,
  DEFAULT_TWITTER_APPS,
  DEFAULT_TWITTER_OAUTH_CLIENT,
  DEFAULT_TWITTER_LOGIN,
  TWITTER_ENDPOINT_LIMITS,
  type TwitterRateLimits,
  type TwitterSimOptions,
  type TwitterSim,
  EDIT_WINDOW_MIN,
  EDITS_ALLOWED,
  RETWEET_TEXT_MAX,
  tweetHasPhoto,
  escapeXText,
  retweetText,
} from './common';

export function createTwitterSim(options: TwitterSimOptions): TwitterSim {
  const c0 = twitterCore(options);
  const c1 = { ...c0, ...twitterTokens(c0) };
  const c2 = { ...c1, ...twitterSerialisation(c1) };
  const c3 = { ...c2, ...twitterPaging(c2) };
  const c4 = { ...c3, ...twitterRoutes(c3) };
  const {
    world,
    log,
    withWorldClock,
    faults,
    mutable,
    limiter,
    usage,
    worldNow,
    tweetsNewest,
    tweetById,
    userById,
    userTweets,
    searchIndex,
    oauthToken,
    appToken,
    authorize,
    versions,
    rootOf,
    superseded,
    historyOf,
    routes,
    rateHeaders,
    callerOf,
  } = c4;
  const handle = (req: SimRequest): SimResponse => {
    const path = req.path.replace(/\/+$/, '') || '/';
    if (req.method === 'POST' && path === '/2/oauth2/token') return oauthToken(req);
    if (req.method === 'POST' && path === '/oauth2/token') return appToken(req);
    if (req.method === 'GET' && path === '/i/oauth2/authorize') return authorize(req);
    const route = routes.find((r) => r.pattern.test(path));
    const endpoint = route ? route.name : `${req.method} ${path}`;
    const caller = callerOf(req);
    if (!caller) return { ...problem(401, 'Unauthorized'), endpoint };
    if (!route || req.method !== 'GET')
      return { ...json(404, { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] }), endpoint, client: caller };
    const rl = limiter.hit(caller, route.name, faults.now());
    const headers = rateHeaders(rl);
    if (!rl.allowed) return { ...problem(429, 'Too Many Requests'), headers, endpoint, client: caller };
    // The monthly cap answers 429 too, with the rate window far from used up.
    if (mutable.usageCap !== null && (usage.get(caller) ?? 0) >= mutable.usageCap) {
      return {
        ...json(429, {
          title: 'UsageCapExceeded',
          detail: 'Usage cap exceeded: Monthly product cap',
          type: `${PROBLEM}/usage-capped`,
          period: 'Monthly',
          scope: 'Product',
        }),
        headers,
        endpoint,
        client: caller,
      };
    }
    let out: SimResponse;
    try {
      mutable.currentCaller = caller;
      out = route.handler(route.pattern.exec(path) as RegExpExecArray, req);
    } catch (e) {
      if (e instanceof InvalidRequest) out = invalidResponse(e);
      else throw e;
    } finally {
      mutable.currentCaller = undefined;
    }
    return { ...out, headers: { ...out.headers, ...headers }, endpoint, client: caller };
  };

  const faultResponse = (d: FaultDecision, req: SimRequest): SimResponse => {
    const client = callerOf(req) ?? 'anonymous';
    const path = req.path.replace(/\/+$/, '');
    const route = routes.find((r) => r.pattern.test(path));
    const endpoint = route?.name ?? `${req.method} ${path}`;
    if (d.kind === '429') {
      const spec = { limit: mutable.limits.perEndpoint?.[endpoint] ?? mutable.limits.limit ?? TWITTER_ENDPOINT_LIMITS[endpoint] ?? 300 };
      return {
        ...problem(429, 'Too Many Requests'),
        headers: rateHeaders({ limit: spec.limit, remaining: 0, resetAt: d.stormUntil ?? faults.now() + 1000 }),
        client,
        endpoint,
      };
    }
    const status = d.status ?? 503;
    const title = status === 500 ? 'Internal Server Error' : status === 502 ? 'Bad Gateway' : status === 504 ? 'Gateway Timeout' : 'Service Unavailable';
    return { ...problem(status, title), client, endpoint };
  };

  const server = createServer(
    listener({
      platform: 'twitter',
      faults,
      log,
      faultable: (path) => path.startsWith('/2/') && path !== '/2/oauth2/token',
      faultResponse,
      handle,
    }),
  );
  server.keepAliveTimeout = 5000;

  let seq = 0;
  /** Adds a tweet posted now (newest of all) to every index. */
  const publish = (input: Pick<Tweet, 'authorId' | 'text' | 'inReplyToUserId' | 'referenced'> & { conversationId?: string }): Tweet => {
    const createdAt = Math.max(worldNow(), (tweetsNewest[0]?.createdAt ?? 0) + 1);
    let id = snowflake(createdAt, 4_000_000 + (seq++ % 100_000));
    if (tweetsNewest[0] && cmpId(id, tweetsNewest[0].id) <= 0) id = (BigInt(tweetsNewest[0].id) + 1n).toString();
    const t: Tweet = {
      id,
      authorId: input.authorId,
      text: input.text,
      createdAt,
      conversationId: input.conversationId ?? id,
      inReplyToUserId: input.inReplyToUserId,
      referenced: input.referenced,
      likes: 0,
      retweets: 0,
      replies: 0,
      quotes: 0,
      impressions: 0,
      productIds: [],
    };
    world.twitter.tweets.push(t);
    tweetsNewest.unshift(t);
    searchIndex.addNewest(t);
    tweetById.set(t.id, t);
    const list = userTweets.get(t.authorId);
    if (list) list.unshift(t);
    else userTweets.set(t.authorId, [t]);
    return t;
  };
  return {
    server,
    log,
    faults,
    setFaults: (o) => faults.set(withWorldClock(o)),
    setRateLimits: (l) => {
      mutable.limits = l;
    },
    addTweet: (input) => {
      const author = userById.get(input.authorId);
      if (!author) throw new Error(`no such user ${input.authorId}`);
      const parent = input.inReplyTo ? tweetById.get(input.inReplyTo) : undefined;
      const shared = input.retweetOf ?? input.quoteOf;
      const original = shared ? tweetById.get(shared) : undefined;
      if (shared && !original) throw new Error(`no such tweet ${shared}`);
      const referenced: Tweet['referenced'] = parent
        ? [{ type: 'replied_to', id: parent.id }]
        : original
          ? [{ type: input.retweetOf ? 'retweeted' : 'quoted', id: original.id }]
          : undefined;
      const text = input.retweetOf && original ? `RT @${userById.get(original.authorId)?.username}: ${original.text}` : input.text;
      if (original && input.retweetOf) original.retweets++;
      else if (original) original.quotes++;
      return publish({ authorId: author.id, text, conversationId: parent?.conversationId, inReplyToUserId: parent?.authorId, referenced });
    },
    editTweet: (id, text) => {
      const old = tweetById.get(id);
      if (!old || old.deleted) throw new Error(`no such tweet ${id}`);
      const history = historyOf(old);
      if (history[history.length - 1] !== id) throw new Error(`tweet ${id} is not the newest version (${history[history.length - 1]} is)`);
      const root = tweetById.get(history[0]) as Tweet;
      if (worldNow() > root.createdAt + EDIT_WINDOW_MIN * 60_000 || history.length > EDITS_ALLOWED) throw new Error(`tweet ${id} can no longer be edited`);
      const t = publish({ authorId: old.authorId, text, conversationId: old.conversationId, inReplyToUserId: old.inReplyToUserId, referenced: old.referenced });
      Object.assign(t, {
        likes: old.likes,
        retweets: old.retweets,
        replies: old.replies,
        quotes: old.quotes,
        impressions: old.impressions,
        productIds: old.productIds,
      });
      versions.set(root.id, [...history, t.id]);
      rootOf.set(root.id, root.id);
      for (const v of [...history, t.id]) rootOf.set(v, root.id);
      superseded.add(id);
      return t;
    },
    setUsageCap: (cap) => {
      mutable.usageCap = cap;
      usage.clear();
    },
    deleteTweet: (id) => {
      const t = tweetById.get(id);
      if (!t) return false;
      t.deleted = true;
      return true;
    },
  };
}
