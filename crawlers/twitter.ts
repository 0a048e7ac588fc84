// Twitter/X through twitter-api-v2. Pagination is driven here, one request per page with
// `next_token` / `pagination_token`, because the library's paginators stop silently when
// the rate `remaining` reaches 0 (DESIGN.md §6): the token is saved after every stored page
// and the gate waits for the window instead. Rate limits are per token and endpoint, so
// there is one gate per endpoint.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { ApiPartialResponseError, ApiRequestError, ApiResponseError, TwitterApi } from 'twitter-api-v2';
import { isoWeek } from '../analysis/time';
import type { Config } from '../config/index';
import type { Account, Post } from '../storage/types';
import { passStep } from './cursor';
import { type GateAnswer, type GateFactory, GateSet, localGates, type RequestGate, TransientError } from './rate-gate';
import type { CrawlUnit, Source, SourcePage, UnitContext } from './source';

const TWEET_FIELDS = 'created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities,public_metrics,lang';
const USER_FIELDS = 'created_at,public_metrics,verified,username,name';

interface XTweet {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
  in_reply_to_user_id?: string;
  referenced_tweets?: { type: string; id: string }[];
  entities?: { urls?: { expanded_url?: string; url?: string }[] };
  public_metrics?: { like_count?: number };
}
interface XUser {
  id: string;
  username: string;
  name?: string;
  created_at?: string;
  verified?: boolean;
  public_metrics?: { followers_count?: number; following_count?: number };
}
interface XPage {
  data?: XTweet[];
  includes?: { users?: XUser[] };
  meta?: { next_token?: string; result_count?: number; newest_id?: string };
  errors?: { resource_id?: string; value?: string; title?: string; type?: string }[];
}

export interface TwitterSourceOptions {
  config: Config;
  bearerToken: string;
  /** Override units (tests, demo); default from config.twitter. */
  queries?: string[];
  users?: string[];
  now?: () => Date;  /** Makes the rate gates (default in-process; BullMQ workers share them through Redis). */
  gates?: GateFactory;
}

export class TwitterSource implements Source {
  readonly platform = 'twitter' as const;
  private readonly client: TwitterApi;
  private readonly gateSet: GateSet;
  private readonly timeoutMs: number;

  constructor(private readonly opts: TwitterSourceOptions) {
    const { config } = opts;
    const base = config.twitter.baseUrl;
    // twitter-api-v2 speaks https only unless given a plain http agent (the simulator).
    this.client = new TwitterApi(opts.bearerToken, base.startsWith('http:') ? { httpAgent: new http.Agent({ keepAlive: true }) } : {});
    (this.client.v2 as unknown as { setPrefix(p: string): void }).setPrefix(base);
    const app = createHash('sha256').update(opts.bearerToken).digest('hex').slice(0, 8);
    this.gateSet = new GateSet(
      (endpoint) =>
        (opts.gates ?? localGates)({ name: `twitter app:${app} ${endpoint}`, style: 'x', windowMs: config.twitter.rateWindowSec * 1000, maxRetries: config.crawl.maxRetries }),
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

  private async get<T>(endpoint: string, path: string, params: Record<string, string | number | undefined>, ctx: Pick<UnitContext, 'signal' | 'spend'>): Promise<T> {
    const query = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string>;
    ctx.spend();
    return this.gateSet.get(endpoint).run(
      `GET /2/${path}`,
      async (): Promise<GateAnswer<T>> => {
        try {
          const r = await this.client.v2.get<T>(path, query, { fullResponse: true, timeout: this.timeoutMs });
          if (!r.data || typeof r.data !== 'object') throw new TransientError(`malformed body: ${String(r.data).slice(0, 40)}`, 'malformed');
          return { status: 200, headers: r.headers as GateAnswer<T>['headers'], value: r.data };
        } catch (e) {
          if (e instanceof ApiResponseError) return { status: e.code, headers: e.headers as GateAnswer<T>['headers'], detail: JSON.stringify(e.data).slice(0, 200) };
          if (e instanceof ApiPartialResponseError) throw new TransientError(`malformed or cut-off body: ${e.message}`, 'malformed');
          if (e instanceof ApiRequestError) throw new TransientError(e.requestError?.message ?? e.message, /timeout/i.test(e.message) ? 'timeout' : 'network');
          throw e;
        }
      },
      ctx.signal,
    );
  }

  async *pages(unit: CrawlUnit, ctx: UnitContext): AsyncIterable<SourcePage> {
    let state = ctx.state;
    const search = unit.id.startsWith('twitter:search:');
    let userId: string | undefined;
    if (!search) {
      const who = unit.id.replace(/^twitter:user:/, '').replace(/:tweets$/, '');
      userId = /^\d+$/.test(who) ? who : (state?.extra?.userId as string | undefined);
      if (!userId) {
        const found = await this.get<{ data?: XUser }>('GET /2/users/by/username/:username', `users/by/username/${encodeURIComponent(who.replace(/^@/, ''))}`, {}, ctx);
        if (!found.data) throw new Error(`X has no user @${who}`);
        userId = found.data.id;
      }
    }
    for (;;) {
      const token = state?.nextToken ?? undefined;
      const sinceId = state?.sinceId ? state.sinceId.replace(/^twitter:/, '') : undefined;
      const common = { 'tweet.fields': TWEET_FIELDS, expansions: 'author_id', 'user.fields': USER_FIELDS, max_results: 100, since_id: sinceId };
      const page = search
        ? await this.get<XPage>('GET /2/tweets/search/recent', 'tweets/search/recent', { ...common, query: unit.id.slice('twitter:search:'.length), next_token: token }, ctx)
        : await this.get<XPage>('GET /2/users/:id/tweets', `users/${userId}/tweets`, { ...common, pagination_token: token }, ctx);
      const fetchedAt = this.opts.now?.() ?? new Date();
      const users = new Map((page.includes?.users ?? []).map((u) => [u.id, u]));
      // Empty results carry no `data` field at all.
      const tweets = page.data ?? [];
      const items = tweets.map((t) => ({ id: `twitter:${t.id}`, createdAt: new Date(t.created_at ?? 0), tweet: t }));
      const step = passStep(unit.id, 'twitter', state, items, page.meta?.next_token ?? null, 'nextToken');
      if (userId && !/^\d+$/.test(unit.id.split(':')[2])) step.cursor.extra = { ...step.cursor.extra, userId };
      const posts = step.keep.map((i) => toPost(i.tweet, users.get(i.tweet.author_id ?? ''), unit.id, fetchedAt));
      const authorIds = new Set(step.keep.map((i) => i.tweet.author_id));
      const accounts = [...users.values()].filter((u) => authorIds.has(u.id)).map((u) => toAccount(u, fetchedAt));
      yield { posts, accounts, cursor: step.cursor };
      if (step.done) return;
      state = { ...step.cursor, updatedAt: fetchedAt };
    }
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

export function toPost(t: XTweet, user: XUser | undefined, unitId: string, fetchedAt: Date): Post {
  const createdAt = new Date(t.created_at ?? 0);
  const parent = t.referenced_tweets?.find((r) => r.type === 'replied_to');
  const links = (t.entities?.urls ?? []).map((u) => u.expanded_url ?? u.url).filter((u): u is string => !!u);
  const handle = user?.username ?? t.author_id ?? 'unknown';
  return {
    _id: `twitter:${t.id}`,
    platform: 'twitter',
    kind: 'tweet',
    externalId: t.id,
    accountId: `twitter:${t.author_id}`,
    author: handle,
    createdAt,
    week: isoWeek(createdAt),
    text: t.text,
    url: `https://x.com/${handle}/status/${t.id}`,
    parentId: parent ? `twitter:${parent.id}` : undefined,
    replyToAccountId: t.in_reply_to_user_id ? `twitter:${t.in_reply_to_user_id}` : undefined,
    links: links.length ? links : undefined,
    score: t.public_metrics?.like_count,
    source: unitId,
    fetchedAt,
  };
}

export function toAccount(u: XUser, seen: Date): Account {
  return {
    _id: `twitter:${u.id}`,
    platform: 'twitter',
    handle: u.username,
    displayName: u.name,
    createdAt: u.created_at ? new Date(u.created_at) : undefined,
    followers: u.public_metrics?.followers_count,
    following: u.public_metrics?.following_count,
    verified: u.verified,
    firstSeenAt: seen,
    lastSeenAt: seen,
  };
}
