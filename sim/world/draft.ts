// The world being built: its settings, the catalogue, and the users, posts and reviews the
// stages add (with the helpers that add them). Items are drafts until `finalise` gives
// them ids, threads and deletions.
import { type SimProduct, CATEGORIES, GENERAL_SUBREDDITS, generateCatalogue } from '../catalogue';
import { base36, twitterUserId } from '../ids';
import { ReviewerNames } from '../review-site';
import { Rng } from '../rng';
import { type Tone, displayName, organicBody, reviewText, reviewTitle } from '../text';
import {
  type WorldOptions,
  DEFAULT_NOW,
  SPAN_DAYS,
  type RedditUser,
  type RedditSubmission,
  type RedditComment,
  type TwitterUser,
  type Tweet,
  type WebReview,
  SCALES,
  DAY,
  type DraftSub,
  type DraftComment,
  type DraftTweet,
} from './types';

export type Draft = ReturnType<typeof createDraft>;

export function createDraft(options: WorldOptions) {
  const { seed, scale } = options;
  const params = SCALES[scale];
  if (!params) throw new Error(`unknown scale "${scale}" (small, medium or large)`);
  const now = (options.now ?? DEFAULT_NOW).getTime();
  const start = now - SPAN_DAYS * DAY;
  const webDomain = options.webDomain ?? '127.0.0.1';
  const root = new Rng(seed);

  const products = generateCatalogue(root.fork('catalogue'), params.products);
  const byCategory = new Map<string, SimProduct[]>();
  for (const p of products) {
    const list = byCategory.get(p.category) ?? [];
    list.push(p);
    byCategory.set(p.category, list);
  }
  const subreddits = [...CATEGORIES.map((c) => c.subreddit), ...GENERAL_SUBREDDITS];
  const subFor = (p: SimProduct | undefined, rng: Rng): string => {
    if (!p) return rng.pick(subreddits);
    if (rng.chance(0.75)) return (CATEGORIES.find((c) => c.name === p.category) as { subreddit: string }).subreddit;
    return rng.pick(GENERAL_SUBREDDITS);
  };
  const pickProduct = (rng: Rng, categories: string[], exclude?: Set<string>): SimProduct => {
    const pool = byCategory.get(rng.pick(categories)) as SimProduct[];
    for (let i = 0; i < 10; i++) {
      const p = rng.weighted(
        pool,
        pool.map((x) => x.popularity),
      );
      if (!exclude?.has(p.id)) return p;
    }
    const allowed = exclude ? products.filter((x) => !exclude.has(x.id)) : pool;
    return rng.pick(allowed.length ? allowed : pool);
  };
  // ------------------------------------------------------------ accounts
  const redditUsers: RedditUser[] = [];
  const twitterUsers: TwitterUser[] = [];
  const twitterById = new Map<string, TwitterUser>();
  const productById = new Map(products.map((p) => [p.id, p]));
  const redditNames = new Set<string>();
  const twitterNames = new Set<string>();
  const uniqueName = (names: Set<string>, wanted: string, rng: Rng, max: number): string => {
    let name = wanted.slice(0, max);
    while (names.has(name.toLowerCase())) name = `${wanted.slice(0, max - 3)}${rng.int(10, 999)}`;
    names.add(name.toLowerCase());
    return name;
  };
  let redditIdCounter = 0;
  const addRedditUser = (rng: Rng, name: string, createdMs: number, karmaScale: number): number => {
    const ageDays = Math.max(1, (now - createdMs) / DAY);
    const u: RedditUser = {
      name: uniqueName(redditNames, name, rng, 20),
      // Reddit user ids grow with account creation.
      id: base36(Math.floor((createdMs - Date.UTC(2005, 5, 1)) / 1000) * 4 + (redditIdCounter++ % 4)),
      createdUtc: Math.floor(createdMs / 1000),
      linkKarma: Math.round(karmaScale * rng.logNormal(Math.sqrt(ageDays) * 12, 1.2)),
      commentKarma: Math.round(karmaScale * rng.logNormal(Math.sqrt(ageDays) * 30, 1.2)),
    };
    redditUsers.push(u);
    return redditUsers.length - 1;
  };
  let twitterSalt = 0;
  const addTwitterUser = (rng: Rng, username: string, createdMs: number, followerScale: number): number => {
    const uname = uniqueName(twitterNames, username, rng, 15);
    const u: TwitterUser = {
      id: twitterUserId(createdMs, twitterSalt++),
      username: uname,
      name: displayName(rng, uname),
      createdAt: createdMs,
      followers: Math.round(followerScale * rng.logNormal(180, 1.6)),
      following: Math.round(rng.logNormal(250, 1.0)),
      tweetCount: 0,
      listed: rng.int(0, 12),
      verified: rng.chance(0.02 * followerScale),
      description: rng.chance(0.6)
        ? rng.pick(['Gadgets, coffee, dogs.', 'Opinions my own.', 'Deal hunter.', 'Home cook and tinkerer', 'Runner. Reader.', 'Tech reviews sometimes.', ''])
        : '',
    };
    twitterUsers.push(u);
    twitterById.set(u.id, u);
    return twitterUsers.length - 1;
  };
  const cats = CATEGORIES.map((c) => c.name);
  // ------------------------------------------------------------ organic Reddit
  const subs: DraftSub[] = [];
  const comments: DraftComment[] = [];
  const newSubmission = (
    author: string,
    subreddit: string,
    title: string,
    selftext: string,
    created: number,
    productIds: string[],
    rng: Rng,
    linkUrl?: string,
  ): RedditSubmission => {
    const s: RedditSubmission = {
      id: '',
      subreddit,
      author,
      title,
      selftext,
      linkUrl,
      createdUtc: Math.floor(created / 1000),
      score: Math.max(0, Math.round(rng.logNormal(6, 1.4)) - 1),
      upvoteRatio: Math.round(rng.float(0.6, 1) * 100) / 100,
      numComments: 0,
      productIds,
    };
    subs.push({ s });
    return s;
  };
  const newComment = (
    author: string,
    parentSub: RedditSubmission,
    parentComment: DraftComment | undefined,
    body: string,
    created: number,
    productIds: string[],
    rng: Rng,
  ): DraftComment => {
    const floor = parentComment ? parentComment.c.createdUtc : parentSub.createdUtc;
    const c: RedditComment = {
      id: '',
      linkId: '',
      parentId: '',
      subreddit: parentSub.subreddit,
      author,
      body,
      createdUtc: Math.max(floor + 5, Math.floor(created / 1000)),
      score: Math.round(rng.logNormal(3, 1.1)) - 1,
      depth: parentComment ? parentComment.c.depth + 1 : 0,
      productIds,
    };
    const d: DraftComment = { c, parentSub, parentComment };
    comments.push(d);
    return d;
  };
  const threadComments = new Map<RedditSubmission, DraftComment[]>();
  // ------------------------------------------------------------ organic X
  const tweets: DraftTweet[] = [];
  const newTweet = (
    authorIdx: number,
    text: string,
    created: number,
    productIds: string[],
    rng: Rng,
    parent?: DraftTweet,
    refType?: DraftTweet['refType'],
  ): DraftTweet => {
    const t: Tweet = {
      id: '',
      authorId: twitterUsers[authorIdx].id,
      text,
      createdAt: Math.floor(created),
      conversationId: '',
      likes: Math.max(0, Math.round(rng.logNormal(3, 1.5)) - 1),
      retweets: Math.max(0, Math.round(rng.logNormal(0.5, 1.5)) - 1),
      replies: 0,
      quotes: rng.chance(0.05) ? 1 : 0,
      impressions: Math.round(rng.logNormal(150, 1.3)),
      productIds,
    };
    if (parent && refType === 'replied_to') parent.t.replies++;
    if (parent && refType === 'retweeted') parent.t.retweets++;
    const d: DraftTweet = { t, parent, refType };
    tweets.push(d);
    return d;
  };
  const tweetText = (p: SimProduct, tone: Tone, rng: Rng): string => {
    let body = organicBody(p, tone, rng);
    if (body.length > 230) body = `${body.slice(0, body.lastIndexOf(' ', 225))}…`;
    if (rng.chance(0.25)) body += ` #${p.brand}`;
    if (rng.chance(0.1)) body += ` https://shop.example.com/dp/${p.id}`;
    return body;
  };
  // ------------------------------------------------------------ organic reviews
  const reviews: WebReview[] = [];
  const addReview = (p: SimProduct, reviewer: string, rating: number, created: number, rng: Rng, text?: string, title?: string): WebReview => {
    const r: WebReview = {
      id: `R${rng.alnum(13)}`,
      productId: p.id,
      reviewer,
      rating,
      title: title ?? reviewTitle(p, rating, rng),
      text: text ?? reviewText(p, rating, rng),
      createdAt: Math.floor(created),
      verifiedPurchase: rng.chance(0.8),
    };
    reviews.push(r);
    return r;
  };
  const reviewerNames = new ReviewerNames();

  return {
    seed,
    scale,
    params,
    now,
    start,
    webDomain,
    root,
    products,
    byCategory,
    subreddits,
    subFor,
    pickProduct,
    redditUsers,
    twitterUsers,
    twitterById,
    productById,
    addRedditUser,
    addTwitterUser,
    cats,
    subs,
    comments,
    newSubmission,
    newComment,
    threadComments,
    tweets,
    newTweet,
    tweetText,
    reviews,
    addReview,
    reviewerNames,
  };
}
