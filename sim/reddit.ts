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
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type FaultDecision, FaultInjector, type FaultOptions } from './faults';
import { basicAuth, bearer, json, listener, type SimRequest, type SimResponse } from './http';
import { evaluate, normalise, parseQuery, QueryError, type QueryNode } from './query';
import { AlignedWindowLimiter, type LimitSpec } from './ratelimit';
import { RequestLog } from './stats';
import type { Deletion, RedditComment, RedditSubmission, RedditUser, World } from './world';

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

interface Token {
  clientId: string;
  user?: string;
  expiresAt: number;
}

type Thing = { kind: 't3'; s: RedditSubmission } | { kind: 't1'; c: RedditComment };

const DAY_SEC = 86_400;

function lower(s: string): string {
  return s.toLowerCase();
}

function escapeHtmlEntities(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** In-memory indexes over the world's Reddit content, kept up to date as items are added or deleted. */
class RedditIndex {
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

export function createRedditSim(options: RedditSimOptions): RedditSim {
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
  let nextSubId = world.reddit.submissions.reduce((m, s) => Math.max(m, parseInt(s.id, 36)), parseInt('1g00000', 36)) + 1;
  let nextComId = world.reddit.comments.reduce((m, c) => Math.max(m, parseInt(c.id, 36)), parseInt('lq00000', 36)) + 1;
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

  // ---------------------------------------------------------------- serialisation
  const esc = (s: string, raw: boolean) => (raw ? s : escapeHtmlEntities(s));
  const userFullname = (name: string) => {
    const u = index.users.get(lower(name));
    return u ? `t2_${u.id}` : undefined;
  };

  const t3 = (s: RedditSubmission, raw: boolean) => {
    const authorGone = s.deleted === 'deleted' || s.deleted === 'account';
    const author = authorGone ? '[deleted]' : s.author;
    const edit = edits.get(`t3_${s.id}`);
    const selftext = s.deleted === 'deleted' ? '[deleted]' : s.deleted === 'removed' ? '[removed]' : (edit?.text ?? s.selftext);
    const permalink = `/r/${s.subreddit}/comments/${s.id}/${slug(s.title)}/`;
    const data: Record<string, unknown> = {
      id: s.id,
      name: `t3_${s.id}`,
      author,
      title: esc(s.title, raw),
      selftext: esc(selftext, raw),
      selftext_html: null,
      created_utc: s.createdUtc,
      created: s.createdUtc,
      subreddit: s.subreddit,
      subreddit_name_prefixed: `r/${s.subreddit}`,
      subreddit_id: subredditId(s.subreddit),
      permalink,
      url: s.linkUrl ?? `https://www.reddit.com${permalink}`,
      domain: s.linkUrl ? new URL(s.linkUrl).hostname : `self.${s.subreddit}`,
      is_self: !s.linkUrl,
      score: s.score,
      ups: s.score,
      downs: 0,
      upvote_ratio: s.upvoteRatio,
      num_comments: s.numComments,
      over_18: false,
      stickied: false,
      locked: false,
      edited: edit ? edit.at : false,
      link_flair_text: null,
      removed_by_category: s.deleted === 'removed' ? 'moderator' : s.deleted === 'deleted' ? 'deleted' : null,
    };
    if (!authorGone) data.author_fullname = userFullname(s.author);
    return { kind: 't3', data };
  };

  const t1 = (c: RedditComment, raw: boolean, extra: Record<string, unknown> = {}) => {
    const authorGone = !!c.deleted;
    const edit = edits.get(`t1_${c.id}`);
    // An author who deleted the account leaves the body; deleting the comment or a removal does not.
    const body = c.deleted === 'removed' ? '[removed]' : c.deleted === 'deleted' ? '[deleted]' : (edit?.text ?? c.body);
    const link = index.subById.get(c.linkId);
    const data: Record<string, unknown> = {
      id: c.id,
      name: `t1_${c.id}`,
      author: authorGone ? '[deleted]' : c.author,
      body: esc(body, raw),
      body_html: null,
      created_utc: c.createdUtc,
      created: c.createdUtc,
      subreddit: c.subreddit,
      subreddit_name_prefixed: `r/${c.subreddit}`,
      subreddit_id: subredditId(c.subreddit),
      link_id: `t3_${c.linkId}`,
      parent_id: c.parentId,
      permalink: `/r/${c.subreddit}/comments/${c.linkId}/${slug(link?.title ?? '')}/${c.id}/`,
      score: c.score,
      ups: c.score,
      downs: 0,
      controversiality: 0,
      depth: c.depth,
      edited: edit ? edit.at : false,
      stickied: false,
      is_submitter: !!link && link.author === c.author && !authorGone,
      replies: '',
      ...extra,
    };
    if (!authorGone) data.author_fullname = userFullname(c.author);
    return { kind: 't1', data };
  };

  const userListingComment = (c: RedditComment, raw: boolean) => {
    const link = index.subById.get(c.linkId);
    return t1(c, raw, {
      link_title: link ? esc(link.title, raw) : '',
      link_author: link ? (link.deleted === 'deleted' || link.deleted === 'account' ? '[deleted]' : link.author) : '[deleted]',
      link_permalink: link ? `https://www.reddit.com/r/${link.subreddit}/comments/${link.id}/${slug(link.title)}/` : '',
      link_url: link?.linkUrl ?? '',
    });
  };

  const listing = (children: unknown[], after: string | null, before: string | null) => ({
    kind: 'Listing',
    data: { after, before, dist: children.length, modhash: '', geo_filter: '', children },
  });

  function page<T>(items: T[], fullname: (x: T) => string, q: URLSearchParams, cap: number) {
    const limit = Math.max(1, Math.min(100, Number(q.get('limit') ?? 25) || 25));
    const reachable = items.length > cap ? items.slice(0, cap) : items;
    const after = q.get('after');
    const before = q.get('before');
    let startIdx = 0;
    let endIdx: number;
    if (after) {
      const i = reachable.findIndex((x) => fullname(x) === after);
      if (i < 0) return { items: [] as T[], after: null, before: null };
      startIdx = i + 1;
      endIdx = Math.min(reachable.length, startIdx + limit);
    } else if (before) {
      const i = reachable.findIndex((x) => fullname(x) === before);
      if (i < 0) return { items: [] as T[], after: null, before: null };
      endIdx = i;
      startIdx = Math.max(0, endIdx - limit);
    } else {
      endIdx = Math.min(reachable.length, limit);
    }
    const slice = reachable.slice(startIdx, endIdx);
    return {
      items: slice,
      after: endIdx < reachable.length && slice.length > 0 ? fullname(slice[slice.length - 1]) : null,
      before: startIdx > 0 && slice.length > 0 ? fullname(slice[0]) : null,
    };
  }

  // ---------------------------------------------------------------- auth
  const tokenEndpoint = (req: SimRequest): SimResponse => {
    const auth = basicAuth(req.headers.authorization);
    const client = auth && clients.find((c) => c.id === auth.user && c.secret === auth.pass);
    if (!client) return json(401, { message: 'Unauthorized', error: 401 }, { 'www-authenticate': 'Basic realm="reddit"' });
    const grant = req.body.get('grant_type');
    const issue = (user?: string, withRefresh = false) => {
      const access = `sim-${randomBytes(18).toString('base64url')}`;
      tokens.set(access, { clientId: client.id, user, expiresAt: Date.now() + tokenTtl * 1000 });
      const out: Record<string, unknown> = { access_token: access, token_type: 'bearer', expires_in: tokenTtl, scope: '*' };
      if (withRefresh && user) {
        const refresh = `simr-${randomBytes(18).toString('base64url')}`;
        refreshTokens.set(refresh, { clientId: client.id, user });
        out.refresh_token = refresh;
      }
      return { ...json(200, out), client: client.id, endpoint: 'POST /api/v1/access_token' };
    };
    if (grant === 'password') {
      const login = logins.find((l) => l.username === req.body.get('username') && l.password === req.body.get('password'));
      // Reddit answers a wrong password with 200 and an error field.
      if (!login) return { ...json(200, { error: 'invalid_grant' }), client: client.id, endpoint: 'POST /api/v1/access_token' };
      return issue(login.username, true);
    }
    if (grant === 'client_credentials' || grant === 'https://oauth.reddit.com/grants/installed_client') return issue();
    if (grant === 'refresh_token') {
      const r = refreshTokens.get(req.body.get('refresh_token') ?? '');
      if (!r || r.clientId !== client.id) return { ...json(400, { error: 'invalid_grant' }), client: client.id, endpoint: 'POST /api/v1/access_token' };
      return issue(r.user, false);
    }
    return { ...json(400, { error: 'unsupported_grant_type' }), client: client.id, endpoint: 'POST /api/v1/access_token' };
  };

  // ---------------------------------------------------------------- routes
  type Route = { pattern: RegExp; name: string; handler: (m: RegExpExecArray, req: SimRequest, raw: boolean) => SimResponse };
  const notFound = () => json(404, { message: 'Not Found', error: 404 });

  const subListing = (spec: string): RedditSubmission[] | undefined => {
    const names = spec.split('+').map(lower);
    if (names.length === 1 && names[0] === 'all') return index.allNew;
    const lists = names.map((n) => index.subNew.get(n) ?? (index.subredditNames.has(n) ? [] : undefined));
    if (lists.some((l) => l === undefined)) return undefined;
    if (lists.length === 1) return lists[0];
    return (lists as RedditSubmission[][]).flat().sort((a, b) => b.createdUtc - a.createdUtc || (a.id < b.id ? 1 : -1));
  };

  const search = (req: SimRequest, raw: boolean, sub?: string): SimResponse => {
    const q = req.query.get('q') ?? '';
    const restrict = ['1', 'true', 'on'].includes(lower(req.query.get('restrict_sr') ?? ''));
    let pool = restrict && sub ? subListing(sub) : index.allNew;
    if (!pool) return notFound();
    let node: QueryNode;
    try {
      node = parseQuery(q);
    } catch (e) {
      if (e instanceof QueryError) return json(200, listing([], null, null));
      throw e;
    }
    const t = req.query.get('t') ?? 'all';
    const span = { hour: 3600, day: DAY_SEC, week: 7 * DAY_SEC, month: 31 * DAY_SEC, year: 366 * DAY_SEC }[t as 'hour'];
    const since = span ? worldNowSec() - span : -Infinity;
    pool = pool.filter(
      (s) =>
        !s.deleted &&
        s.createdUtc >= since &&
        evaluate(node, index.text(s), (f, v) => {
          if (f === 'author') return lower(s.author) === lower(v);
          if (f === 'subreddit') return lower(s.subreddit) === lower(v);
          if (f === 'title') return normalise(s.title).includes(normalise(v));
          if (f === 'selftext') return normalise(s.selftext).includes(normalise(v));
          if (f === 'self') return (v === 'true' || v === 'yes') === !s.linkUrl;
          if (f === 'url' || f === 'site') return !!s.linkUrl && s.linkUrl.includes(v);
          return false;
        }),
    );
    const sort = req.query.get('sort') ?? 'relevance';
    if (sort === 'top' || sort === 'relevance') pool = pool.slice().sort((a, b) => b.score - a.score || b.createdUtc - a.createdUtc);
    else if (sort === 'comments') pool = pool.slice().sort((a, b) => b.numComments - a.numComments || b.createdUtc - a.createdUtc);
    const p = page(pool, (s) => `t3_${s.id}`, req.query, searchCap);
    return json(
      200,
      listing(
        p.items.map((s) => t3(s, raw)),
        p.after,
        p.before,
      ),
    );
  };

  /** A comment and all its descendants, pre-order. */
  const subtree = (c: RedditComment, out: RedditComment[] = []) => {
    out.push(c);
    for (const k of index.children.get(`t1_${c.id}`) ?? []) subtree(k, out);
    return out;
  };

  /**
   * The comment tree of a submission, or below one comment (`focus`: "continue this
   * thread"). `limit` comments at most; replies `depth` levels down from the top (Reddit:
   * at most 10). Replies the limit cuts off become a `more` stub listing them and counting
   * them with their descendants; replies below the depth limit a "continue this thread" stub.
   */
  const commentTree = (linkId: string, req: SimRequest, raw: boolean, focus?: RedditComment) => {
    let budget = Math.max(1, Math.min(500, Number(req.query.get('limit') ?? 200) || 200));
    const maxDepth = Math.max(1, Math.min(10, Number(req.query.get('depth') ?? 10) || 10));
    const sort = req.query.get('sort') ?? 'confidence';
    const ordered = (kids: RedditComment[]) => {
      if (sort === 'new') return kids.slice().sort((a, b) => b.createdUtc - a.createdUtc);
      if (sort === 'old') return kids;
      return kids.slice().sort((a, b) => b.score - a.score || a.createdUtc - b.createdUtc);
    };
    const render = (parent: string, depth: number): unknown[] => {
      const kids = ordered(index.children.get(parent) ?? []);
      if (kids.length > 0 && depth >= maxDepth) return [{ kind: 'more', data: { count: 0, name: 't1__', id: '_', parent_id: parent, depth, children: [] } }];
      const out: unknown[] = [];
      const cut: RedditComment[] = [];
      for (const k of kids) {
        if (budget > 0) {
          budget--;
          const node = t1(k, raw);
          const replies = render(`t1_${k.id}`, depth + 1);
          (node.data as Record<string, unknown>).replies = replies.length > 0 ? listing(replies, null, null) : '';
          out.push(node);
        } else cut.push(k);
      }
      if (cut.length > 0) {
        const count = cut.reduce((n, k) => n + subtree(k).length, 0);
        out.push({ kind: 'more', data: { count, name: `t1_${cut[0].id}`, id: cut[0].id, parent_id: parent, depth, children: cut.map((k) => k.id) } });
      }
      return out;
    };
    if (!focus) return render(`t3_${linkId}`, 0);
    budget--;
    const node = t1(focus, raw);
    const replies = render(`t1_${focus.id}`, 1);
    (node.data as Record<string, unknown>).replies = replies.length > 0 ? listing(replies, null, null) : '';
    return [node];
  };

  /** Reddit's answer for a subreddit that is not public, or null. */
  const refused = (subreddit: string): SimResponse | null => {
    const a = access.get(lower(subreddit));
    if (!a) return null;
    if (a === 'banned') return json(404, { reason: 'banned', message: 'Not Found', error: 404 });
    if (a === 'quarantined')
      return json(403, { reason: 'quarantined', quarantine_message: 'This community is quarantined.', message: 'Forbidden', error: 403 });
    return json(403, { reason: 'private', message: 'Forbidden', error: 403 });
  };

  const routes: Route[] = [
    {
      pattern: /^\/r\/([^/]+)\/new$/,
      name: 'GET /r/{sub}/new',
      handler: (m, req, raw) => {
        const no = m[1]
          .split('+')
          .map(refused)
          .find((r) => r);
        if (no) return no;
        const list = subListing(m[1]);
        if (!list) return notFound();
        const p = page(list, (s) => `t3_${s.id}`, req.query, listingCap);
        return json(
          200,
          listing(
            p.items.map((s) => t3(s, raw)),
            p.after,
            p.before,
          ),
        );
      },
    },
    { pattern: /^\/r\/([^/]+)\/search$/, name: 'GET /r/{sub}/search', handler: (m, req, raw) => refused(m[1]) ?? search(req, raw, m[1]) },
    { pattern: /^\/search$/, name: 'GET /search', handler: (_m, req, raw) => search(req, raw) },
    {
      pattern: /^\/user\/([^/]+)\/about$/,
      name: 'GET /user/{name}/about',
      handler: (m) => {
        const u = index.users.get(lower(m[1]));
        if (!u) return notFound();
        return json(200, {
          kind: 't2',
          data: {
            name: u.name,
            id: u.id,
            created_utc: u.createdUtc,
            created: u.createdUtc,
            link_karma: u.linkKarma,
            comment_karma: u.commentKarma,
            total_karma: u.linkKarma + u.commentKarma,
            is_gold: false,
            is_mod: false,
            verified: true,
            has_verified_email: true,
            is_employee: false,
            icon_img: '',
          },
        });
      },
    },
    {
      pattern: /^\/user\/([^/]+)\/submitted$/,
      name: 'GET /user/{name}/submitted',
      handler: (m, req, raw) => {
        if (!index.users.has(lower(m[1]))) return notFound();
        const list = (index.userSubs.get(lower(m[1])) ?? []).filter((s) => s.deleted !== 'deleted' && s.deleted !== 'account');
        const p = page(list, (s) => `t3_${s.id}`, req.query, listingCap);
        return json(
          200,
          listing(
            p.items.map((s) => t3(s, raw)),
            p.after,
            p.before,
          ),
        );
      },
    },
    {
      pattern: /^\/user\/([^/]+)\/comments$/,
      name: 'GET /user/{name}/comments',
      handler: (m, req, raw) => {
        if (!index.users.has(lower(m[1]))) return notFound();
        const list = (index.userComments.get(lower(m[1])) ?? []).filter((c) => !c.deleted);
        const p = page(list, (c) => `t1_${c.id}`, req.query, listingCap);
        return json(
          200,
          listing(
            p.items.map((c) => userListingComment(c, raw)),
            p.after,
            p.before,
          ),
        );
      },
    },
    {
      // /comments/<link>[/<slug>[/<comment>]]: the tree, or the thread below one comment.
      pattern: /^(?:\/r\/[^/]+)?\/comments\/([a-z0-9]+)(?:\/[^/]*(?:\/([a-z0-9]+))?)?$/,
      name: 'GET /comments/{id}',
      handler: (m, req, raw) => {
        const s = index.subById.get(m[1]);
        if (!s) return notFound();
        const no = refused(s.subreddit);
        if (no) return no;
        let focus: RedditComment | undefined;
        if (m[2]) {
          const t = index.things.get(`t1_${m[2]}`);
          if (t?.kind !== 't1' || t.c.linkId !== s.id) return notFound();
          focus = t.c;
        }
        return json(200, [listing([t3(s, raw)], null, null), listing(commentTree(s.id, req, raw, focus), null, null)]);
      },
    },
    {
      pattern: /^\/api\/morechildren$/,
      name: 'GET /api/morechildren',
      handler: (_m, req, raw) => {
        const params = req.method === 'POST' ? req.body : req.query;
        const linkId = (params.get('link_id') ?? '').replace(/^t3_/, '');
        const ids = (params.get('children') ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
          .slice(0, 100);
        if (!index.subById.has(linkId)) return json(200, { json: { errors: [['INVALID_LINK', 'invalid link', 'link_id']], data: { things: [] } } });
        // The comments asked for with their descendants, flat (parent_id links them), as Reddit does unless limit_children.
        const onlyAsked = ['1', 'true'].includes(lower(params.get('limit_children') ?? ''));
        const seen = new Set<string>();
        const things: unknown[] = [];
        for (const id of ids) {
          const t = index.things.get(`t1_${id}`);
          if (t?.kind !== 't1' || t.c.linkId !== linkId) continue;
          for (const c of onlyAsked ? [t.c] : subtree(t.c)) {
            if (seen.has(c.id)) continue;
            seen.add(c.id);
            things.push(t1(c, raw));
          }
        }
        return json(200, { json: { errors: [], data: { things } } });
      },
    },
    {
      pattern: /^\/api\/info$/,
      name: 'GET /api/info',
      handler: (_m, req, raw) => {
        const ids = (req.query.get('id') ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
          .slice(0, 100);
        const children = ids
          .map((id) => index.things.get(id))
          .filter((t): t is Thing => !!t)
          .map((t) => (t.kind === 't3' ? t3(t.s, raw) : t1(t.c, raw)));
        return json(200, listing(children, null, null));
      },
    },
  ];

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
    addSubmission: (input) => {
      const s: RedditSubmission = {
        id: (nextSubId++).toString(36),
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
        id: (nextComId++).toString(36),
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

function rateHeaders(used: number, remaining: number, resetAt: number, now: number): Record<string, string> {
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
function floatTimes(body: string): string {
  return body.replace(/"(created_utc|created|edited)":(-?\d+)(?=[,}])/g, '"$1":$2.0');
}

function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 50);
}
