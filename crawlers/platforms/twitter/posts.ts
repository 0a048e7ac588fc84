// X API v2 tweets as ringwatch posts (pure: no I/O). What the real API does that this
// mapping answers for (issue 12, seen in recorded traffic):
//  - text comes HTML-escaped (`&amp;`, `&lt;`, `&gt;` only): unescaped once, here;
//  - a retweet's own text is "RT @x: " plus the original cut at ~140 characters with "…".
//    A retweet is stored as a share, not as writing: no text and no links of its own,
//    `references` [{retweeted}], `objects` ["tweet:<original>"]; the original (from
//    `includes.tweets`, full text) is stored as its own post of its own author. So the text
//    exists once, and 19 accounts retweeting one tweet are co-sharers (co_share edges),
//    never a copy-paste ring (near-duplicate text) nor co-linkers of the original's links.
//    A quote keeps its own text and links and shares the quoted tweet the same way;
//  - media and "show more" links point at the tweet itself (`twitter.com/u/status/<id>/photo/1`,
//    `twitter.com/i/web/status/<id>`), and a quote links the quoted tweet: neither is an
//    outbound link. `unwound_url` (where t.co's redirects end) is preferred to `expanded_url`;
//  - an edited tweet is a chain of ids (`edit_history_tweet_ids`, oldest first): every
//    version is one post, `twitter:<first id>`, holding the newest text seen;
//  - an answer can lack fields that were asked for: such tweets are refused with a reason
//    (no 1970 dates, no `twitter:undefined` accounts).
import { isoWeek } from '../../../analysis/time';
import type { Account, Post, PostReference } from '../../../storage/types';

export interface XUrlEntity {
  url?: string;
  expanded_url?: string;
  unwound_url?: string;
  media_key?: string;
}
export interface XTweet {
  id: string;
  text: string;
  author_id?: string;
  created_at?: string;
  in_reply_to_user_id?: string;
  referenced_tweets?: { type: string; id: string }[];
  entities?: { urls?: XUrlEntity[] };
  public_metrics?: { like_count?: number };
  edit_history_tweet_ids?: string[];
  edit_controls?: { editable_until?: string; edits_remaining?: number | string; is_edit_eligible?: boolean };
}
export interface XUser {
  id: string;
  username: string;
  name?: string;
  created_at?: string;
  verified?: boolean;
  public_metrics?: { followers_count?: number; following_count?: number };
}
export interface XPage {
  data?: XTweet[];
  includes?: { users?: XUser[]; tweets?: XTweet[] };
  meta?: { next_token?: string; result_count?: number; newest_id?: string };
  errors?: { resource_id?: string; value?: string; title?: string; type?: string; detail?: string }[];
}

const REFERENCE_TYPES = new Set<PostReference['type']>(['retweeted', 'quoted', 'replied_to']);

/** Milliseconds of X's snowflake epoch (2010-11-04): a tweet id's top bits count from it. */
const SNOWFLAKE_EPOCH_MS = 1288834974657;

/** When a tweet (snowflake id) was created; undefined for pre-snowflake or malformed ids. */
export function snowflakeTime(id: string): number | undefined {
  if (!/^\d{1,20}$/.test(id)) return undefined;
  const ms = Number(BigInt(id) >> 22n);
  return ms > 0 ? ms + SNOWFLAKE_EPOCH_MS : undefined;
}

/** The smallest snowflake id of a moment (ids of tweets created at or after it are ≥ it). */
export function snowflakeAt(ms: number): string {
  return (BigInt(Math.max(0, Math.floor(ms - SNOWFLAKE_EPOCH_MS))) << 22n).toString();
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

/** X escapes exactly these three in tweet text; one pass, so "&amp;lt;" becomes "&lt;". */
export function unescapeXText(text: string): string {
  return text.replace(/&(?:amp|lt|gt);/g, (m) => ENTITIES[m]);
}

/** The post id of a tweet: its first version's id (every edit of a tweet is one post). */
export function postIdOf(t: Pick<XTweet, 'id' | 'edit_history_tweet_ids'>): string {
  return `twitter:${t.edit_history_tweet_ids?.[0] ?? t.id}`;
}

/** The status id a twitter.com / x.com status link points at, if it is one. */
function statusIdOf(url: string): string | undefined {
  const m = /^https?:\/\/(?:www\.|mobile\.)?(?:twitter|x)\.com\/(?:[^/?#]+|i\/web)\/status(?:es)?\/(\d+)/i.exec(url);
  return m?.[1];
}

/** Outbound links of a tweet: unwound where X says where t.co ends, without links to itself or to tweets it references. */
export function outboundLinks(t: XTweet): string[] {
  const own = new Set([t.id, ...(t.edit_history_tweet_ids ?? []), ...(t.referenced_tweets ?? []).map((r) => r.id)]);
  const out: string[] = [];
  for (const u of t.entities?.urls ?? []) {
    if (u.media_key) continue;
    const link = u.unwound_url ?? u.expanded_url ?? u.url;
    if (!link) continue;
    const status = statusIdOf(u.expanded_url ?? link);
    if (status && own.has(status)) continue;
    if (!out.includes(link)) out.push(link);
  }
  return out;
}

export interface TweetContext {
  users: ReadonlyMap<string, XUser>;
  /** includes.tweets by id (retweeted, quoted and replied-to tweets, earlier versions). */
  tweets: ReadonlyMap<string, XTweet>;
  unitId: string;
  fetchedAt: Date;
}

export type Mapped = { post: Post } | { refused: string };

/** What is missing of the fields ringwatch asks for, or undefined when all are there. */
export function missingFields(t: XTweet): string | undefined {
  const missing: string[] = [];
  if (!t.created_at || !Number.isFinite(Date.parse(t.created_at))) missing.push('created_at');
  if (!t.author_id) missing.push('author_id');
  return missing.length ? `missing ${missing.join(', ')}` : undefined;
}

/** One tweet as a post, or why it cannot be stored. */
export function tweetToPost(t: XTweet, ctx: TweetContext): Mapped {
  const missing = missingFields(t);
  if (missing) return { refused: missing };
  const createdAt = new Date(t.created_at as string);
  const references: PostReference[] = [];
  for (const r of t.referenced_tweets ?? []) {
    if (!REFERENCE_TYPES.has(r.type as PostReference['type'])) continue;
    const target = ctx.tweets.get(r.id);
    references.push({ type: r.type as PostReference['type'], postId: target ? postIdOf(target) : `twitter:${r.id}` });
  }
  const retweet = references.some((r) => r.type === 'retweeted');
  const objects = references.filter((r) => r.type !== 'replied_to').map((r) => `tweet:${r.postId.slice('twitter:'.length)}`);
  const parent = references.find((r) => r.type === 'replied_to');
  const links = retweet ? [] : outboundLinks(t);
  const handle = ctx.users.get(t.author_id as string)?.username ?? (t.author_id as string);
  return {
    post: {
      _id: postIdOf(t),
      platform: 'twitter',
      kind: 'tweet',
      externalId: t.id,
      accountId: `twitter:${t.author_id}`,
      author: handle,
      createdAt,
      week: isoWeek(createdAt),
      text: retweet ? undefined : unescapeXText(t.text),
      url: `https://x.com/${handle}/status/${t.id}`,
      parentId: parent?.postId,
      replyToAccountId: t.in_reply_to_user_id ? `twitter:${t.in_reply_to_user_id}` : undefined,
      links: links.length ? links : undefined,
      references: references.length ? references : undefined,
      objects: objects.length ? [...new Set(objects)] : undefined,
      score: t.public_metrics?.like_count,
      source: ctx.unitId,
      fetchedAt: ctx.fetchedAt,
    },
  };
}

/**
 * The posts of one answer: its tweets, the originals its retweets and quotes share (from
 * includes.tweets, so their full text is stored once), and for an edited tweet the newest
 * version in place of an older one. Refused tweets come back with their reasons.
 */
export function pagePosts(data: XTweet[], ctx: TweetContext): { posts: Post[]; refused: { id: string; reason: string }[] } {
  const posts = new Map<string, Post>();
  const refused: { id: string; reason: string }[] = [];
  const add = (t: XTweet, shared: boolean) => {
    const m = tweetToPost(newestVersion(t, ctx.tweets), ctx);
    if ('refused' in m) {
      refused.push({ id: `twitter:${t.id}`, reason: shared ? `shared tweet ${m.refused}` : m.refused });
      return;
    }
    // A listed tweet wins over the same tweet included as a shared original.
    if (!shared || !posts.has(m.post._id)) posts.set(m.post._id, m.post);
  };
  for (const t of data) add(t, false);
  for (const t of data) {
    for (const r of t.referenced_tweets ?? []) {
      const original = r.type === 'retweeted' || r.type === 'quoted' ? ctx.tweets.get(r.id) : undefined;
      if (original && !posts.has(postIdOf(original))) add(original, true);
    }
  }
  return { posts: [...posts.values()], refused };
}

/** The newest version of a tweet the answer holds (edit history's last id, when included). */
export function newestVersion(t: XTweet, included: ReadonlyMap<string, XTweet>): XTweet {
  const newest = t.edit_history_tweet_ids?.[t.edit_history_tweet_ids.length - 1];
  return newest && newest !== t.id ? (included.get(newest) ?? t) : t;
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
