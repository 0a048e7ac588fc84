// Reddit API imitation (oauth.reddit.com shapes) over a simulated world: OAuth tokens,
// subreddit and user listings, search, comment trees with `more` stubs, morechildren,
// info, user about; rate limits per OAuth client id; deleted content.
// Shapes follow recorded real traffic (../shared/replay-cassettes, test/crawlers/replay-*):
// times and `edited` are float epoch seconds ("1594424685.0"), `edited` is false until an
// edit; a `more` stub lists the cut-off direct replies and counts them with all their
// descendants; below the depth limit a "continue this thread" stub (`id: "_"`, count 0, no
// children) stands for the replies, fetched with /comments/<link>/_/<comment>; a comment
// whose author deleted the account keeps its body under author `[deleted]`; private and
// quarantined subreddits answer 403 with a `reason`, banned ones 404.
// The parts, one file each: core (settings, index, ids, clock), serialise (things and
// listings), auth (the token endpoint), routes; here the request handler, the server and
// the test controls.
import { createServer } from 'node:http';
import type { FaultDecision } from '../faults';
import { bearer, json, listener, type SimRequest, type SimResponse } from '../http';
import type { RedditComment, RedditSubmission } from '../world';
import { type RedditSimOptions, lower, type RedditSim, rateHeaders, floatTimes } from './common';
import { redditCore } from './core';
import { redditSerialisation } from './serialise';
import { redditAuth } from './auth';
import { redditRoutes } from './routes';

export {
  type RedditClient,
  type RedditLogin,
  DEFAULT_REDDIT_CLIENTS,
  DEFAULT_REDDIT_LOGINS,
  type RedditSimOptions,
  type RedditSim,
  type SubredditAccess,
} from './common';

export function createRedditSim(options: RedditSimOptions): RedditSim {
  const c0 = redditCore(options);
  const c1 = { ...c0, ...redditSerialisation(c0) };
  const c2 = { ...c1, ...redditAuth(c1) };
  const c3 = { ...c2, ...redditRoutes(c2) };
  const { world, log, faults, limiter, index, tokens, ids, edits, access, worldNowSec, tokenEndpoint, notFound, routes } = c3;
  const handle = (req: SimRequest): SimResponse => {
    const path = req.path.replace(/\.json$/, '').replace(/\/+$/, '') || '/';
    if (path === '/api/v1/access_token' && req.method === 'POST') return tokenEndpoint(req);
    const route = routes.find((r) => r.pattern.test(path));
    const endpoint = route?.name ?? `${req.method} ${path}`;
    const access = bearer(req.headers.authorization);
    const token = access ? tokens.get(access) : undefined;
    if (!token || token.expiresAt <= Date.now()) {
      return { ...json(401, { message: 'Unauthorized', error: 401 }, { 'www-authenticate': 'Bearer realm="reddit", error="invalid_token"' }), endpoint };
    }
    const rl = limiter.hit(token.clientId, faults.now());
    const headers = rateHeaders(rl.used, rl.remaining, rl.resetAt, faults.now());
    if (!rl.allowed)
      return {
        status: 429,
        headers,
        body: JSON.stringify({ message: 'Too Many Requests', error: 429 }),
        contentType: 'application/json; charset=utf-8',
        client: token.clientId,
        endpoint,
      };
    const m = route?.pattern.exec(path);
    const raw = req.query.get('raw_json') === '1';
    const out = route && m && (req.method === 'GET' || route.name === 'GET /api/morechildren') ? route.handler(m, req, raw) : notFound();
    return { ...out, body: floatTimes(out.body), headers: { ...out.headers, ...headers }, client: token.clientId, endpoint };
  };

  const faultResponse = (d: FaultDecision, req: SimRequest): SimResponse => {
    const access = bearer(req.headers.authorization);
    const client = (access && tokens.get(access)?.clientId) || 'anonymous';
    if (d.kind === '429') {
      const now = faults.now();
      const headers = rateHeaders(limiter.spec.limit, 0, Math.max(d.stormUntil ?? now, now + 1000), now);
      return {
        status: 429,
        headers,
        body: JSON.stringify({ message: 'Too Many Requests', error: 429 }),
        contentType: 'application/json; charset=utf-8',
        client,
      };
    }
    // Reddit's CDN answers outages with an HTML page, not JSON.
    return {
      status: d.status ?? 503,
      body: '<!doctype html><html><head><title>Reddit - Service unavailable</title></head><body><p>Our CDN was unable to reach our servers.</p></body></html>',
      contentType: 'text/html; charset=utf-8',
      client,
    };
  };

  const server = createServer(
    listener({
      platform: 'reddit',
      faults,
      log,
      faultable: (path) => path !== '/api/v1/access_token',
      faultResponse,
      handle,
    }),
  );
  server.keepAliveTimeout = 5000;

  return {
    server,
    log,
    faults,
    setFaults: (o) => faults.set(o),
    setRateLimit: (spec) => {
      limiter.spec = spec;
    },
    revokeTokens: () => tokens.clear(),
    addSubmission: (input) => {
      const s: RedditSubmission = {
        id: (ids.nextSubId++).toString(36),
        subreddit: index.subredditNames.get(lower(input.subreddit)) ?? input.subreddit,
        author: input.author,
        title: input.title,
        selftext: input.selftext ?? '',
        createdUtc: Math.max(worldNowSec(), index.allNew[0]?.createdUtc ?? 0),
        score: 1,
        upvoteRatio: 1,
        numComments: 0,
        productIds: [],
      };
      world.reddit.submissions.push(s);
      index.addSubmission(s);
      return s;
    },
    addComment: (input) => {
      const parent = index.things.get(input.parent);
      if (!parent) throw new Error(`no such parent ${input.parent}`);
      const link = parent.kind === 't3' ? parent.s : (index.subById.get(parent.c.linkId) as RedditSubmission);
      const c: RedditComment = {
        id: (ids.nextComId++).toString(36),
        linkId: link.id,
        parentId: input.parent,
        subreddit: link.subreddit,
        author: input.author,
        body: input.body,
        createdUtc: worldNowSec(),
        score: 1,
        depth: parent.kind === 't1' ? parent.c.depth + 1 : 0,
        productIds: [],
      };
      world.reddit.comments.push(c);
      index.addComment(c);
      link.numComments++;
      return c;
    },
    editItem: (fullname, text) => {
      if (!index.things.has(fullname)) return false;
      edits.set(fullname, { text, at: worldNowSec() });
      return true;
    },
    setSubredditAccess: (name, a) => {
      if (a) access.set(lower(name), a);
      else access.delete(lower(name));
    },
    deleteItem: (fullname, how = 'deleted') => {
      const t = index.things.get(fullname);
      if (!t) return false;
      if (t.kind === 't3') t.s.deleted = how;
      else t.c.deleted = how;
      return true;
    },
  };
}
