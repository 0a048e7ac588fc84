// The Reddit imitation's shapes, clients and logins, the world indexed for lookups, and
// small helpers (rate headers, names).
import type { Server } from 'node:http';
import type { FaultInjector, FaultOptions } from '../faults';
import { normalise } from '../query';
import type { LimitSpec } from '../ratelimit';
import type { RequestLog } from '../stats';
import type { Deletion, RedditComment, RedditSubmission, RedditUser, World } from '../world';

export interface RedditClient {
  id: string;
  secret: string;
}
export interface RedditLogin {
  username: string;
  password: string;
}

export const DEFAULT_REDDIT_CLIENTS: RedditClient[] = [
  { id: 'sim-reddit-client', secret: 'sim-reddit-secret' },
  { id: 'sim-reddit-client-2', secret: 'sim-reddit-secret-2' },
];
export const DEFAULT_REDDIT_LOGINS: RedditLogin[] = [{ username: 'sim_user', password: 'sim-password' }];

export interface RedditSimOptions {
  world: World;
  clients?: RedditClient[];
  logins?: RedditLogin[];
  /** Requests per window per client id (Reddit: 600 per 10 minutes for OAuth clients... 100 QPM averaged). */
  rateLimit?: LimitSpec;
  /** Most items any listing reaches (Reddit: about 1,000). */
  listingCap?: number;
  /** Most results a search reaches (Reddit: about 250). */
  searchCap?: number;
  /** Access token lifetime in seconds. */
  tokenTtlSec?: number;
  faults?: FaultOptions;
  log?: RequestLog;
}

export interface Token {
  clientId: string;
  user?: string;
  expiresAt: number;
}

export type Thing = { kind: 't3'; s: RedditSubmission } | { kind: 't1'; c: RedditComment };

export const DAY_SEC = 86_400;

export function lower(s: string): string {
  return s.toLowerCase();
}

export function escapeHtmlEntities(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** In-memory indexes over the world's Reddit content, kept up to date as items are added or deleted. */
export class RedditIndex {
  subNew = new Map<string, RedditSubmission[]>();
  allNew: RedditSubmission[] = [];
  userSubs = new Map<string, RedditSubmission[]>();
  userComments = new Map<string, RedditComment[]>();
  users = new Map<string, RedditUser>();
  things = new Map<string, Thing>();
  children = new Map<string, RedditComment[]>();
  subById = new Map<string, RedditSubmission>();
  subredditNames = new Map<string, string>();
  private normalised = new WeakMap<RedditSubmission, string>();

  constructor(world: World) {
    for (const name of world.subreddits) this.subredditNames.set(lower(name), name);
    for (const u of world.reddit.users) this.users.set(lower(u.name), u);
    for (const s of world.reddit.submissions) this.addSubmission(s);
    for (const c of world.reddit.comments) this.addComment(c);
  }

  addSubmission(s: RedditSubmission): void {
    const push = <T>(map: Map<string, T[]>, key: string, item: T) => {
      const list = map.get(key);
      if (list) list.unshift(item);
      else map.set(key, [item]);
    };
    if (!this.subredditNames.has(lower(s.subreddit))) this.subredditNames.set(lower(s.subreddit), s.subreddit);
    push(this.subNew, lower(s.subreddit), s);
    this.allNew.unshift(s);
    push(this.userSubs, lower(s.author), s);
    this.things.set(`t3_${s.id}`, { kind: 't3', s });
    this.subById.set(s.id, s);
  }

  addComment(c: RedditComment): void {
    const list = this.userComments.get(lower(c.author));
    if (list) list.unshift(c);
    else this.userComments.set(lower(c.author), [c]);
    this.things.set(`t1_${c.id}`, { kind: 't1', c });
    const kids = this.children.get(c.parentId);
    if (kids) kids.push(c);
    else this.children.set(c.parentId, [c]);
  }

  text(s: RedditSubmission): string {
    let t = this.normalised.get(s);
    if (t === undefined) {
      t = normalise(`${s.title} ${s.selftext}`);
      this.normalised.set(s, t);
    }
    return t;
  }
}

export interface RedditSim {
  server: Server;
  log: RequestLog;
  faults: FaultInjector;
  setFaults(options: FaultOptions): void;
  setRateLimit(spec: LimitSpec): void;
  /** Forgets every access token issued so far (as a revocation does): requests with one get 401 until the client logs in again. */
  revokeTokens(): void;
  /** Publishes a new submission now (for incremental-crawl tests); returns it with its id. */
  addSubmission(input: { subreddit: string; author: string; title: string; selftext?: string }): RedditSubmission;
  /** Publishes a new comment now under a submission or comment fullname. */
  addComment(input: { parent: string; author: string; body: string }): RedditComment;
  /** Deletes an item (by fullname) the way its author or a moderator would, or as its author's account deletion leaves it. */
  deleteItem(fullname: string, how?: Deletion): boolean;
  /** Edits an item's body (comment) or selftext (submission) now: `edited` becomes the edit time. */
  editItem(fullname: string, text: string): boolean;
  /** Makes a subreddit private, quarantined or banned (null: public again). */
  setSubredditAccess(name: string, access: SubredditAccess | null): void;
}

export type SubredditAccess = 'private' | 'quarantined' | 'banned';

export function rateHeaders(used: number, remaining: number, resetAt: number, now: number): Record<string, string> {
  return {
    'x-ratelimit-used': String(used),
    'x-ratelimit-remaining': Math.max(0, remaining).toFixed(1),
    'x-ratelimit-reset': String(Math.max(0, Math.ceil((resetAt - now) / 1000))),
  };
}

/**
 * Reddit writes times as floats ("created_utc": 1594424685.0, "edited": 1502205193.0);
 * JSON.stringify writes whole numbers without the ".0". (A quote inside a string value is
 * escaped, so text that looks like such a field is never touched.)
 */
export function floatTimes(body: string): string {
  return body.replace(/"(created_utc|created|edited)":(-?\d+)(?=[,}])/g, '"$1":$2.0');
}

export function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 50);
}
