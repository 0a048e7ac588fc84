// The API's routes and the payloads they answer with, and who is calling.
import { type SimRequest, type SimResponse, bearer, json } from '../http';
import { snowflake, snowflakeTime } from '../ids';
import { QueryError, type QueryNode, parseQuery } from '../query';
import type { Tweet, TwitterUser } from '../world';
import { USER_FIELDS, EXPANSIONS, PROBLEM, InvalidRequest, invalid } from './common';
import type { twitterCore } from './core';
import type { twitterTokens } from './tokens';
import type { twitterSerialisation } from './serialise';
import type { twitterPaging } from './paging';

/** A comma-separated list parameter of 1–100 entries (`ids`, `usernames`), else X's invalid-request error. */
function lookupList(q: URLSearchParams, name: string, clean: (x: string) => string = (x) => x.trim()): string[] {
  const raw = q.get(name) ?? '';
  const list = raw.split(',').map(clean).filter(Boolean);
  if (list.length === 0 || list.length > 100) throw invalid(name, raw, `The \`${name}\` query parameter value must have between 1 and 100 ${name}`);
  return list;
}

export function twitterRoutes(
  ctx: ReturnType<typeof twitterCore> & ReturnType<typeof twitterTokens> & ReturnType<typeof twitterSerialisation> & ReturnType<typeof twitterPaging>,
) {
  const {
    options,
    worldNow,
    tweetsNewest,
    tweetById,
    userById,
    userByName,
    userTweets,
    searchIndex,
    appTokens,
    userTokens,
    listParam,
    userJson,
    tweetsPayload,
    intParam,
    idParam,
    timeParam,
    pageOf,
    matcher,
  } = ctx;
  // ---------------------------------------------------------------- routes
  type Handler = (m: RegExpExecArray, req: SimRequest) => SimResponse;
  const routes: { pattern: RegExp; name: string; handler: Handler }[] = [
    {
      pattern: /^\/2\/tweets\/search\/recent$/,
      name: 'GET /2/tweets/search/recent',
      handler: (_m, req) => {
        const q = req.query;
        const query = q.get('query');
        if (!query) throw new InvalidRequest([{ parameters: { query: [] }, message: 'The `query` query parameter can not be empty' }]);
        if (query.length > 512) throw invalid('query', query, 'The `query` query parameter value is too long (512 characters max)');
        let node: QueryNode;
        try {
          node = parseQuery(query);
        } catch (e) {
          if (e instanceof QueryError) throw invalid('query', query, `There were errors processing your request: ${e.message}`);
          throw e;
        }
        const max = intParam(q, 'max_results', 10, 100, 10);
        const floor = options.recentSearchDays ? worldNow() - options.recentSearchDays * 86_400_000 : -Infinity;
        const since = idParam(q, 'since_id');
        if (since && snowflakeTime(since) < floor) {
          const at = new Date(floor).toISOString().replace(/\.\d{3}Z$/, 'Z');
          throw invalid(
            'since_id',
            since,
            `Invalid 'since_id':'${since}'. 'since_id' must be a tweet id created after ${at}. Please use a 'since_id' that is larger than ${snowflake(floor, 0)}`,
          );
        }
        const st = timeParam(q, 'start_time');
        if (st !== undefined && st < floor)
          throw invalid(
            'start_time',
            q.get('start_time') as string,
            `Invalid 'start_time':'${q.get('start_time')}'. 'start_time' must be on or after ${new Date(floor).toISOString()}`,
          );
        const match = matcher(node);
        let p: ReturnType<typeof pageOf>;
        try {
          p = pageOf(searchIndex.candidates(node) ?? tweetsNewest, q, max, 'next_token', (t) => t.createdAt >= floor && match(t));
        } catch (e) {
          if (e instanceof QueryError) throw invalid('query', query, `There were errors processing your request: ${e.message}`);
          throw e;
        }
        return json(200, { ...tweetsPayload(p.list, q), meta: p.meta });
      },
    },
    {
      pattern: /^\/2\/users\/(\d+)\/tweets$/,
      name: 'GET /2/users/:id/tweets',
      handler: (m, req) => {
        const q = req.query;
        const user = userById.get(m[1]);
        if (!user) return json(200, { errors: [notFound('user', 'id', m[1])] });
        const max = intParam(q, 'max_results', 5, 100, 10);
        const exclude = listParam(q, 'exclude', ['retweets', 'replies']);
        // The timeline reaches only the most recent 3,200 tweets.
        const pool = (userTweets.get(user.id) ?? []).filter((t) => !t.deleted).slice(0, 3200);
        const p = pageOf(pool, q, max, 'pagination_token', (t) => {
          if (exclude.has('retweets') && t.referenced?.some((r) => r.type === 'retweeted')) return false;
          if (exclude.has('replies') && t.referenced?.some((r) => r.type === 'replied_to')) return false;
          return true;
        });
        return json(200, { ...tweetsPayload(p.list, q), meta: p.meta });
      },
    },
    {
      pattern: /^\/2\/tweets$/,
      name: 'GET /2/tweets',
      handler: (_m, req) => {
        const ids = lookupList(req.query, 'ids');
        const found: Tweet[] = [];
        const errors: unknown[] = [];
        for (const id of ids) {
          const t = tweetById.get(id);
          if (t && !t.deleted) found.push(t);
          else errors.push(notFound('tweet', 'ids', id));
        }
        const payload = tweetsPayload(found, req.query);
        return json(200, errors.length ? { ...payload, errors } : payload);
      },
    },
    {
      pattern: /^\/2\/tweets\/(\d+)$/,
      name: 'GET /2/tweets/:id',
      handler: (m, req) => {
        const t = tweetById.get(m[1]);
        if (!t || t.deleted) return json(200, { errors: [notFound('tweet', 'id', m[1])] });
        const payload = tweetsPayload([t], req.query);
        return json(200, { ...payload, data: (payload.data as unknown[])[0] });
      },
    },
    {
      pattern: /^\/2\/users\/by$/,
      name: 'GET /2/users/by',
      handler: (_m, req) => {
        const names = lookupList(req.query, 'usernames', (x) => x.trim().replace(/^@/, ''));
        return usersPayload(
          names.map((n) => [n, userByName.get(n.toLowerCase())] as const),
          'usernames',
          req.query,
        );
      },
    },
    {
      pattern: /^\/2\/users\/by\/username\/(\w+)$/,
      name: 'GET /2/users/by/username/:username',
      handler: (m, req) => singleUser(userByName.get(m[1].toLowerCase()), 'username', m[1], req.query),
    },
    {
      pattern: /^\/2\/users$/,
      name: 'GET /2/users',
      handler: (_m, req) => {
        const ids = lookupList(req.query, 'ids');
        return usersPayload(
          ids.map((id) => [id, userById.get(id)] as const),
          'ids',
          req.query,
        );
      },
    },
    {
      pattern: /^\/2\/users\/(\d+)$/,
      name: 'GET /2/users/:id',
      handler: (m, req) => singleUser(userById.get(m[1]), 'id', m[1], req.query),
    },
  ];

  const notFound = (resource: 'user' | 'tweet', parameter: string, value: string) => ({
    value,
    detail: `Could not find ${resource} with ${parameter}: [${value}].`,
    title: 'Not Found Error',
    resource_type: resource,
    parameter,
    resource_id: value,
    type: `${PROBLEM}/resource-not-found`,
  });
  const usersPayload = (pairs: (readonly [string, TwitterUser | undefined])[], parameter: string, q: URLSearchParams): SimResponse => {
    const uf = listParam(q, 'user.fields', USER_FIELDS);
    listParam(q, 'expansions', EXPANSIONS);
    const data = pairs.filter(([, u]) => u).map(([, u]) => userJson(u as TwitterUser, uf));
    const errors = pairs.filter(([, u]) => !u).map(([v]) => notFound('user', parameter, v));
    const out: Record<string, unknown> = {};
    if (data.length) out.data = data;
    if (errors.length) out.errors = errors;
    return json(200, out);
  };
  const singleUser = (u: TwitterUser | undefined, parameter: string, value: string, q: URLSearchParams): SimResponse => {
    const uf = listParam(q, 'user.fields', USER_FIELDS);
    if (!u) return json(200, { errors: [notFound('user', parameter, value)] });
    return json(200, { data: userJson(u, uf) });
  };

  const rateHeaders = (r: { limit: number; remaining: number; resetAt: number }) => ({
    'x-rate-limit-limit': String(r.limit),
    'x-rate-limit-remaining': String(Math.max(0, r.remaining)),
    'x-rate-limit-reset': String(Math.ceil(r.resetAt / 1000)),
  });

  const callerOf = (req: SimRequest): string | undefined => {
    const tok = bearer(req.headers.authorization);
    if (!tok) return undefined;
    const app = appTokens.get(tok);
    if (app) return app;
    const u = userTokens.get(tok);
    return u && u.expiresAt > Date.now() ? `user:${u.user}` : undefined;
  };

  return { routes, notFound, usersPayload, singleUser, rateHeaders, callerOf };
}
