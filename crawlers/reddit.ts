// Reddit through snoowrap. snoowrap keeps the OAuth token life cycle and its request
// pipeline; its transport is replaced through the documented `rawRequest` extension
// point, so every call goes through our fetch transport and rate gate, to a configurable
// base URL (snoowrap hard-codes https://oauth.<domain>). Listings are parsed from the raw
// JSON: snoowrap's lazy objects are thenables its .d.ts cannot await (TS1062) and cost CPU.
import Snoowrap from 'snoowrap';
import { isoWeek } from '../analysis/time';
import type { Config } from '../config/index';
import type { Account, Post } from '../storage/types';
import { passStep } from './cursor';
import { httpRequest, jsonAnswer } from './http';
import { CrawlRequestError, type GateFactory, localGates, type RequestGate } from './rate-gate';
import type { CrawlUnit, Source, SourcePage, UnitContext } from './source';

export interface RedditCredentials {
  clientId: string;
  clientSecret: string;
  username?: string;
  password?: string;
  refreshToken?: string;
}

interface Thing {
  kind: string;
  data: Record<string, unknown>;
}
interface ListingJson {
  kind: 'Listing';
  data: { after: string | null; children: Thing[] };
}

type RawOptions = {
  uri: string;
  baseUrl?: string;
  method?: string;
  qs?: Record<string, string | number | undefined>;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  auth?: { bearer?: string; user?: string; pass?: string };
  json?: boolean;
  transform?: (body: unknown, response: unknown) => unknown;
};

const REDDIT_UA = /^[\w.-]+:[\w.-]+:v?[\w.-]+ \(by \/u\/[\w-]+\)$/;

/** Reddit's rule: "<platform>:<app id>:<version string> (by /u/<reddit username>)". */
export function checkUserAgent(ua: string): string | null {
  return REDDIT_UA.test(ua) ? null : `reddit.userAgent "${ua}" does not follow Reddit's rule "<platform>:<app id>:<version> (by /u/<username>)"`;
}

/** snoowrap with its transport replaced: requests go to our base URLs through our gates. */
class GatedSnoowrap extends Snoowrap {
  declare accessToken: string;
  declare tokenExpiration: number;
  declare refreshToken: string;
  declare username: string;
  declare password: string;
  transport!: {
    apiBase: string;
    authBase: string;
    gate: RequestGate;
    authGate: RequestGate;
    timeoutMs: number;
    signal?: AbortSignal;
    spend?: () => void;
  };

  rawRequest(options: RawOptions): Promise<unknown> {
    const t = this.transport;
    const toAuth = !options.baseUrl || options.baseUrl.startsWith('https://www.');
    const base = toAuth ? t.authBase : t.apiBase;
    const url = new URL(options.uri.replace(/^\//, ''), `${base.replace(/\/+$/, '')}/`);
    for (const [k, v] of Object.entries(options.qs ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...(options.headers ?? {}), accept: 'application/json' };
    if (options.auth?.bearer) headers.authorization = `bearer ${options.auth.bearer}`;
    else if (options.auth) headers.authorization = `Basic ${Buffer.from(`${options.auth.user ?? ''}:${options.auth.pass ?? ''}`).toString('base64')}`;
    const gate = toAuth ? t.authGate : t.gate;
    const label = `${(options.method ?? 'get').toUpperCase()} ${url.pathname}`;
    if (!toAuth) t.spend?.();
    return gate
      .run(label, async () => jsonAnswer(await httpRequest({ method: options.method?.toUpperCase(), url: url.href, headers, form: options.form, timeoutMs: t.timeoutMs, signal: t.signal })), t.signal)
      .then(
        (body) => (options.transform ? options.transform(body, { statusCode: 200, headers: {}, body, request: { method: 'GET', uri: { href: url.href } } }) : body),
        (err: Error) => {
          // snoowrap's own 401 handling (token expired in flight) looks at statusCode.
          if (err instanceof CrawlRequestError && err.status) Object.assign(err, { statusCode: err.status });
          throw err;
        },
      );
  }

  updateAccessToken(): Promise<string> {
    if (this.refreshToken || (this.username && this.password)) return Promise.resolve(super.updateAccessToken());
    // App-only ("client_credentials"), which snoowrap does not do itself.
    if (this.accessToken && this.accessToken !== 'pending' && Date.now() < this.tokenExpiration) return Promise.resolve(this.accessToken);
    return Promise.resolve(
      this.credentialedClientRequest({ method: 'post', uri: 'api/v1/access_token', form: { grant_type: 'client_credentials' } }) as unknown as Promise<{
        access_token?: string;
        expires_in?: number;
        error?: string;
      }>,
    ).then((info) => {
      if (!info.access_token) throw new Error(`Reddit refused the app credentials: ${info.error ?? 'no access_token'}`);
      this.accessToken = info.access_token;
      this.tokenExpiration = Date.now() + (info.expires_in ?? 3600) * 1000;
      return this.accessToken;
    });
  }
}

export interface RedditSourceOptions {
  config: Config;
  credentials: RedditCredentials;
  /** Override units (tests, demo); default from config.reddit. */
  subreddits?: string[];
  /** Items per listing request (Reddit's maximum, 100, unless a test wants more pages). */
  pageSize?: number;
  now?: () => Date;
  /** Makes the rate gates (default in-process; BullMQ workers share them through Redis). */
  gates?: GateFactory;
}

export function redditCredentials(config: Config): RedditCredentials | null {
  const s = config.secrets;
  if (!s.redditClientId || s.redditClientSecret === undefined) return null;
  return { clientId: s.redditClientId, clientSecret: s.redditClientSecret, username: s.redditUsername, password: s.redditPassword, refreshToken: s.redditRefreshToken };
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export class RedditSource implements Source {
  readonly platform = 'reddit' as const;
  private readonly r: GatedSnoowrap;
  private readonly gate: RequestGate;
  private readonly authGate: RequestGate;
  private readonly cfg: Config['reddit'];
  private readonly comments: boolean;
  private readonly aboutFetched = new Set<string>();

  constructor(private readonly opts: RedditSourceOptions) {
    const { config, credentials } = opts;
    this.cfg = config.reddit;
    this.comments = config.reddit.comments;
    const uaProblem = checkUserAgent(config.reddit.userAgent);
    if (uaProblem) throw new Error(uaProblem);
    const retries = config.crawl.maxRetries;
    const makeGate = opts.gates ?? localGates;
    this.gate = makeGate({ name: `reddit ${credentials.clientId}`, style: 'reddit', windowMs: config.reddit.rateWindowSec * 1000, maxRetries: retries });
    this.authGate = makeGate({ name: 'reddit token endpoint', style: 'retry-after', windowMs: 1000, maxRetries: retries });
    const auth = credentials.refreshToken
      ? { refreshToken: credentials.refreshToken }
      : credentials.username && credentials.password
        ? { username: credentials.username, password: credentials.password }
        : { accessToken: 'pending' };
    this.r = new GatedSnoowrap({ userAgent: config.reddit.userAgent, clientId: credentials.clientId, clientSecret: credentials.clientSecret, ...auth });
    // Our gate paces, waits out 429s and retries; snoowrap must not do it a second time.
    // (An empty retryErrorCodes turns snoowrap's retry `catch` into a catch-all that crashes
    // on our errors, so it gets a status no server sends.)
    this.r.config({ requestDelay: 0, continueAfterRatelimitError: true, retryErrorCodes: [599], maxRetryAttempts: 1, warnings: false, requestTimeout: config.crawl.requestTimeoutMs });
    if (!credentials.refreshToken && !(credentials.username && credentials.password)) this.r.tokenExpiration = 0;
    const authBase = new URL(config.reddit.authUrl).origin;
    this.r.transport = { apiBase: config.reddit.baseUrl, authBase, gate: this.gate, authGate: this.authGate, timeoutMs: config.crawl.requestTimeoutMs };
  }

  gates(): RequestGate[] {
    return [this.gate, this.authGate];
  }

  async units(): Promise<CrawlUnit[]> {
    const units: CrawlUnit[] = [];
    for (const sub of this.opts.subreddits ?? this.cfg.subreddits) units.push({ id: `reddit:r/${sub}:new`, label: `r/${sub} new` });
    for (const s of this.cfg.searches) units.push({ id: `reddit:r/${s.subreddit}:search:${s.query}`, label: `r/${s.subreddit} search "${s.query}"` });
    for (const u of this.cfg.users) {
      units.push({ id: `reddit:u/${u}:submitted`, label: `u/${u} submitted` });
      units.push({ id: `reddit:u/${u}:comments`, label: `u/${u} comments` });
    }
    return units;
  }

  /** One GET through snoowrap's request pipeline, returning the raw JSON. */
  private async get<T>(uri: string, qs: Record<string, string | number | undefined>, ctx: Pick<UnitContext, 'signal' | 'spend'>): Promise<T> {
    this.r.transport.signal = ctx.signal;
    this.r.transport.spend = ctx.spend;
    // snoowrap "populates" the body into its objects; a function value passes through untouched.
    const out = (await Promise.resolve(
      this.r.oauthRequest({ uri, method: 'get', qs, transform: (body: unknown) => ({ body: { raw: () => body } }) } as never),
    )) as { raw: () => T };
    return out.raw();
  }

  private listingRequest(unit: CrawlUnit, after: string | null): { uri: string; qs: Record<string, string | number | undefined> } {
    const m = /^reddit:(r|u)\/([^:]+):(new|search|submitted|comments)(?::(.*))?$/.exec(unit.id);
    if (!m) throw new Error(`not a reddit unit: ${unit.id}`);
    const [, kind, name, what, query] = m;
    const qs = { limit: this.opts.pageSize ?? 100, after: after ?? undefined };
    if (kind === 'r' && what === 'new') return { uri: `r/${name}/new`, qs };
    if (kind === 'r' && what === 'search') return { uri: `r/${name}/search`, qs: { ...qs, q: query, restrict_sr: 1, sort: 'new', t: 'all' } };
    return { uri: `user/${name}/${what}`, qs: { ...qs, sort: 'new' } };
  }

  async *pages(unit: CrawlUnit, ctx: UnitContext): AsyncIterable<SourcePage> {
    let state = ctx.state;
    for (;;) {
      const req = this.listingRequest(unit, state?.after ?? null);
      const listing = await this.get<ListingJson>(req.uri, req.qs, ctx);
      const fetchedAt = this.now();
      const things = (listing?.data?.children ?? []).filter((c) => c.kind === 't3' || c.kind === 't1');
      const items = things.map((t) => ({ id: `reddit:${t.data.name}`, createdAt: new Date(num(t.data.created_utc) * 1000), thing: t }));
      const step = passStep(unit.id, 'reddit', state, items, listing?.data?.after ?? null);
      const posts: Post[] = [];
      const authors = new Map<string, Account>();
      const known = await ctx.knownPosts(step.keep.map((i) => i.id));
      for (const item of step.keep) {
        const post = this.toPost(item.thing, unit.id, fetchedAt);
        posts.push(post);
        if (this.comments && item.thing.kind === 't3' && num(item.thing.data.num_comments) > 0 && !known.has(item.id)) {
          posts.push(...(await this.commentTree(String(item.thing.data.id), unit.id, fetchedAt, ctx)));
        }
      }
      for (const p of posts) if (!p.deleted || p.author !== '[deleted]') this.addAuthor(authors, p, fetchedAt);
      await this.fillAuthors(authors, ctx);
      yield { posts, accounts: [...authors.values()], cursor: step.cursor };
      if (step.done) return;
      state = { ...step.cursor, updatedAt: fetchedAt };
    }
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private addAuthor(map: Map<string, Account>, p: Post, seen: Date) {
    if (p.author === '[deleted]' || map.has(p.accountId)) return;
    map.set(p.accountId, { _id: p.accountId, platform: 'reddit', handle: p.author, firstSeenAt: seen, lastSeenAt: seen });
  }

  /** Account creation time and karma for authors not stored with them yet. */
  private async fillAuthors(authors: Map<string, Account>, ctx: UnitContext) {
    if (!this.cfg.fetchAuthors || authors.size === 0) return;
    const known = await ctx.knownAccounts([...authors.keys()]);
    for (const a of authors.values()) {
      // Units run concurrently: an author another unit is looking up already is left to it.
      if (known.has(a._id) || this.aboutFetched.has(a._id)) continue;
      this.aboutFetched.add(a._id);
      try {
        const about = await this.get<Thing>(`user/${a.handle}/about`, {}, ctx);
        const d = about?.data ?? {};
        if (d.created_utc !== undefined) a.createdAt = new Date(num(d.created_utc) * 1000);
        if (d.link_karma !== undefined) a.karma = num(d.link_karma) + num(d.comment_karma ?? 0);
      } catch (err) {
        // Suspended and shadow-banned users answer 404/403: keep the account without details.
        if (!(err instanceof CrawlRequestError && err.status && err.status < 500)) throw err;
      }
    }
  }

  private async commentTree(id: string, unitId: string, fetchedAt: Date, ctx: UnitContext): Promise<Post[]> {
    const tree = await this.get<[ListingJson, ListingJson]>(`comments/${id}`, { limit: 500, depth: 10, sort: 'old' }, ctx);
    const out: Post[] = [];
    const authorOf = new Map<string, string>();
    const sub = tree?.[0]?.data?.children?.[0];
    if (sub) authorOf.set(`t3_${id}`, String(sub.data.author));
    let pending: string[] = [];
    const walk = (things: Thing[]) => {
      for (const t of things) {
        if (t.kind === 'more') {
          pending.push(...((t.data.children as string[]) ?? []));
        } else if (t.kind === 't1') {
          authorOf.set(String(t.data.name), String(t.data.author));
          out.push(this.toPost(t, unitId, fetchedAt));
          const replies = t.data.replies as ListingJson | '' | undefined;
          if (replies && typeof replies === 'object') walk(replies.data.children);
        }
      }
    };
    walk(tree?.[1]?.data?.children ?? []);
    const seen = new Set(out.map((p) => p.externalId));
    while (pending.length > 0) {
      const batch = pending.slice(0, 100);
      pending = pending.slice(100);
      const more = await this.get<{ json: { data: { things: Thing[] } } }>('api/morechildren', { link_id: `t3_${id}`, children: batch.join(','), api_type: 'json' }, ctx);
      const things = (more?.json?.data?.things ?? []).filter((t) => !seen.has(String(t.data.name)));
      for (const t of things) seen.add(String(t.data.name));
      walk(things.map((t) => ({ ...t, data: { ...t.data, replies: '' } })));
    }
    for (const p of out) {
      const parentAuthor = p.parentId ? authorOf.get(p.parentId.replace(/^reddit:/, '')) : undefined;
      if (parentAuthor && parentAuthor !== '[deleted]') p.replyToAccountId = `reddit:u/${parentAuthor}`;
    }
    return out;
  }

  toPost(t: Thing, unitId: string, fetchedAt: Date): Post {
    const d = t.data;
    const fullname = String(d.name);
    const author = String(d.author ?? '[deleted]');
    const createdAt = new Date(num(d.created_utc) * 1000);
    const base = {
      _id: `reddit:${fullname}`,
      platform: 'reddit',
      externalId: fullname,
      accountId: author === '[deleted]' ? 'reddit:[deleted]' : `reddit:u/${author}`,
      author,
      createdAt,
      week: isoWeek(createdAt),
      community: str(d.subreddit),
      score: Number.isFinite(num(d.score)) ? num(d.score) : undefined,
      source: unitId,
      fetchedAt,
    };
    if (t.kind === 't3') {
      const selftext = str(d.selftext) ?? '';
      const deleted = author === '[deleted]' || !!d.removed_by_category || selftext === '[removed]' || selftext === '[deleted]';
      const link = d.is_self ? undefined : str(d.url);
      const post: Post = { ...base, kind: 'submission', title: str(d.title), url: `https://www.reddit.com${str(d.permalink) ?? ''}`, links: link ? [link] : undefined };
      if (!deleted && selftext) post.text = selftext;
      if (deleted) post.deleted = true;
      return post;
    }
    const body = str(d.body) ?? '';
    const deleted = author === '[deleted]' || body === '[deleted]' || body === '[removed]';
    const post: Post = {
      ...base,
      kind: 'comment',
      parentId: `reddit:${String(d.parent_id)}`,
      url: d.permalink ? `https://www.reddit.com${str(d.permalink)}` : undefined,
    };
    if (!deleted) post.text = body;
    else post.deleted = true;
    if (str(d.link_author) && String(d.parent_id).startsWith('t3_') && d.link_author !== '[deleted]') post.replyToAccountId = `reddit:u/${d.link_author}`;
    return post;
  }

  /** Deletion sync through /api/info (100 fullnames a request). */
  async deletedAmong(posts: Pick<Post, '_id' | 'externalId'>[], ctx: Omit<UnitContext, 'state'>): Promise<Set<string>> {
    const deleted = new Set<string>();
    for (let i = 0; i < posts.length; i += 100) {
      const batch = posts.slice(i, i + 100);
      const listing = await this.get<ListingJson>('api/info', { id: batch.map((p) => p.externalId).join(',') }, ctx);
      const found = new Map((listing?.data?.children ?? []).map((t) => [String(t.data.name), t]));
      for (const p of batch) {
        const t = found.get(p.externalId);
        // Gone from /api/info entirely, or shown as deleted/removed.
        if (!t || this.toPost(t, 'deletion-sync', new Date()).deleted) deleted.add(p._id);
      }
    }
    return deleted;
  }

  async close(): Promise<void> {}
}
