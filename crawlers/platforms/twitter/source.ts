// Twitter/X through twitter-api-v2. Pagination is driven here, one request per page with
// `next_token` / `pagination_token`, because the library's paginators stop silently when
// the rate `remaining` reaches 0 (DESIGN.md §6): the token is saved after every stored page
// and the gate waits for the window instead. Rate limits are per token and endpoint, so
// there is one gate per endpoint.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { ApiPartialResponseError, ApiRequestError, ApiResponseError, TwitterApi } from 'twitter-api-v2';
import type { CrawlState, Post } from '../../../storage/types';
import { passStep } from '../../cursor';
import { type GateAnswer, type GateFactory, GateSet, localGates, type RequestGate, TransientError } from '../../rate-gate';
import type { CrawlUnit, Source, SourcePage, UnitContext } from '../../source';
import type { TwitterSettings } from './config';
import { X_HEADERS } from './rate-headers';
import { pagePosts, snowflakeTime, toAccount, type XPage, type XTweet, type XUser } from './posts';
import { refusedBoundMoment, restartAfterRefusal, type SearchStart, searchStart, sinceAfterPass } from './window';

// edit_controls says until when a tweet can still change (edits are re-fetched, below).
const TWEET_FIELDS = 'created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities,public_metrics,lang,edit_controls';
const USER_FIELDS = 'created_at,public_metrics,verified,username,name';
// Shared originals and their authors come in includes (a retweet's own text is cut at 140).
const EXPANSIONS = 'author_id,referenced_tweets.id,referenced_tweets.id.author_id';
/** One tweet look-up request's worth (X: at most 100 ids): what a pass re-fetches for edits. */
export const EDIT_RECHECK_MAX = 100;

/** X's monthly usage cap (a 429 of type usage-capped): no rate window ends it this month. */
export class UsageCapped extends Error {
  constructor(detail: string) {
    super(`X usage cap reached (${detail}): stopped, cursor kept; the cap lifts with the next billing period, not with a rate window`);
    this.name = 'UsageCapped';
  }
}

/** X refused the since_id or start_time as older than recent search reaches (400). */
class BoundRefused extends Error {
  constructor(readonly after: number | undefined) {
    super('since_id or start_time older than recent search reaches');
  }
}

export interface TwitterSourceOptions {
  config: TwitterSettings;
  bearerToken: string;
  /** Override units (tests, demo); default from config.twitter. */
  queries?: string[];
  users?: string[];
  now?: () => Date /** Makes the rate gates (default in-process; BullMQ workers share them through Redis). */;
  gates?: GateFactory;
}

export class TwitterSource implements Source {
  readonly platform = 'twitter' as const;
  private readonly client: TwitterApi;
  private readonly gateSet: GateSet;
  private readonly timeoutMs: number;
  /** Set once X says the app's usage cap is reached. */
  private capped?: UsageCapped;
  /** X's clock minus ours, from the Date headers (X judges its 7-day search limit by its clock). */
  private clockOffset?: number;

  constructor(private readonly opts: TwitterSourceOptions) {
    const { config } = opts;
    const base = config.twitter.baseUrl;
    // twitter-api-v2 speaks https only unless given a plain http agent (the simulator).
    this.client = new TwitterApi(opts.bearerToken, base.startsWith('http:') ? { httpAgent: new http.Agent({ keepAlive: true }) } : {});
    (this.client.v2 as unknown as { setPrefix(p: string): void }).setPrefix(base);
    const app = createHash('sha256').update(opts.bearerToken).digest('hex').slice(0, 8);
    this.gateSet = new GateSet((endpoint) =>
      (opts.gates ?? localGates)({
        name: `twitter app:${app} ${endpoint}`,
        style: X_HEADERS,
        windowMs: config.twitter.rateWindowSec * 1000,
        maxRetries: config.crawl.maxRetries,
      }),
    );
    this.timeoutMs = config.crawl.requestTimeoutMs;
  }

  gates(): RequestGate[] {
    return this.gateSet.all();
  }

  async units(): Promise<CrawlUnit[]> {
    const cfg = this.opts.config.twitter;
    return [
      ...(this.opts.queries ?? cfg.queries).map((q) => ({ id: `twitter:search:${q}`, label: `search "${q}"` })),
      ...(this.opts.users ?? cfg.users).map((u) => ({ id: `twitter:user:${u}:tweets`, label: `@${u} tweets` })),
    ];
  }

  private async get<T>(
    endpoint: string,
    path: string,
    params: Record<string, string | number | undefined>,
    ctx: Pick<UnitContext, 'signal' | 'spend'>,
  ): Promise<T> {
    // The cap holds for every unit of the app: the rest of the run sends nothing more.
    if (this.capped) throw this.capped;
    const query = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string>;
    ctx.spend();
    return this.gateSet.get(endpoint).run(
      `GET /2/${path}`,
      async (): Promise<GateAnswer<T>> => {
        try {
          const r = await this.client.v2.get<T>(path, query, { fullResponse: true, timeout: this.timeoutMs });
          this.readClock(r.headers);
          if (!r.data || typeof r.data !== 'object') throw new TransientError(`malformed body: ${String(r.data).slice(0, 40)}`, 'malformed');
          return { status: 200, headers: r.headers as GateAnswer<T>['headers'], value: r.data };
        } catch (e) {
          if (e instanceof ApiResponseError) {
            this.readClock(e.headers);
            const body = e.data as
              | { type?: string; detail?: string; period?: string; scope?: string; errors?: { message?: string; parameters?: Record<string, unknown> }[] }
              | undefined;
            if (e.code === 429 && String(body?.type ?? '').endsWith('/usage-capped')) {
              this.capped = new UsageCapped([body?.detail, body?.period, body?.scope].filter(Boolean).join(', ') || 'usage-capped');
              throw this.capped;
            }
            if (
              e.code === 400 &&
              (query.since_id || query.start_time) &&
              body?.errors?.some((x) => x.parameters && ('since_id' in x.parameters || 'start_time' in x.parameters))
            ) {
              throw new BoundRefused(refusedBoundMoment(body.errors.map((x) => x.message ?? '').join(' ')));
            }
            return { status: e.code, headers: e.headers as GateAnswer<T>['headers'], detail: JSON.stringify(e.data).slice(0, 200) };
          }
          if (e instanceof ApiPartialResponseError) throw new TransientError(`malformed or cut-off body: ${e.message}`, 'malformed');
          if (e instanceof ApiRequestError) throw new TransientError(e.requestError?.message ?? e.message, /timeout/i.test(e.message) ? 'timeout' : 'network');
          throw e;
        }
      },
      ctx.signal,
    );
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private readClock(headers: Record<string, unknown> | undefined): void {
    const raw = headers?.date;
    const server = Date.parse(String(Array.isArray(raw) ? raw[0] : (raw ?? '')));
    // Date has one-second resolution: +500 ms centres it.
    if (Number.isFinite(server)) this.clockOffset = server + 500 - Date.now();
  }

  /** X's now (ms): the test clock when given, else ours corrected by the Date headers; undefined before any answer. */
  private serverNow(): number | undefined {
    if (this.opts.now) return this.opts.now().getTime();
    return this.clockOffset === undefined ? undefined : Date.now() + this.clockOffset;
  }

  async *pages(unit: CrawlUnit, ctx: UnitContext): AsyncIterable<SourcePage> {
    let state = ctx.state;
    const search = unit.id.startsWith('twitter:search:');
    let userId: string | undefined;
    if (!search) {
      const who = unit.id.replace(/^twitter:user:/, '').replace(/:tweets$/, '');
      userId = /^\d+$/.test(who) ? who : (state?.extra?.userId as string | undefined);
      if (!userId) {
        const found = await this.get<{ data?: XUser }>(
          'GET /2/users/by/username/:username',
          `users/by/username/${encodeURIComponent(who.replace(/^@/, ''))}`,
          {},
          ctx,
        );
        if (!found.data) throw new Error(`X has no user @${who}`);
        userId = found.data.id;
      }
    }
    const notices: string[] = [];
    let rechecked = false;
    let refusals = 0;
    for (;;) {
      let starting = !state?.nextToken;
      const recheck = recheckList(state);
      if (starting && !rechecked && recheck.length > 0) {
        rechecked = true;
        const page = await this.recheckEdits(unit, state as CrawlState, recheck, ctx);
        yield page;
        state = { ...page.cursor, updatedAt: this.now() };
      }
      // The lower bound of the pass: since_id, or start_time once the since_id aged out (search).
      let bound: SearchStart = {};
      if (search) {
        bound = searchStart(state, this.serverNow(), unit.label);
        if (bound.notice && !starting) {
          // Mid-pass with an aged-out bound: the pass starts again from the top.
          state = restartPass(state as CrawlState);
          starting = true;
        }
      } else if (state?.sinceId) bound = { sinceId: state.sinceId.replace(/^twitter:/, '') };
      if (bound.notice) notices.push(bound.notice);
      const token = state?.nextToken ?? undefined;
      const common = { 'tweet.fields': TWEET_FIELDS, expansions: EXPANSIONS, 'user.fields': USER_FIELDS, max_results: 100 };
      let page: XPage;
      try {
        page = search
          ? await this.get<XPage>(
              'GET /2/tweets/search/recent',
              'tweets/search/recent',
              { ...common, ...boundParams(bound), query: unit.id.slice('twitter:search:'.length), next_token: token },
              ctx,
            )
          : await this.get<XPage>('GET /2/users/:id/tweets', `users/${userId}/tweets`, { ...common, since_id: bound.sinceId, pagination_token: token }, ctx);
      } catch (e) {
        // Once per call: a second refusal is an error, not a loop.
        if (!(e instanceof BoundRefused) || !search || refusals++ > 0) throw e;
        // X's clock was not known yet, or disagrees with ours about the 7 days: restart from the moment X names.
        const restart = restartAfterRefusal(unit.label, bound, this.serverNow() ?? Date.now(), e.after);
        notices.push(restart.notice as string);
        const top = restartPass(state as CrawlState);
        state = { ...top, extra: { ...top.extra, passStartTime: restart.startTime as number } };
        continue;
      }
      const fetchedAt = this.now();
      const answeredAt = this.serverNow() ?? fetchedAt.getTime();
      const users = new Map((page.includes?.users ?? []).map((u) => [u.id, u]));
      const included = new Map((page.includes?.tweets ?? []).map((t) => [t.id, t]));
      // Empty results carry no `data` field at all.
      const tweets = page.data ?? [];
      // Refused tweets still move the pass on (their time is in their id): they are reported, not lost.
      const items = tweets.map((t) => ({
        id: `twitter:${t.id}`,
        createdAt: new Date(t.created_at ? Date.parse(t.created_at) : (snowflakeTime(t.id) ?? 0)),
        tweet: t,
      }));
      const step = passStep(unit.id, 'twitter', state, items, page.meta?.next_token ?? null, 'nextToken');
      if (userId && !/^\d+$/.test(unit.id.split(':')[2])) step.cursor.extra = { ...step.cursor.extra, userId };
      const extra = { ...step.cursor.extra };
      // The pass covers what X held when it answered the first page.
      if (starting) extra.passStartedAt = answeredAt;
      if (starting && bound.startTime !== undefined) extra.passStartTime = bound.startTime;
      if (step.done) {
        // A completed pass covers everything up to its start: the since_id never ages out while passes complete.
        if (search) step.cursor.sinceId = sinceAfterPass(step.cursor.sinceId, numberOr(extra.passStartedAt));
        extra.passStartedAt = null;
        extra.passStartTime = null;
      }
      const { posts, refused } = pagePosts(
        step.keep.map((i) => i.tweet),
        { users, tweets: included, unitId: unit.id, fetchedAt },
      );
      extra.recheck = mergeRecheck(
        recheckList({ extra }),
        step.keep.map((i) => i.tweet),
        answeredAt,
      );
      step.cursor.extra = extra;
      yield { posts, accounts: authorsOf(posts, users, fetchedAt), cursor: step.cursor, refused, notices: notices.splice(0) };
      if (step.done) return;
      state = { ...step.cursor, updatedAt: fetchedAt };
    }
  }

  /** Re-fetches tweets that could still be edited when last fetched (one look-up request): their newest text. */
  private async recheckEdits(unit: CrawlUnit, state: CrawlState, ids: string[], ctx: UnitContext): Promise<SourcePage> {
    const r = await this.get<XPage>(
      'GET /2/tweets',
      'tweets',
      { ids: ids.join(','), 'tweet.fields': TWEET_FIELDS, expansions: `${EXPANSIONS},edit_history_tweet_ids`, 'user.fields': USER_FIELDS },
      ctx,
    );
    const fetchedAt = this.now();
    const answeredAt = this.serverNow() ?? fetchedAt.getTime();
    const users = new Map((r.includes?.users ?? []).map((u) => [u.id, u]));
    const { posts, refused } = pagePosts(r.data ?? [], {
      users,
      tweets: new Map((r.includes?.tweets ?? []).map((t) => [t.id, t])),
      unitId: unit.id,
      fetchedAt,
    });
    const accounts = authorsOf(posts, users, fetchedAt);
    // Tweets still editable stay on the list; gone ones are left to deletion sync.
    const { updatedAt: _u, ...cursor } = state;
    return { posts, accounts, refused, cursor: { ...cursor, extra: { ...(state.extra ?? {}), recheck: mergeRecheck([], r.data ?? [], answeredAt) } } };
  }

  /** Deletion sync through the tweet lookup (100 ids a request): missing tweets come back as errors. */
  async deletedAmong(posts: Pick<Post, '_id' | 'externalId'>[], ctx: Omit<UnitContext, 'state'>): Promise<Set<string>> {
    const deleted = new Set<string>();
    for (let i = 0; i < posts.length; i += 100) {
      const batch = posts.slice(i, i + 100);
      const r = await this.get<XPage>('GET /2/tweets', 'tweets', { ids: batch.map((p) => p.externalId).join(',') }, ctx);
      const present = new Set((r.data ?? []).map((t) => t.id));
      for (const p of batch) if (!present.has(p.externalId)) deleted.add(p._id);
    }
    return deleted;
  }

  async close(): Promise<void> {}
}

/** The included users who wrote these posts. */
function authorsOf(posts: Post[], users: Map<string, XUser>, seen: Date) {
  const ids = new Set(posts.map((p) => p.accountId));
  return [...users.values()].filter((u) => ids.has(`twitter:${u.id}`)).map((u) => toAccount(u, seen));
}

function boundParams(b: SearchStart): Record<string, string | undefined> {
  if (b.startTime !== undefined) return { start_time: new Date(b.startTime).toISOString() };
  return { since_id: b.sinceId };
}

function numberOr(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** The same cursor at the top of a new pass (what earlier pages stored stays stored). */
function restartPass(state: CrawlState): CrawlState {
  return { ...state, nextToken: null, newestId: null, extra: { ...(state.extra ?? {}), passNewestAt: null, passStartTime: null } };
}

function recheckList(state: Pick<CrawlState, 'extra'> | null): string[] {
  const raw = state?.extra?.recheck;
  return typeof raw === 'string' && raw ? raw.split(',') : [];
}

/** Ids to re-fetch next pass: those still editable at `at`, newest first, at most one look-up's worth. */
function mergeRecheck(old: string[], tweets: XTweet[], at: number): string | null {
  const ids = new Set(old);
  for (const t of tweets) {
    const until = Date.parse(t.edit_controls?.editable_until ?? '');
    const left = t.edit_controls?.edits_remaining;
    const editable = Number.isFinite(until) && until > at && t.edit_controls?.is_edit_eligible !== false && Number(left ?? 1) > 0;
    if (editable) ids.add(t.id);
    else ids.delete(t.id);
  }
  const list = [...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0)).slice(0, EDIT_RECHECK_MAX);
  return list.length ? list.join(',') : null;
}
