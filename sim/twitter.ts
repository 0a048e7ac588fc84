// X (Twitter) API v2 imitation over a simulated world: app-only bearer tokens and OAuth2
// user tokens, recent search with the query operators crawlers use, user timelines, tweet
// and user lookups, fields and expansions, X's error shapes, per-token-per-endpoint rate
// limits with epoch resets.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type FaultDecision, FaultInjector, type FaultOptions } from './faults';
import { type SimRequest, type SimResponse, basicAuth, bearer, json, listener } from './http';
import { snowflake, snowflakeTime } from './ids';
import { QueryError, type QueryNode, evaluate, normalise, parseQuery } from './query';
import { FirstRequestWindowLimiter, type LimitSpec } from './ratelimit';
import { TweetIndex, cmpId, firstOlderThan } from './search-index';
import { RequestLog } from './stats';
import type { Tweet, TwitterUser, World } from './world';

export interface TwitterApp {
  /** Consumer key and secret (for POST /oauth2/token client_credentials). */
  key: string;
  secret: string;
  /** A ready bearer token, as the developer portal hands out. */
  bearerToken: string;
}
export interface TwitterOAuthClient {
  clientId: string;
  clientSecret: string;
}

export const DEFAULT_TWITTER_APPS: TwitterApp[] = [
  { key: 'sim-x-api-key', secret: 'sim-x-api-secret', bearerToken: 'sim-x-bearer-token' },
  { key: 'sim-x-api-key-2', secret: 'sim-x-api-secret-2', bearerToken: 'sim-x-bearer-token-2' },
];
export const DEFAULT_TWITTER_OAUTH_CLIENT: TwitterOAuthClient = { clientId: 'sim-x-client-id', clientSecret: 'sim-x-client-secret' };
/** The user an OAuth2 authorize request logs in as. */
export const DEFAULT_TWITTER_LOGIN = 'sim_x_user';

/** Per-15-minute limits of the real API (app-only), used unless overridden. */
export const TWITTER_ENDPOINT_LIMITS: Record<string, number> = {
  'GET /2/tweets/search/recent': 450,
  'GET /2/users/:id/tweets': 1500,
  'GET /2/tweets': 3500,
  'GET /2/tweets/:id': 3500,
  'GET /2/users/by': 300,
  'GET /2/users/by/username/:username': 300,
  'GET /2/users/:id': 300,
  'GET /2/users': 300,
};

export interface TwitterRateLimits {
  /** Window length (default 15 minutes). */
  windowMs?: number;
  /** One limit for every endpoint (overrides the real per-endpoint numbers). */
  limit?: number;
  /** Limits per endpoint name, e.g. { 'GET /2/tweets/search/recent': 10 }. */
  perEndpoint?: Record<string, number>;
}

export interface TwitterSimOptions {
  world: World;
  apps?: TwitterApp[];
  oauthClient?: TwitterOAuthClient;
  rateLimits?: TwitterRateLimits;
  /** When set, recent search only reaches this many days back from the world's now (X: 7). */
  recentSearchDays?: number | null;
  tokenTtlSec?: number;
  faults?: FaultOptions;
  log?: RequestLog;
  /** Tweets an app may read per month before X answers 429 usage-capped (default: no cap). */
  usageCap?: number | null;
  /** Attach a photo (a self-link `…/status/<id>/photo/1` in the text) to about one tweet in seven, as real timelines have (default true). */
  media?: boolean;
}

export interface TwitterSim {
  server: Server;
  log: RequestLog;
  faults: FaultInjector;
  setFaults(options: FaultOptions): void;
  setRateLimits(limits: TwitterRateLimits): void;
  /** Publishes a tweet now; returns it with its id. */
  addTweet(input: { authorId: string; text: string; inReplyTo?: string; retweetOf?: string; quoteOf?: string }): Tweet;
  deleteTweet(id: string): boolean;
  /** Edits a tweet as X does: a new version with a new id; the old id still looks up (returns the old text). */
  editTweet(id: string, text: string): Tweet;
  /** Tweets per app per month before 429 usage-capped (null: no cap); resets the count. */
  setUsageCap(cap: number | null): void;
}

/** X's edit window (minutes after posting) and edits allowed in it. */
export const EDIT_WINDOW_MIN = 60;
export const EDITS_ALLOWED = 5;
/** Legacy retweet text: "RT @user: " plus the original, cut to this many characters with "…". */
export const RETWEET_TEXT_MAX = 140;

const TWEET_FIELDS = [
  'attachments',
  'author_id',
  'context_annotations',
  'conversation_id',
  'created_at',
  'edit_controls',
  'edit_history_tweet_ids',
  'entities',
  'geo',
  'id',
  'in_reply_to_user_id',
  'lang',
  'non_public_metrics',
  'note_tweet',
  'organic_metrics',
  'possibly_sensitive',
  'promoted_metrics',
  'public_metrics',
  'referenced_tweets',
  'reply_settings',
  'source',
  'text',
  'withheld',
];
const USER_FIELDS = [
  'affiliation',
  'connection_status',
  'created_at',
  'description',
  'entities',
  'id',
  'location',
  'most_recent_tweet_id',
  'name',
  'pinned_tweet_id',
  'profile_banner_url',
  'profile_image_url',
  'protected',
  'public_metrics',
  'receives_your_dm',
  'subscription_type',
  'url',
  'username',
  'verified',
  'verified_type',
  'withheld',
];
const EXPANSIONS = [
  'author_id',
  'referenced_tweets.id',
  'referenced_tweets.id.author_id',
  'in_reply_to_user_id',
  'entities.mentions.username',
  'attachments.media_keys',
  'attachments.poll_ids',
  'geo.place_id',
  'edit_history_tweet_ids',
  'pinned_tweet_id',
  'most_recent_tweet_id',
];

const PROBLEM = 'https://api.twitter.com/2/problems';

class InvalidRequest extends Error {
  constructor(public errors: { parameters: Record<string, string[]>; message: string }[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

function invalid(parameter: string, value: string, message: string): InvalidRequest {
  return new InvalidRequest([{ parameters: { [parameter]: [value] }, message }]);
}

function invalidResponse(e: InvalidRequest): SimResponse {
  return json(400, {
    errors: e.errors,
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: `${PROBLEM}/invalid-request`,
  });
}

function problem(status: number, title: string): SimResponse {
  return json(status, { title, detail: title, type: 'about:blank', status });
}

function tco(url: string, salt: string): string {
  return `https://t.co/${createHash('sha1').update(`${salt}|${url}`).digest('base64url').slice(0, 10)}`;
}

/** Which tweets the simulator gives a photo (about one in seven, by id). */
export function tweetHasPhoto(id: string): boolean {
  return BigInt(id) % 7n === 0n;
}

/** X serves tweet text with exactly these three HTML-escaped. */
export function escapeXText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A retweet's own text as X serves it: "RT @user: " and the original, cut at 140 characters. */
export function retweetText(username: string, original: string): string {
  const full = Array.from(`RT @${username}: ${original}`);
  return full.length <= RETWEET_TEXT_MAX ? full.join('') : `${full.slice(0, RETWEET_TEXT_MAX - 1).join('')}…`;
}

function cpIndex(text: string, utf16Index: number): number {
  return Array.from(text.slice(0, utf16Index)).length;
}

/** Next tokens are opaque to clients; inside they carry the last id served. */
function encodeToken(lastId: string): string {
  return `b26v${BigInt(lastId).toString(36)}`;
}
function decodeToken(token: string): string | undefined {
  if (!/^b26v[0-9a-z]+$/.test(token)) return undefined;
  let n = 0n;
  for (const ch of token.slice(4)) n = n * 36n + BigInt(parseInt(ch, 36));
  return n.toString();
}

export function createTwitterSim(options: TwitterSimOptions): TwitterSim {
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
  let limits: TwitterRateLimits = options.rateLimits ?? {};
  const limiter = new FirstRequestWindowLimiter(
    (endpoint): LimitSpec => ({
      windowMs: limits.windowMs ?? 15 * 60_000,
      limit: limits.perEndpoint?.[endpoint] ?? limits.limit ?? TWITTER_ENDPOINT_LIMITS[endpoint] ?? 300,
    }),
  );
  let usageCap = options.usageCap ?? null;
  const usage = new Map<string, number>();
  /** The caller of the request being handled (handlers run synchronously). */
  let currentCaller: string | undefined;
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

  // ---------------------------------------------------------------- tokens
  const appTokens = new Map<string, string>(apps.map((a) => [a.bearerToken, `app:${a.key}`]));
  const userTokens = new Map<string, { user: string; expiresAt: number }>();
  const refreshTokens = new Map<string, string>();
  const codes = new Map<string, { redirectUri: string; challenge?: string }>();

  const oauthToken = (req: SimRequest): SimResponse => {
    const grant = req.body.get('grant_type');
    const auth = basicAuth(req.headers.authorization);
    const clientId = auth?.user ?? req.body.get('client_id');
    const endpoint = 'POST /2/oauth2/token';
    if (clientId !== oauthClient.clientId || (auth && auth.pass !== oauthClient.clientSecret)) {
      return { ...json(401, { error: 'unauthorized_client', error_description: 'Missing valid authorization header' }), endpoint };
    }
    const issueUser = (user: string) => {
      const access = `simxu-${randomBytes(18).toString('base64url')}`;
      const refresh = `simxr-${randomBytes(18).toString('base64url')}`;
      userTokens.set(access, { user, expiresAt: Date.now() + tokenTtl * 1000 });
      refreshTokens.set(refresh, user);
      return {
        ...json(200, {
          token_type: 'bearer',
          expires_in: tokenTtl,
          access_token: access,
          scope: 'tweet.read users.read offline.access',
          refresh_token: refresh,
        }),
        endpoint,
        client: `user:${user}`,
      };
    };
    if (grant === 'authorization_code') {
      const code = codes.get(req.body.get('code') ?? '');
      if (!code || code.redirectUri !== req.body.get('redirect_uri') || !req.body.get('code_verifier')) {
        return { ...json(400, { error: 'invalid_request', error_description: 'Value passed for the authorization code was invalid.' }), endpoint };
      }
      codes.delete(req.body.get('code') as string);
      return issueUser(DEFAULT_TWITTER_LOGIN);
    }
    if (grant === 'refresh_token') {
      const user = refreshTokens.get(req.body.get('refresh_token') ?? '');
      if (!user) return { ...json(400, { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' }), endpoint };
      refreshTokens.delete(req.body.get('refresh_token') as string);
      return issueUser(user);
    }
    if (grant === 'client_credentials') return appToken(req);
    return { ...json(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' }), endpoint };
  };

  /** App-only bearer for a consumer key/secret (POST /oauth2/token). */
  const appToken = (req: SimRequest): SimResponse => {
    const auth = basicAuth(req.headers.authorization);
    const app = auth && apps.find((a) => a.key === auth.user && a.secret === auth.pass);
    if (!app || req.body.get('grant_type') !== 'client_credentials') {
      return {
        ...json(403, { errors: [{ code: 99, message: 'Unable to verify your credentials', label: 'authenticity_token_error' }] }),
        endpoint: 'POST /oauth2/token',
      };
    }
    return { ...json(200, { token_type: 'bearer', access_token: app.bearerToken }), endpoint: 'POST /oauth2/token', client: `app:${app.key}` };
  };

  const authorize = (req: SimRequest): SimResponse => {
    const redirect = req.query.get('redirect_uri');
    if (req.query.get('client_id') !== oauthClient.clientId || !redirect || req.query.get('response_type') !== 'code') return problem(400, 'Invalid Request');
    // No consent page: the simulated user approves at once.
    const code = `simxc-${randomBytes(12).toString('base64url')}`;
    codes.set(code, { redirectUri: redirect, challenge: req.query.get('code_challenge') ?? undefined });
    const target = new URL(redirect);
    target.searchParams.set('code', code);
    if (req.query.get('state')) target.searchParams.set('state', req.query.get('state') as string);
    return { status: 302, headers: { location: target.toString() }, body: '', contentType: 'text/plain', endpoint: 'GET /i/oauth2/authorize' };
  };

  // ---------------------------------------------------------------- serialisation
  const listParam = (q: URLSearchParams, name: string, allowed: string[]): Set<string> => {
    const raw = q.get(name);
    if (!raw) return new Set();
    const values = raw
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    for (const v of values) {
      if (!allowed.includes(v)) throw invalid(name, v, `The \`${name}\` query parameter value [${v}] is not one of [${allowed.join(',')}]`);
    }
    return new Set(values);
  };

  // Links as X shows them: t.co in the text; entities say where each one leads (expanded_url,
  // unwound_url), and a photo's link points back at the tweet itself (`…/status/<id>/photo/1`).
  const tcoMap = new Map<string, { expanded: string; mediaKey?: string }>();
  const hasMedia = (t: Tweet) => options.media !== false && !isRetweet(t) && tweetHasPhoto(t.id);
  const isRetweet = (t: Tweet) => !!t.referenced?.some((r) => r.type === 'retweeted');
  const entitiesOf = (served: string) => {
    const e: Record<string, unknown[]> = {};
    const urls: unknown[] = [];
    for (const m of served.matchAll(/https:\/\/t\.co\/[A-Za-z0-9_-]+/g)) {
      const known = tcoMap.get(m[0]);
      const expanded = known?.expanded ?? m[0];
      const at = { start: cpIndex(served, m.index as number), end: cpIndex(served, (m.index as number) + m[0].length), url: m[0], expanded_url: expanded };
      if (known?.mediaKey) urls.push({ ...at, display_url: `pic.twitter.com/${m[0].slice('https://t.co/'.length)}`, media_key: known.mediaKey });
      else urls.push({ ...at, display_url: expanded.replace(/^https?:\/\//, '').slice(0, 26), ...(known ? { unwound_url: expanded } : {}) });
    }
    const mentions: unknown[] = [];
    for (const m of served.matchAll(/@(\w{1,15})/g)) {
      const u = userByName.get(m[1].toLowerCase());
      mentions.push({
        start: cpIndex(served, m.index as number),
        end: cpIndex(served, (m.index as number) + m[0].length),
        username: u?.username ?? m[1],
        ...(u ? { id: u.id } : {}),
      });
    }
    const hashtags: unknown[] = [];
    for (const m of served.matchAll(/#(\w+)/g))
      hashtags.push({ start: cpIndex(served, m.index as number), end: cpIndex(served, (m.index as number) + m[0].length), tag: m[1] });
    if (urls.length) e.urls = urls;
    if (mentions.length) e.mentions = mentions;
    if (hashtags.length) e.hashtags = hashtags;
    return Object.keys(e).length ? e : undefined;
  };
  /** The text before X's HTML escaping: links as t.co, a photo link appended, a retweet cut as X cuts it. */
  const plainText = (t: Tweet): string => {
    const rt = t.referenced?.find((r) => r.type === 'retweeted');
    const original = rt ? tweetById.get(rt.id) : undefined;
    if (original) return retweetText(userById.get(original.authorId)?.username ?? original.authorId, plainText(original));
    let text = t.text.replace(/https?:\/\/[^\s]+/g, (u) => {
      const short = tco(u, t.id);
      tcoMap.set(short, { expanded: u });
      return short;
    });
    const quoted = t.referenced?.find((r) => r.type === 'quoted');
    const quotedTweet = quoted ? tweetById.get(quoted.id) : undefined;
    if (quotedTweet) {
      // A quote ends with a link to the quoted tweet.
      const link = `https://twitter.com/${userById.get(quotedTweet.authorId)?.username ?? 'i'}/status/${quotedTweet.id}`;
      const short = tco(link, t.id);
      tcoMap.set(short, { expanded: link });
      text = `${text} ${short}`;
    }
    if (hasMedia(t)) {
      const short = tco(`photo:${t.id}`, t.id);
      tcoMap.set(short, { expanded: `https://twitter.com/${userById.get(t.authorId)?.username ?? 'i'}/status/${t.id}/photo/1`, mediaKey: `3_${t.id}` });
      text = `${text} ${short}`;
    }
    return text;
  };

  // Edits: each version is a tweet with its own id; older versions look up but no longer list.
  const versions = new Map<string, string[]>();
  const rootOf = new Map<string, string>();
  const superseded = new Set<string>();
  const historyOf = (t: Tweet) => versions.get(rootOf.get(t.id) ?? t.id) ?? [t.id];

  const tweetJson = (t: Tweet, fields: Set<string>) => {
    const plain = plainText(t);
    const out: Record<string, unknown> = { id: t.id, text: escapeXText(plain), edit_history_tweet_ids: historyOf(t) };
    if (fields.has('created_at')) out.created_at = new Date(t.createdAt).toISOString();
    if (fields.has('author_id')) out.author_id = t.authorId;
    if (fields.has('conversation_id')) out.conversation_id = t.conversationId;
    if (fields.has('in_reply_to_user_id') && t.inReplyToUserId) out.in_reply_to_user_id = t.inReplyToUserId;
    if (fields.has('referenced_tweets') && t.referenced) out.referenced_tweets = t.referenced;
    if (fields.has('entities')) {
      const e = entitiesOf(plain);
      if (e) out.entities = e;
    }
    if (fields.has('attachments') && hasMedia(t)) out.attachments = { media_keys: [`3_${t.id}`] };
    if (fields.has('edit_controls')) {
      const root = tweetById.get(historyOf(t)[0]) ?? t;
      const left = EDITS_ALLOWED - (historyOf(t).length - 1);
      out.edit_controls = {
        edits_remaining: left,
        is_edit_eligible: !isRetweet(t),
        editable_until: new Date(root.createdAt + EDIT_WINDOW_MIN * 60_000).toISOString(),
      };
    }
    if (fields.has('public_metrics'))
      out.public_metrics = {
        retweet_count: t.retweets,
        reply_count: t.replies,
        like_count: t.likes,
        quote_count: t.quotes,
        bookmark_count: Math.floor(t.likes / 10),
        impression_count: t.impressions,
      };
    if (fields.has('lang')) out.lang = 'en';
    if (fields.has('possibly_sensitive')) out.possibly_sensitive = false;
    if (fields.has('reply_settings')) out.reply_settings = 'everyone';
    if (fields.has('source')) out.source = 'Twitter for iPhone';
    return out;
  };

  const userJson = (u: TwitterUser, fields: Set<string>) => {
    const out: Record<string, unknown> = { id: u.id, name: u.name, username: u.username };
    if (fields.has('created_at')) out.created_at = new Date(u.createdAt).toISOString();
    if (fields.has('public_metrics'))
      out.public_metrics = {
        followers_count: u.followers,
        following_count: u.following,
        tweet_count: u.tweetCount,
        listed_count: u.listed,
        like_count: u.tweetCount * 2,
      };
    if (fields.has('verified')) out.verified = u.verified;
    if (fields.has('verified_type')) out.verified_type = u.verified ? 'blue' : 'none';
    if (fields.has('description')) out.description = u.description;
    if (fields.has('protected')) out.protected = false;
    if (fields.has('profile_image_url')) out.profile_image_url = `https://pbs.twimg.com/profile_images/${u.id}/normal.jpg`;
    if (fields.has('url')) out.url = '';
    if (fields.has('location')) out.location = '';
    return out;
  };

  /** data + includes for a set of tweets, honouring tweet.fields, user.fields and expansions. */
  const tweetsPayload = (list: Tweet[], q: URLSearchParams) => {
    const caller = currentCaller;
    const tf = listParam(q, 'tweet.fields', TWEET_FIELDS);
    const uf = listParam(q, 'user.fields', USER_FIELDS);
    const ex = listParam(q, 'expansions', EXPANSIONS);
    const payload: Record<string, unknown> = {};
    if (list.length > 0) payload.data = list.map((t) => tweetJson(t, tf));
    // The usage cap counts tweets read (X's "Post cap"), not requests.
    if (caller) usage.set(caller, (usage.get(caller) ?? 0) + list.length);
    const users = new Map<string, TwitterUser>();
    const refTweets = new Map<string, Tweet>();
    for (const t of list) {
      if (ex.has('author_id')) addUser(users, t.authorId);
      if (ex.has('in_reply_to_user_id') && t.inReplyToUserId) addUser(users, t.inReplyToUserId);
      if (ex.has('entities.mentions.username'))
        for (const m of t.text.matchAll(/@(\w{1,15})/g)) {
          const u = userByName.get(m[1].toLowerCase());
          if (u) users.set(u.id, u);
        }
      if (ex.has('edit_history_tweet_ids')) {
        for (const id of historyOf(t)) {
          const v = tweetById.get(id);
          if (v && v.id !== t.id) refTweets.set(v.id, v);
        }
      }
      if (ex.has('referenced_tweets.id') && t.referenced) {
        for (const r of t.referenced) {
          const rt = tweetById.get(r.id);
          if (rt && !rt.deleted) {
            refTweets.set(rt.id, rt);
            if (ex.has('referenced_tweets.id.author_id')) addUser(users, rt.authorId);
          }
        }
      }
    }
    const includes: Record<string, unknown> = {};
    if (users.size) includes.users = [...users.values()].map((u) => userJson(u, uf));
    if (refTweets.size) includes.tweets = [...refTweets.values()].map((t) => tweetJson(t, tf));
    if (Object.keys(includes).length) payload.includes = includes;
    return payload;
  };
  const addUser = (users: Map<string, TwitterUser>, id: string) => {
    const u = userById.get(id);
    if (u) users.set(id, u);
  };

  // ---------------------------------------------------------------- paging and filters
  const intParam = (q: URLSearchParams, name: string, min: number, max: number, dflt: number): number => {
    const raw = q.get(name);
    if (raw === null) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw invalid(name, raw, `The \`${name}\` query parameter value [${raw}] is not between ${min} and ${max}`);
    return n;
  };
  const idParam = (q: URLSearchParams, name: string): string | undefined => {
    const raw = q.get(name);
    if (raw === null) return undefined;
    if (!/^\d{1,19}$/.test(raw)) throw invalid(name, raw, `The \`${name}\` query parameter value [${raw}] does not match ^[0-9]{1,19}$`);
    return raw;
  };
  const timeParam = (q: URLSearchParams, name: string): number | undefined => {
    const raw = q.get(name);
    if (raw === null) return undefined;
    const t = Date.parse(raw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(t))
      throw invalid(name, raw, `Invalid '${name}':'${raw}'. '${name}' must be a valid RFC3339 date-time`);
    return t;
  };

  /** Filters shared by search and timelines; returns a page newest first plus meta. */
  const pageOf = (pool: Tweet[], q: URLSearchParams, maxResults: number, tokenParam: 'next_token' | 'pagination_token', keep: (t: Tweet) => boolean) => {
    const sinceId = idParam(q, 'since_id');
    const untilId = idParam(q, 'until_id');
    const startTime = timeParam(q, 'start_time');
    const endTime = timeParam(q, 'end_time');
    if (startTime !== undefined && endTime !== undefined && startTime >= endTime)
      throw invalid('start_time', q.get('start_time') as string, "Invalid 'start_time': must be before 'end_time'");
    const token = q.get(tokenParam);
    let cursor: string | undefined;
    if (token !== null) {
      cursor = decodeToken(token);
      if (!cursor) throw invalid(tokenParam, token, `The \`${tokenParam}\` query parameter value [${token}] is not valid`);
    }
    const out: Tweet[] = [];
    let more = false;
    // The pool is newest first: start below the cursor and until_id at once.
    const upper = cursor && untilId ? (cmpId(cursor, untilId) < 0 ? cursor : untilId) : (cursor ?? untilId);
    for (let i = upper ? firstOlderThan(pool, upper) : 0; i < pool.length; i++) {
      const t = pool[i];
      if (t.deleted || superseded.has(t.id)) continue;
      if (sinceId && cmpId(t.id, sinceId) <= 0) break;
      if (endTime !== undefined && t.createdAt >= endTime) continue;
      if (startTime !== undefined && t.createdAt < startTime) break;
      if (!keep(t)) continue;
      if (out.length === maxResults) {
        more = true;
        break;
      }
      out.push(t);
    }
    const meta: Record<string, unknown> = { result_count: out.length };
    if (out.length > 0) {
      meta.newest_id = out[0].id;
      meta.oldest_id = out[out.length - 1].id;
      if (more) meta.next_token = encodeToken(out[out.length - 1].id);
    }
    return { list: out, meta };
  };

  const matcher =
    (node: QueryNode) =>
    (t: Tweet): boolean =>
      evaluate(node, textOf(t), (field, value) => {
        const v = value.toLowerCase();
        switch (field) {
          case 'from':
            return (userById.get(t.authorId)?.username.toLowerCase() ?? '') === v.replace(/^@/, '') || t.authorId === v;
          case 'to':
            return !!t.inReplyToUserId && (userById.get(t.inReplyToUserId)?.username.toLowerCase() ?? '') === v.replace(/^@/, '');
          case 'is':
            if (v === 'retweet') return !!t.referenced?.some((r) => r.type === 'retweeted');
            if (v === 'reply') return !!t.referenced?.some((r) => r.type === 'replied_to');
            if (v === 'quote') return !!t.referenced?.some((r) => r.type === 'quoted');
            if (v === 'verified') return !!userById.get(t.authorId)?.verified;
            return false;
          case 'has':
            if (v === 'links') return /https?:\/\//.test(t.text);
            if (v === 'mentions') return /@\w/.test(t.text);
            if (v === 'hashtags') return /#\w/.test(t.text);
            return false;
          case 'lang':
            return v === 'en';
          case 'url':
            return t.text.toLowerCase().includes(v);
          case 'conversation_id':
            return t.conversationId === value;
          default:
            throw new QueryError(`unknown operator ${field}:`);
        }
      });

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
        const ids = (req.query.get('ids') ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        if (ids.length === 0 || ids.length > 100)
          throw invalid('ids', req.query.get('ids') ?? '', 'The `ids` query parameter value must have between 1 and 100 ids');
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
        const names = (req.query.get('usernames') ?? '')
          .split(',')
          .map((x) => x.trim().replace(/^@/, ''))
          .filter(Boolean);
        if (names.length === 0 || names.length > 100)
          throw invalid('usernames', req.query.get('usernames') ?? '', 'The `usernames` query parameter value must have between 1 and 100 usernames');
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
        const ids = (req.query.get('ids') ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        if (ids.length === 0 || ids.length > 100)
          throw invalid('ids', req.query.get('ids') ?? '', 'The `ids` query parameter value must have between 1 and 100 ids');
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
    if (usageCap !== null && (usage.get(caller) ?? 0) >= usageCap) {
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
      currentCaller = caller;
      out = route.handler(route.pattern.exec(path) as RegExpExecArray, req);
    } catch (e) {
      if (e instanceof InvalidRequest) out = invalidResponse(e);
      else throw e;
    } finally {
      currentCaller = undefined;
    }
    return { ...out, headers: { ...out.headers, ...headers }, endpoint, client: caller };
  };

  const faultResponse = (d: FaultDecision, req: SimRequest): SimResponse => {
    const client = callerOf(req) ?? 'anonymous';
    const path = req.path.replace(/\/+$/, '');
    const route = routes.find((r) => r.pattern.test(path));
    const endpoint = route?.name ?? `${req.method} ${path}`;
    if (d.kind === '429') {
      const spec = { limit: limits.perEndpoint?.[endpoint] ?? limits.limit ?? TWITTER_ENDPOINT_LIMITS[endpoint] ?? 300 };
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
      limits = l;
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
      usageCap = cap;
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
