// Reddit through snoowrap. snoowrap keeps the OAuth token life cycle and its request
// pipeline; its transport is replaced through the documented `rawRequest` extension
// point, so every call goes through our fetch transport and rate gate, to a configurable
// base URL (snoowrap hard-codes https://oauth.<domain>). Listings are parsed from the raw
// JSON: snoowrap's lazy objects are thenables its .d.ts cannot await (TS1062) and cost CPU.
import Snoowrap from 'snoowrap';
import { isoWeek } from '../../../analysis/time';
import type { Account, CrawlState, Post } from '../../../storage/types';
import { passStep } from '../../cursor';
import { httpRequest, jsonAnswer } from '../../http';
import { CrawlRequestError, type GateFactory, localGates, type RequestGate, RETRY_AFTER } from '../../rate-gate';
import type { RedditCredentials, RedditSettings } from './config';
import { REDDIT_HEADERS } from './rate-headers';
import { type AccessToken, credentialKey, processTokens } from './tokens';
import { type CrawlUnit, type Source, type SourcePage, type UnitContext, type UnitCursor, UnitNotAccessible } from '../../source';

interface Thing {
  kind: string;
  data: Record<string, unknown>;
}
interface ListingJson {
  kind: 'Listing';
  data: { after: string | null; children: Thing[] };
}

/** What a request needs of the unit it is for; travels with the request, never on shared state. */
type CallContext = Pick<UnitContext, 'signal' | 'spend'>;

type RawOptions = {
  uri: string;
  /** The requesting unit (absent for token requests, which serve every unit). */
  unit?: CallContext;
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
    /** The credential's key in processTokens. */
    tokenKey: string;
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
    // The unit's signal and budget come with the request: units share this client, and a
    // request may be sent long after it was asked for (snoowrap first awaits the token).
    const signal = options.unit?.signal;
    if (!toAuth) options.unit?.spend();
    return gate
      .run(
        label,
        async () =>
          jsonAnswer(await httpRequest({ method: options.method?.toUpperCase(), url: url.href, headers, form: options.form, timeoutMs: t.timeoutMs, signal })),
        signal,
      )
      .then(
        (body) =>
          options.transform ? options.transform(body, { statusCode: 200, headers: {}, body, request: { method: 'GET', uri: { href: url.href } } }) : body,
        (err: Error) => {
          // snoowrap's own 401 handling (token expired in flight) looks at statusCode.
          if (err instanceof CrawlRequestError && err.status) Object.assign(err, { statusCode: err.status });
          if (!toAuth && err instanceof CrawlRequestError && err.status === 401 && options.auth?.bearer) {
            // Refused: no source of this process uses the token again, and this one logs in on
            // its next request (not on this one: snoowrap retries a 401 only for a token near its end).
            processTokens.drop(t.tokenKey, options.auth.bearer);
            if (this.accessToken === options.auth.bearer) this.accessToken = '';
          }
          throw err;
        },
      );
  }

  /** The token this client holds while it lasts, else the process's for this credential (tokens.ts). */
  updateAccessToken(): Promise<string> {
    if (this.accessToken && this.accessToken !== 'pending' && Date.now() < this.tokenExpiration) return Promise.resolve(this.accessToken);
    return processTokens.get(this.transport.tokenKey, () => this.logIn()).then((t) => {
      this.accessToken = t.token;
      this.tokenExpiration = t.expiresAt;
      return t.token;
    });
  }

  /** A new token from the token endpoint. */
  private logIn(): Promise<AccessToken> {
    if (this.refreshToken || (this.username && this.password)) {
      // snoowrap's own login, which asks only when it holds no live token.
      this.accessToken = '';
      return Promise.resolve(super.updateAccessToken()).then((token) => ({ token, expiresAt: this.tokenExpiration }));
    }
    // App-only ("client_credentials"), which snoowrap does not do itself.
    return Promise.resolve(
      this.credentialedClientRequest({ method: 'post', uri: 'api/v1/access_token', form: { grant_type: 'client_credentials' } }) as unknown as Promise<{
        access_token?: string;
        expires_in?: number;
        error?: string;
      }>,
    ).then((info) => {
      if (!info.access_token) throw new Error(`Reddit refused the app credentials: ${info.error ?? 'no access_token'}`);
      return { token: info.access_token, expiresAt: Date.now() + (info.expires_in ?? 3600) * 1000 };
    });
  }
}

export interface RedditSourceOptions {
  config: RedditSettings;
  credentials: RedditCredentials;
  /** Override units (tests, demo); default from config.reddit. */
  subreddits?: string[];
  /** Items per listing request (Reddit's maximum, 100, unless a test wants more pages). */
  pageSize?: number;
  now?: () => Date;
  /** Makes the rate gates (default in-process; BullMQ workers share them through Redis). */
  gates?: GateFactory;
}

/** How Reddit shows an author whose account is gone (and a body its author deleted). */
const DELETED = '[deleted]';
/** posts.accountId of a post whose author is gone: names no account, and none is ever stored under it (storage/types.ts). */
export const NO_ACCOUNT = 'reddit:[deleted]';

/** "HTTP 403: quarantined" when the platform refused the request for good (private, quarantined, banned, removed), else null. */
function refusal(err: unknown): string | null {
  if (!(err instanceof CrawlRequestError) || !err.status || ![403, 404, 410].includes(err.status)) return null;
  // Reddit's error bodies say why: {"reason": "private" | "quarantined" | "banned", "message": "Forbidden", "error": 403}.
  const reason = /"reason"\s*:\s*"([\w-]{1,40})"/.exec(err.message)?.[1];
  return `HTTP ${err.status}${reason ? `: ${reason}` : ''}`;
}

/**
 * Requests for more of one thread (morechildren batches and "continue this thread" links)
 * after its tree: PRAW's `replace_more(limit=32)` default. Bounds what one crafted thread
 * (thousands of levels deep) can take of a run's rate budget.
 */
export const MORE_REQUESTS_PER_THREAD = 32;

/** Posts edited this long before a fetch are read again on the next pass (a week: most edits follow soon after posting; not tuned). */
export const EDIT_RECHECK_MS = 7 * 86_400_000;
/** Most posts a unit re-reads for edits per pass: one /api/info request. */
export const EDIT_RECHECK_MAX = 100;

/** The fullnames listed for re-reading in a unit's cursor. */
function editedList(state: Pick<CrawlState, 'extra'> | null): string[] {
  const v = state?.extra?.edited;
  return typeof v === 'string' && v ? v.split(',') : [];
}

/** Fullnames of these posts edited within EDIT_RECHECK_MS before `at`, latest edit first. */
function recentlyEdited(posts: Post[], at: Date): string[] {
  return posts
    .filter((p) => p.editedAt && at.getTime() - p.editedAt.getTime() <= EDIT_RECHECK_MS)
    .sort((a, b) => (b.editedAt as Date).getTime() - (a.editedAt as Date).getTime())
    .map((p) => p.externalId);
}

function withEdited(cursor: UnitCursor, ids: string[]): UnitCursor {
  const list = [...new Set(ids)].slice(0, EDIT_RECHECK_MAX);
  return { ...cursor, extra: { ...(cursor.extra ?? {}), edited: list.length ? list.join(',') : null } };
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export class RedditSource implements Source {
  readonly platform = 'reddit' as const;
  private readonly r: GatedSnoowrap;
  private readonly gate: RequestGate;
  private readonly authGate: RequestGate;
  private readonly cfg: RedditSettings['reddit'];
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
    this.gate = makeGate({ name: `reddit ${credentials.clientId}`, style: REDDIT_HEADERS, windowMs: config.reddit.rateWindowSec * 1000, maxRetries: retries });
    this.authGate = makeGate({ name: 'reddit token endpoint', style: RETRY_AFTER, windowMs: 1000, maxRetries: retries });
    const auth = credentials.refreshToken
      ? { refreshToken: credentials.refreshToken }
      : credentials.username && credentials.password
        ? { username: credentials.username, password: credentials.password }
        : { accessToken: 'pending' };
    this.r = new GatedSnoowrap({ userAgent: config.reddit.userAgent, clientId: credentials.clientId, clientSecret: credentials.clientSecret, ...auth });
    // Our gate paces, waits out 429s and retries; snoowrap must not do it a second time.
    // (An empty retryErrorCodes turns snoowrap's retry `catch` into a catch-all that crashes
    // on our errors, so it gets a status no server sends.)
    this.r.config({
      requestDelay: 0,
      continueAfterRatelimitError: true,
      retryErrorCodes: [599],
      maxRetryAttempts: 1,
      warnings: false,
      requestTimeout: config.crawl.requestTimeoutMs,
    });
    if (!credentials.refreshToken && !(credentials.username && credentials.password)) this.r.tokenExpiration = 0;
    const authBase = new URL(config.reddit.authUrl).origin;
    this.r.transport = {
      apiBase: config.reddit.baseUrl,
      authBase,
      gate: this.gate,
      authGate: this.authGate,
      timeoutMs: config.crawl.requestTimeoutMs,
      tokenKey: credentialKey(authBase, credentials),
    };
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
  private async get<T>(uri: string, qs: Record<string, string | number | undefined>, ctx: CallContext): Promise<T> {
    // snoowrap "populates" the body into its objects; a function value passes through untouched.
    // It merges these options into its own (lodash merge): the signal and the function are
    // passed on by reference, so each request carries its own unit's.
    const unit: CallContext = { signal: ctx.signal, spend: ctx.spend };
    const out = (await Promise.resolve(
      this.r.oauthRequest({ uri, method: 'get', qs, unit, transform: (body: unknown) => ({ body: { raw: () => body } }) } as never),
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
    // A new pass first re-reads the posts the last one saw edited lately (one /api/info request).
    const recheck = editedList(state);
    if (state && !state.after && recheck.length > 0) {
      const page = await this.recheckEdited(unit, state, recheck, ctx);
      yield page;
      state = { ...page.cursor, updatedAt: this.now() };
    }
    for (;;) {
      const req = this.listingRequest(unit, state?.after ?? null);
      let listing: ListingJson;
      try {
        listing = await this.get<ListingJson>(req.uri, req.qs, ctx);
      } catch (err) {
        // A private, quarantined or banned subreddit (or a suspended user) is this unit's result.
        const refused = refusal(err);
        if (refused) throw new UnitNotAccessible(`not accessible (${refused})`);
        throw err;
      }
      const fetchedAt = this.now();
      const things = (listing?.data?.children ?? []).filter((c) => c.kind === 't3' || c.kind === 't1');
      const items = things.map((t) => ({ id: `reddit:${t.data.name}`, createdAt: new Date(num(t.data.created_utc) * 1000), thing: t }));
      const step = passStep(unit.id, 'reddit', state, items, listing?.data?.after ?? null);
      const posts: Post[] = [];
      const inaccessible: string[] = [];
      const notices: string[] = [];
      const authors = new Map<string, Account>();
      // Only the comment fetch asks what is stored: without comments a page costs no look-up
      // (100 store reads, up to 1.5 s on a loaded machine, with no request for the gate meanwhile).
      const known = this.comments ? await ctx.knownPosts(step.keep.map((i) => i.id)) : new Set<string>();
      for (const item of step.keep) {
        const post = this.toPost(item.thing, unit.id, fetchedAt);
        posts.push(post);
        if (this.comments && item.thing.kind === 't3' && num(item.thing.data.num_comments) > 0 && !known.has(item.id)) {
          posts.push(...(await this.commentTree(String(item.thing.data.id), unit, fetchedAt, ctx, { inaccessible, notices })));
        }
      }
      for (const p of posts) this.addAuthor(authors, p, fetchedAt);
      await this.fillAuthors(authors, ctx);
      const cursor = withEdited(step.cursor, [...recentlyEdited(posts, fetchedAt), ...editedList(state)]);
      yield { posts, accounts: [...authors.values()], cursor, inaccessible, notices };
      if (step.done) return;
      state = { ...cursor, updatedAt: fetchedAt };
    }
  }

  /**
   * Edits (12.10): listings are newest first by creation, so a pass never meets an old post
   * again, edited or not. Posts seen edited within EDIT_RECHECK_MS are listed in the unit's
   * cursor and read again through /api/info when the next pass starts, their new text
   * stored; those still edited lately stay listed. At most EDIT_RECHECK_MAX (one request).
   */
  private async recheckEdited(unit: CrawlUnit, state: NonNullable<UnitContext['state']>, ids: string[], ctx: CallContext): Promise<SourcePage> {
    const listing = await this.get<ListingJson>('api/info', { id: ids.join(',') }, ctx);
    const fetchedAt = this.now();
    const posts = (listing?.data?.children ?? []).filter((t) => t.kind === 't3' || t.kind === 't1').map((t) => this.toPost(t, unit.id, fetchedAt));
    const authors = new Map<string, Account>();
    for (const p of posts) this.addAuthor(authors, p, fetchedAt);
    const { updatedAt: _u, ...cursor } = state;
    return {
      posts,
      accounts: [...authors.values()],
      cursor: withEdited({ ...cursor, extra: { ...(cursor.extra ?? {}), edited: null } }, recentlyEdited(posts, fetchedAt)),
    };
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private addAuthor(map: Map<string, Account>, p: Post, seen: Date) {
    if (p.accountId === NO_ACCOUNT || map.has(p.accountId)) return;
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

  /**
   * A submission's comments: the tree, then what it leaves out, as PRAW gets it — `more`
   * stubs through /api/morechildren (100 ids a request), and "continue this thread" stubs
   * (`more` with count 0 and no children, at the depth limit) through
   * /comments/<link>/_/<parent comment>, whose answer may hold stubs of its own. A thread
   * or continuation the platform refuses (403/404: private, quarantined, removed) is named
   * in `inaccessible`; the comments fetched so far are kept. Threads are attacker-written:
   * after MORE_REQUESTS_PER_THREAD such requests the rest is left, and `notices` says so.
   */
  private async commentTree(
    id: string,
    unit: CrawlUnit,
    fetchedAt: Date,
    ctx: CallContext,
    report: { inaccessible: string[]; notices: string[] },
  ): Promise<Post[]> {
    const unitId = unit.id;
    const { inaccessible } = report;
    const out: Post[] = [];
    const seen = new Set<string>();
    const authorOf = new Map<string, string>();
    let pending: string[] = [];
    const threads: string[] = [];
    const threadsAsked = new Set<string>();
    const walk = (things: Thing[]) => {
      for (const t of things) {
        if (t.kind === 'more') {
          const children = (t.data.children as string[] | undefined) ?? [];
          if (children.length > 0) pending.push(...children);
          else if (num(t.data.count) === 0 && str(t.data.parent_id)?.startsWith('t1_')) {
            const parent = String(t.data.parent_id).slice(3);
            if (!threadsAsked.has(parent)) {
              threadsAsked.add(parent);
              threads.push(parent);
            }
          }
        } else if (t.kind === 't1') {
          const name = String(t.data.name);
          // A continuation answers with its parent comment again, replies included.
          if (!seen.has(name)) {
            seen.add(name);
            authorOf.set(name, String(t.data.author));
            out.push(this.toPost(t, unitId, fetchedAt));
          }
          const replies = t.data.replies as ListingJson | '' | undefined;
          if (replies && typeof replies === 'object') walk(replies.data.children);
        }
      }
    };
    const fetchTree = async (uri: string, what: string) => {
      try {
        const tree = await this.get<[ListingJson, ListingJson]>(uri, { limit: 500, depth: 10, sort: 'old' }, ctx);
        const sub = tree?.[0]?.data?.children?.[0];
        if (sub) authorOf.set(`t3_${id}`, String(sub.data.author));
        walk(tree?.[1]?.data?.children ?? []);
      } catch (err) {
        const refused = refusal(err);
        if (!refused) throw err;
        inaccessible.push(`${what}: ${refused}`);
      }
    };
    await fetchTree(`comments/${id}`, `thread t3_${id}`);
    let requests = 0;
    while (pending.length > 0 || threads.length > 0) {
      if (requests++ >= MORE_REQUESTS_PER_THREAD) {
        report.notices.push(
          `${unit.label}: thread t3_${id}: left ${pending.length} more comment(s) and ${threads.length} deeper thread(s) after ${MORE_REQUESTS_PER_THREAD} requests for more`,
        );
        break;
      }
      if (pending.length > 0) {
        const batch = pending.slice(0, 100);
        pending = pending.slice(100);
        const more = await this.get<{ json: { data: { things: Thing[] } } }>(
          'api/morechildren',
          { link_id: `t3_${id}`, children: batch.join(','), api_type: 'json' },
          ctx,
        );
        walk((more?.json?.data?.things ?? []).map((t) => ({ ...t, data: { ...t.data, replies: '' } })));
      } else {
        const parent = threads.shift() as string;
        await fetchTree(`comments/${id}/_/${parent}`, `thread t3_${id} below t1_${parent}`);
      }
    }
    for (const p of out) {
      const parentAuthor = p.parentId ? authorOf.get(p.parentId.replace(/^reddit:/, '')) : undefined;
      if (parentAuthor && parentAuthor !== DELETED) p.replyToAccountId = `reddit:u/${parentAuthor}`;
    }
    return out;
  }

  /**
   * One thing as a post. A post whose author is gone (`[deleted]`) keeps its text — Reddit
   * still shows it — but names no account (NO_ACCOUNT) and is marked deleted: it is nobody's
   * post for detection, and a stored copy keeps the author it had (crawlers/page-writer.ts).
   */
  toPost(t: Thing, unitId: string, fetchedAt: Date): Post {
    const d = t.data;
    const fullname = String(d.name);
    const author = str(d.author) ?? DELETED;
    const authorGone = author === DELETED;
    const createdAt = new Date(num(d.created_utc) * 1000);
    const post: Post = {
      _id: `reddit:${fullname}`,
      platform: 'reddit',
      kind: t.kind === 't3' ? 'submission' : 'comment',
      externalId: fullname,
      accountId: authorGone ? NO_ACCOUNT : `reddit:u/${author}`,
      author,
      createdAt,
      week: isoWeek(createdAt),
      community: str(d.subreddit),
      score: Number.isFinite(num(d.score)) ? num(d.score) : undefined,
      source: unitId,
      fetchedAt,
    };
    // `edited`: false, or the epoch seconds (a float) of the last edit.
    if (typeof d.edited === 'number' && d.edited > 0) post.editedAt = new Date(d.edited * 1000);
    let text: string;
    let removed: boolean;
    if (t.kind === 't3') {
      text = str(d.selftext) ?? '';
      removed = !!d.removed_by_category || text === '[removed]' || text === DELETED;
      const link = d.is_self ? undefined : str(d.url);
      Object.assign(post, { title: str(d.title), url: `https://www.reddit.com${str(d.permalink) ?? ''}`, links: link ? [link] : undefined });
    } else {
      text = str(d.body) ?? '';
      removed = text === '[removed]' || text === DELETED;
      post.parentId = `reddit:${String(d.parent_id)}`;
      post.url = d.permalink ? `https://www.reddit.com${str(d.permalink)}` : undefined;
      if (str(d.link_author) && String(d.parent_id).startsWith('t3_') && d.link_author !== DELETED) post.replyToAccountId = `reddit:u/${d.link_author}`;
    }
    if (!removed && text) post.text = text;
    if (removed || authorGone) post.deleted = true;
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
