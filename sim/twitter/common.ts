// The X imitation's shapes, limits, field lists, error shapes and small text helpers.
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { FaultInjector, FaultOptions } from '../faults';
import { type SimResponse, json } from '../http';
import type { RequestLog } from '../stats';
import type { Tweet, World } from '../world';

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

export const TWEET_FIELDS = [
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
export const USER_FIELDS = [
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
export const EXPANSIONS = [
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

export const PROBLEM = 'https://api.twitter.com/2/problems';

export class InvalidRequest extends Error {
  constructor(public errors: { parameters: Record<string, string[]>; message: string }[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

export function invalid(parameter: string, value: string, message: string): InvalidRequest {
  return new InvalidRequest([{ parameters: { [parameter]: [value] }, message }]);
}

export function invalidResponse(e: InvalidRequest): SimResponse {
  return json(400, {
    errors: e.errors,
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: `${PROBLEM}/invalid-request`,
  });
}

export function problem(status: number, title: string): SimResponse {
  return json(status, { title, detail: title, type: 'about:blank', status });
}

export function tco(url: string, salt: string): string {
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

export function cpIndex(text: string, utf16Index: number): number {
  return Array.from(text.slice(0, utf16Index)).length;
}

/** Next tokens are opaque to clients; inside they carry the last id served. */
export function encodeToken(lastId: string): string {
  return `b26v${BigInt(lastId).toString(36)}`;
}
export function decodeToken(token: string): string | undefined {
  if (!/^b26v[0-9a-z]+$/.test(token)) return undefined;
  let n = 0n;
  for (const ch of token.slice(4)) n = n * 36n + BigInt(parseInt(ch, 36));
  return n.toString();
}
