// The synthetic world behind the simulator: products, organic users and their posts on
// Reddit, X and a review site, planted review rings, organic bursts (hard negatives),
// orders and escalation cases, and the ground truth. Deterministic for (seed, scale, now).
import { type SimProduct, CATEGORIES, GENERAL_SUBREDDITS, generateCatalogue } from './catalogue';
import { base36, redditAccountId, snowflake, twitterAccountId, twitterUserId, webAccountId } from './ids';
import { ReviewerNames, generateOrganicReviews, generateSoloFakes, reviewDay, soloFakeCount } from './review-site';
import { Rng } from './rng';
import {
  type IssueKind,
  type RingFill,
  type RingScript,
  type Tone,
  caseText,
  couponCode,
  displayName,
  offTopic,
  organicBody,
  organicHandle,
  organicReply,
  organicTitle,
  ratingFor,
  referralUrl,
  relatedHandle,
  reviewText,
  reviewTitle,
  ringMemberHandle,
  ringScript,
  ringStem,
  ringText,
  ringTitle,
  toneFor,
} from './text';

export type Scale = 'small' | 'medium' | 'large';

export interface WorldOptions {
  seed: number | string;
  scale: Scale;
  /** End of the simulated period. Defaults to a fixed date so a seed alone fixes the world. */
  now?: Date;
  /** Host name the review site is reached at; web account ids use it. */
  webDomain?: string;
}

export const DEFAULT_NOW = new Date('2026-11-23T00:00:00Z');
export const SPAN_DAYS = 70;

/** How an item was deleted: by its author, by moderators, or its author's account is gone. */
export type Deletion = 'deleted' | 'removed' | 'account';

export interface RedditUser {
  name: string;
  /** Without the t2_ prefix. */
  id: string;
  createdUtc: number;
  linkKarma: number;
  commentKarma: number;
}

export interface RedditSubmission {
  id: string;
  subreddit: string;
  author: string;
  title: string;
  selftext: string;
  /** External link for link posts; self posts link to their permalink. */
  linkUrl?: string;
  createdUtc: number;
  score: number;
  upvoteRatio: number;
  numComments: number;
  deleted?: Deletion;
  productIds: string[];
}

export interface RedditComment {
  id: string;
  /** Submission id (no prefix). */
  linkId: string;
  /** Fullname of the parent: t3_… or t1_…. */
  parentId: string;
  subreddit: string;
  author: string;
  body: string;
  createdUtc: number;
  score: number;
  depth: number;
  deleted?: Deletion;
  productIds: string[];
}

export interface TwitterUser {
  id: string;
  username: string;
  name: string;
  createdAt: number;
  followers: number;
  following: number;
  tweetCount: number;
  listed: number;
  verified: boolean;
  description: string;
}

export interface Tweet {
  id: string;
  authorId: string;
  text: string;
  createdAt: number;
  conversationId: string;
  inReplyToUserId?: string;
  referenced?: { type: 'replied_to' | 'retweeted' | 'quoted'; id: string }[];
  likes: number;
  retweets: number;
  replies: number;
  quotes: number;
  impressions: number;
  deleted?: boolean;
  productIds: string[];
}

export interface WebReview {
  id: string;
  productId: string;
  reviewer: string;
  rating: number;
  title: string;
  text: string;
  createdAt: number;
  verifiedPurchase: boolean;
}

export interface OrderRow {
  order_id: string;
  region: string;
  ordered_at: string;
  promised_at: string;
  delivered_at: string;
  delivery_attempts: number;
  first_attempt_success: boolean;
  /** Not a §5 column: who ordered what, used to build cases. */
  customer_id: string;
  product: string;
}

export interface EscalationRow {
  case_id: string;
  opened_at: string;
  region: string;
  channel: string;
  customer_id: string;
  customer_handle: string;
  order_id: string;
  product: string;
  category: string;
  text: string;
  refund_amount: number;
  status: string;
  resolved_at: string;
  abusive: boolean;
}

export interface TruthRing {
  id: string;
  kind: 'promote' | 'attack';
  /** Products the ring pushes (5-star praise). */
  targets: string[];
  /** Competitor products the ring attacks (1-star), empty for pure promotion rings. */
  victims: string[];
  /** ringwatch account ids of all members on every platform. */
  members: string[];
  /** Per operator: the accounts one person runs across platforms. */
  operators: { reddit?: string; twitter?: string; twitterUsername?: string; web?: string }[];
  codes: string[];
  urls: string[];
  /** When the members' accounts were created (ms). */
  createdBetween: [number, number];
  /** Campaign waves (ms). */
  waves: [number, number][];
  /** Escalation cases filed under members' handles. */
  caseIds: string[];
}

export interface TruthBurst {
  product: string;
  kind: 'launch' | 'viral';
  start: number;
  end: number;
  accounts: string[];
}

export interface GroundTruth {
  seed: number | string;
  scale: Scale;
  now: string;
  webDomain: string;
  rings: TruthRing[];
  /** Review-site accounts that write fake reviews on their own (no ring): mostly one review each. */
  fakeReviewers: string[];
  /** customer_id of customers who abuse the escalation process. */
  abusiveCustomers: string[];
  organicBursts: TruthBurst[];
}

export interface World {
  seed: number | string;
  scale: Scale;
  now: number;
  /** Start of the social platforms' span (SPAN_DAYS before now). */
  start: number;
  /** Start of the review site's span (REVIEW_SPAN_DAYS before now; reviews are on days). */
  reviewStart: number;
  webDomain: string;
  products: SimProduct[];
  subreddits: string[];
  reddit: { users: RedditUser[]; submissions: RedditSubmission[]; comments: RedditComment[] };
  twitter: { users: TwitterUser[]; tweets: Tweet[] };
  web: { reviews: WebReview[] };
  orders: OrderRow[];
  escalations: EscalationRow[];
  truth: GroundTruth;
}

interface ScaleParams {
  products: number;
  redditUsers: number;
  twitterUsers: number;
  submissions: number;
  comments: number;
  tweets: number;
  reviews: number;
  rings: number;
  bursts: number;
  customers: number;
}

export const SCALES: Record<Scale, ScaleParams> = {
  small: { products: 60, redditUsers: 500, twitterUsers: 500, submissions: 1000, comments: 1500, tweets: 1600, reviews: 500, rings: 6, bursts: 2, customers: 700 },
  medium: { products: 300, redditUsers: 9000, twitterUsers: 9000, submissions: 20000, comments: 31000, tweets: 33000, reviews: 10000, rings: 30, bursts: 8, customers: 12000 },
  large: { products: 1000, redditUsers: 80000, twitterUsers: 80000, submissions: 200000, comments: 310000, tweets: 330000, reviews: 100000, rings: 120, bursts: 30, customers: 100000 },
};

export const REGIONS = ['NA-East', 'NA-West', 'EU-Central', 'UK', 'APAC'];
const CHANNELS = ['email', 'chat', 'phone', 'social'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------- internal drafts

interface Author {
  redditIdx?: number;
  twitterIdx?: number;
  reviewer?: string;
  weight: number;
  categories: string[];
}

interface DraftSub {
  s: RedditSubmission;
}
interface DraftComment {
  c: RedditComment;
  parentSub: RedditSubmission;
  parentComment?: DraftComment;
}
interface DraftTweet {
  t: Tweet;
  parent?: DraftTweet;
  refType?: 'replied_to' | 'retweeted' | 'quoted';
}

/** Creation time with a daily rhythm: fewer posts at night (UTC-ish audience). */
function dayTime(rng: Rng, from: number, to: number): number {
  for (let i = 0; i < 20; i++) {
    const t = rng.float(from, to);
    const h = new Date(t).getUTCHours();
    const w = 0.35 + 0.65 * Math.sin(((h - 6) / 24) * Math.PI) ** 2;
    if (rng.next() < w) return Math.floor(t);
  }
  return Math.floor(rng.float(from, to));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function generateWorld(options: WorldOptions): World {
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
      const p = rng.weighted(pool, pool.map((x) => x.popularity));
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
      description: rng.chance(0.6) ? rng.pick(['Gadgets, coffee, dogs.', 'Opinions my own.', 'Deal hunter.', 'Home cook and tinkerer', 'Runner. Reader.', 'Tech reviews sometimes.', '']) : '',
    };
    twitterUsers.push(u);
    twitterById.set(u.id, u);
    return twitterUsers.length - 1;
  };

  const accRng = root.fork('accounts');
  const organicAuthors: Author[] = [];
  const cats = CATEGORIES.map((c) => c.name);
  const ageMs = (rng: Rng) => Math.min(15 * 365 * DAY, rng.logNormal(900, 1.0) * DAY);
  for (let i = 0; i < params.redditUsers; i++) {
    const created = Math.floor(start - ageMs(accRng));
    const idx = addRedditUser(accRng, organicHandle(accRng), created, 1);
    const a: Author = { redditIdx: idx, weight: accRng.logNormal(1, 1.1), categories: accRng.sample(cats, accRng.int(1, 3)) };
    // Some genuine people use both platforms under a related handle: a hard negative for handle matching.
    if (accRng.chance(0.12)) {
      a.twitterIdx = addTwitterUser(accRng, relatedHandle(accRng, redditUsers[idx].name), created + accRng.int(-400, 400) * DAY, 1);
    }
    organicAuthors.push(a);
  }
  while (twitterUsers.length < params.twitterUsers) {
    const created = Math.floor(start - ageMs(accRng));
    const idx = addTwitterUser(accRng, organicHandle(accRng), created, 1);
    organicAuthors.push({ twitterIdx: idx, weight: accRng.logNormal(1, 1.1), categories: accRng.sample(cats, accRng.int(1, 3)) });
  }
  const redditAuthors = organicAuthors.filter((a) => a.redditIdx !== undefined);
  const twitterAuthors = organicAuthors.filter((a) => a.twitterIdx !== undefined);
  const redditWeights = redditAuthors.map((a) => a.weight);
  const twitterWeights = twitterAuthors.map((a) => a.weight);
  // Cumulative weights for fast weighted picks at scale.
  const cumulative = (w: number[]) => {
    const out = new Float64Array(w.length);
    let s = 0;
    for (let i = 0; i < w.length; i++) {
      s += w[i];
      out[i] = s;
    }
    return out;
  };
  const pickCum = <T>(rng: Rng, items: T[], cum: Float64Array): T => {
    const r = rng.next() * cum[cum.length - 1];
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return items[lo];
  };
  const redditCum = cumulative(redditWeights);
  const twitterCum = cumulative(twitterWeights);

  // ------------------------------------------------------------ organic Reddit
  const subs: DraftSub[] = [];
  const comments: DraftComment[] = [];
  const rRng = root.fork('reddit');
  const newSubmission = (author: string, subreddit: string, title: string, selftext: string, created: number, productIds: string[], rng: Rng, linkUrl?: string): RedditSubmission => {
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
  const newComment = (author: string, parentSub: RedditSubmission, parentComment: DraftComment | undefined, body: string, created: number, productIds: string[], rng: Rng): DraftComment => {
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
  for (let i = 0; i < params.submissions; i++) {
    const a = pickCum(rRng, redditAuthors, redditCum);
    const user = redditUsers[a.redditIdx as number];
    const t = dayTime(rRng, start, now);
    if (rRng.chance(0.08)) {
      newSubmission(user.name, rRng.pick(subreddits), offTopic(rRng), rRng.chance(0.5) ? offTopic(rRng) : '', t, [], rRng);
      continue;
    }
    const p = pickProduct(rRng, a.categories);
    const alt = rRng.chance(0.3) ? pickProduct(rRng, [p.category]) : undefined;
    const tone = toneFor(rRng);
    const link = rRng.chance(0.08) ? `https://shop.example.com/dp/${p.id}` : undefined;
    newSubmission(user.name, subFor(p, rRng), organicTitle(p, tone, rRng, alt), link ? '' : organicBody(p, tone, rRng, alt), t, alt ? [p.id, alt.id] : [p.id], rRng, link);
  }
  // Comments: engagement is skewed, replies nest.
  const threadWeights = cumulative(subs.map(() => rRng.logNormal(1, 1.2)));
  const subDrafts = subs.slice();
  const threadComments = new Map<RedditSubmission, DraftComment[]>();
  for (let i = 0; i < params.comments; i++) {
    const { s } = pickCum(rRng, subDrafts, threadWeights);
    const existing = threadComments.get(s) ?? [];
    const parent = existing.length > 0 && rRng.chance(0.45) ? rRng.pick(existing) : undefined;
    const a = pickCum(rRng, redditAuthors, redditCum);
    const productId = s.productIds[0];
    const p = productId ? (productById.get(productId) as SimProduct) : pickProduct(rRng, a.categories);
    const tone = toneFor(rRng, 0.45);
    const created = (parent ? parent.c.createdUtc * 1000 : s.createdUtc * 1000) + rRng.exp(4 * HOUR);
    const d = newComment(redditUsers[a.redditIdx as number].name, s, parent, organicReply(p, tone, rRng), Math.min(created, now - 60_000), productId ? [productId] : [], rRng);
    existing.push(d);
    threadComments.set(s, existing);
  }

  // ------------------------------------------------------------ organic X
  const tweets: DraftTweet[] = [];
  const tRng = root.fork('twitter');
  const newTweet = (authorIdx: number, text: string, created: number, productIds: string[], rng: Rng, parent?: DraftTweet, refType?: DraftTweet['refType']): DraftTweet => {
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
  for (let i = 0; i < params.tweets; i++) {
    const a = pickCum(tRng, twitterAuthors, twitterCum);
    const uIdx = a.twitterIdx as number;
    const r = tRng.next();
    const earlier = tweets.length > 0 ? tweets[tRng.int(0, tweets.length - 1)] : undefined;
    if (earlier && r < 0.2 && earlier.t.authorId !== twitterUsers[uIdx].id) {
      const parentAuthor = twitterById.get(earlier.t.authorId) as TwitterUser;
      const pid = earlier.t.productIds[0];
      const p = pid ? (productById.get(pid) as SimProduct) : pickProduct(tRng, a.categories);
      newTweet(uIdx, `@${parentAuthor.username} ${organicReply(p, toneFor(tRng, 0.45), tRng)}`, Math.min(now - 60_000, earlier.t.createdAt + tRng.exp(3 * HOUR)), pid ? [pid] : [], tRng, earlier, 'replied_to');
    } else if (earlier && r < 0.28 && !earlier.refType && earlier.t.authorId !== twitterUsers[uIdx].id) {
      const parentAuthor = twitterById.get(earlier.t.authorId) as TwitterUser;
      const text = `RT @${parentAuthor.username}: ${earlier.t.text}`;
      newTweet(uIdx, text.length > 280 ? `${text.slice(0, 279)}…` : text, Math.min(now - 60_000, earlier.t.createdAt + tRng.exp(6 * HOUR)), earlier.t.productIds, tRng, earlier, 'retweeted');
    } else {
      const p = pickProduct(tRng, a.categories);
      newTweet(uIdx, tweetText(p, toneFor(tRng), tRng), dayTime(tRng, start, now), [p.id], tRng);
    }
  }

  // ------------------------------------------------------------ organic reviews
  const reviews: WebReview[] = [];
  const wRng = root.fork('web');
  const quality = new Map(products.map((p) => [p.id, wRng.float(0.35, 0.8)]));
  const reviewCum = cumulative(products.map((p) => p.popularity + 0.05));
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
  // Real review-site shapes (sim/review-site.ts): a multi-year span, heavy-tailed reviews per
  // reviewer, unique names; solo fakes are added after the rings, day resolution at the end.
  const reviewerNames = new ReviewerNames();
  const siteInput = { products, pickPopular: (rng: Rng) => pickCum(rng, products, reviewCum), quality, reviews: params.reviews, now, names: reviewerNames, add: addReview };
  const site = generateOrganicReviews(wRng, siteInput);

  // ------------------------------------------------------------ organic bursts (hard negatives)
  const bRng = root.fork('bursts');
  const bursts: TruthBurst[] = [];
  const burstProducts = new Set<string>();
  for (let b = 0; b < params.bursts; b++) {
    const kind: 'launch' | 'viral' = b % 2 === 0 ? 'launch' : 'viral';
    const p = bRng.pick(products.filter((x) => !burstProducts.has(x.id)));
    burstProducts.add(p.id);
    const bStart = Math.floor(bRng.float(start + 10 * DAY, now - 5 * DAY));
    const duration = kind === 'launch' ? bRng.int(24, 48) * HOUR : bRng.int(6, 12) * HOUR;
    const accounts = new Set<string>();
    const participants = bRng.int(40, 80) * (scale === 'small' ? 1 : 2);
    if (kind === 'launch') p.launchedAt = new Date(bStart);
    let thread: RedditSubmission | undefined;
    let viralTweet: DraftTweet | undefined;
    if (kind === 'viral') {
      const a = bRng.pick(redditAuthors);
      const name = redditUsers[a.redditIdx as number].name;
      thread = newSubmission(name, subFor(p, bRng), organicTitle(p, 'negative', bRng), organicBody(p, 'negative', bRng), bStart, [p.id], bRng);
      thread.score = bRng.int(2000, 9000);
      accounts.add(redditAccountId(name));
      const ta = bRng.pick(twitterAuthors);
      viralTweet = newTweet(ta.twitterIdx as number, tweetText(p, 'negative', bRng), bStart + bRng.int(0, 2) * HOUR, [p.id], bRng);
      viralTweet.t.likes = bRng.int(5000, 40000);
      accounts.add(twitterAccountId(twitterUsers[ta.twitterIdx as number].id));
    }
    for (let i = 0; i < participants; i++) {
      const t = bStart + bRng.float(0, duration);
      const tone = toneFor(bRng, kind === 'launch' ? 0.5 : 0.35);
      const where = bRng.next();
      if (where < 0.4) {
        const a = bRng.pick(redditAuthors);
        const name = redditUsers[a.redditIdx as number].name;
        accounts.add(redditAccountId(name));
        if (thread) {
          const existing = threadComments.get(thread) ?? [];
          const parent = existing.length > 0 && bRng.chance(0.4) ? bRng.pick(existing) : undefined;
          const d = newComment(name, thread, parent, organicReply(p, tone, bRng), t, [p.id], bRng);
          existing.push(d);
          threadComments.set(thread, existing);
        } else {
          newSubmission(name, subFor(p, bRng), organicTitle(p, tone, bRng), organicBody(p, tone, bRng), t, [p.id], bRng);
        }
      } else if (where < 0.8) {
        const a = bRng.pick(twitterAuthors);
        const u = twitterUsers[a.twitterIdx as number];
        accounts.add(twitterAccountId(u.id));
        if (viralTweet && bRng.chance(0.7)) {
          const pa = twitterById.get(viralTweet.t.authorId) as TwitterUser;
          newTweet(a.twitterIdx as number, `@${pa.username} ${organicReply(p, tone, bRng)}`, Math.max(t, viralTweet.t.createdAt + 30_000), [p.id], bRng, viralTweet, 'replied_to');
        } else {
          newTweet(a.twitterIdx as number, tweetText(p, tone, bRng), t, [p.id], bRng);
        }
      } else {
        const reviewer = reviewerNames.claim(bRng);
        accounts.add(webAccountId(webDomain, reviewer));
        addReview(p, reviewer, ratingFor(tone, bRng), t, bRng);
      }
    }
    bursts.push({ product: p.id, kind, start: bStart, end: bStart + duration, accounts: [...accounts].sort() });
  }

  // ------------------------------------------------------------ planted rings
  const ringRng = root.fork('rings');
  const rings: TruthRing[] = [];
  const ringProducts = new Set<string>(burstProducts);
  const usedStems = new Set<string>();
  for (let k = 0; k < params.rings; k++) {
    const rng = ringRng.fork(`ring${k}`);
    const kind: 'promote' | 'attack' = k % 3 === 2 ? 'attack' : 'promote';
    const size = k === 0 ? rng.int(25, 40) : rng.int(5, rng.chance(0.3) ? 40 : 18);
    const category = rng.pick(cats);
    const pool = (byCategory.get(category) as SimProduct[]).filter((p) => !ringProducts.has(p.id));
    const targets = rng.sample(pool.length >= 2 ? pool : (byCategory.get(category) as SimProduct[]), rng.int(1, kind === 'attack' ? 1 : 3));
    for (const t of targets) ringProducts.add(t.id);
    const victims = kind === 'attack' ? rng.sample(pool.filter((p) => !targets.includes(p)), 1) : [];
    for (const v of victims) ringProducts.add(v.id);
    let stem = ringStem(rng);
    while (usedStems.has(stem)) stem = ringStem(rng);
    usedStems.add(stem);
    const codes = [couponCode(rng, stem)];
    const urls = targets.map((t) => referralUrl(rng, t));
    const script: RingScript = ringScript(rng, kind);
    const waveCount = rng.int(1, 3);
    const firstWave = Math.floor(rng.float(start + 12 * DAY, now - 4 * DAY));
    const waves: [number, number][] = [];
    for (let w = 0; w < waveCount; w++) {
      const ws = Math.min(now - 2 * DAY, firstWave + w * rng.int(4, 12) * DAY);
      waves.push([ws, ws + rng.int(2, 10) * HOUR]);
    }
    const createCenter = firstWave - rng.int(7, 150) * DAY;
    const createdBetween: [number, number] = [createCenter, createCenter + 36 * HOUR];
    const members: string[] = [];
    const operators: TruthRing['operators'] = [];
    const memberReddit: number[] = [];
    const memberTwitter: number[] = [];
    const memberReviewers: string[] = [];
    // `size` counts accounts (all platforms); one operator runs one to three of them.
    while (members.length < size) {
      const room = size - members.length;
      // Most accounts come from one creation burst; a few are older, bought accounts.
      const created = rng.chance(0.85) ? Math.floor(createCenter + rng.float(0, 36 * HOUR)) : Math.floor(start - rng.logNormal(800, 0.6) * DAY);
      const op: TruthRing['operators'][number] = {};
      const handle = ringMemberHandle(rng, stem);
      const onReddit = rng.chance(0.75);
      let budget = room;
      const onTwitter = rng.chance(0.6) || !onReddit;
      const onWeb = rng.chance(0.55);
      if (onReddit && budget-- > 0) {
        const idx = addRedditUser(rng, handle, created, 0.05);
        memberReddit.push(idx);
        op.reddit = redditAccountId(redditUsers[idx].name);
        members.push(op.reddit);
      }
      if (onTwitter && budget-- > 0) {
        const uname = op.reddit && rng.chance(0.7) ? relatedHandle(rng, redditUsers[redditUsers.length - 1].name) : ringMemberHandle(rng, stem);
        const idx = addTwitterUser(rng, uname, created + rng.int(0, 6) * HOUR, 0.1);
        memberTwitter.push(idx);
        op.twitter = twitterAccountId(twitterUsers[idx].id);
        op.twitterUsername = twitterUsers[idx].username;
        members.push(op.twitter);
      }
      if (onWeb && budget-- > 0) {
        const reviewer = reviewerNames.claim(rng, rng.chance(0.6) ? handle : `${handle.replace(/[_\d]+/g, ' ').trim().split(' ')[0]} ${rng.alnum(1, 'ABCDEFGHJKLMNPRSTW')}.`);
        memberReviewers.push(reviewer);
        op.web = webAccountId(webDomain, reviewer);
        members.push(op.web);
      }
      if (op.reddit || op.twitter || op.web) operators.push(op);
    }
    const fill = (target: SimProduct): RingFill => ({ target, victim: victims[0], code: codes[0], url: urls[targets.indexOf(target)], pct: rng.pick([10, 15, 20, 25]) });
    const ringSubs: RedditSubmission[] = [];
    const ringTweets: DraftTweet[] = [];
    for (const [ws, we] of waves) {
      for (const idx of memberReddit) {
        const target = rng.pick(targets);
        const t = rng.float(ws, we);
        const about = victims.length > 0 ? [victims[0].id, target.id] : [target.id];
        if (ringSubs.length > 0 && rng.chance(0.45)) {
          // Members vouch for each other in the comments.
          const s = rng.pick(ringSubs);
          newComment(redditUsers[idx].name, s, undefined, ringText(script, fill(target), rng, rng.chance(0.5)), Math.max(t, s.createdUtc * 1000 + 60_000), about, rng);
        } else {
          const s = newSubmission(redditUsers[idx].name, subFor(target, rng), ringTitle(script, fill(target), rng), ringText(script, fill(target), rng), t, about, rng);
          s.score = rng.int(1, 40);
          ringSubs.push(s);
        }
      }
      for (const idx of memberTwitter) {
        const target = rng.pick(targets);
        const t = rng.float(ws, we);
        const about = victims.length > 0 ? [victims[0].id, target.id] : [target.id];
        if (ringTweets.length > 0 && rng.chance(0.35)) {
          const parent = rng.pick(ringTweets);
          const pa = twitterById.get(parent.t.authorId) as TwitterUser;
          if (pa.id !== twitterUsers[idx].id) {
            newTweet(idx, `@${pa.username} ${ringText(script, fill(target), rng, false)}`.slice(0, 280), Math.max(t, parent.t.createdAt + 30_000), about, rng, parent, 'replied_to');
            continue;
          }
        }
        ringTweets.push(newTweet(idx, ringText(script, fill(target), rng).slice(0, 280), t, about, rng));
      }
      for (const reviewer of memberReviewers) {
        const t = rng.float(ws, we);
        if (kind === 'attack' && victims[0]) {
          const text = ringText(script, fill(rng.pick(targets)), rng, false);
          addReview(victims[0], reviewer, 1, t, rng, text, ringTitle(script, fill(targets[0]), rng));
        } else {
          const target = rng.pick(targets);
          addReview(target, reviewer, 5, t, rng, ringText(script, fill(target), rng, false), ringTitle(script, fill(target), rng));
        }
      }
    }
    // Camouflage: ordinary-looking posts about unrelated products at ordinary times.
    for (const idx of memberReddit) {
      for (let c = rng.int(1, 3); c > 0; c--) {
        const p = pickProduct(rng, cats, ringProducts);
        const tone = toneFor(rng, 0.6);
        if (subs.length > 0 && rng.chance(0.5)) {
          const { s } = subs[rng.int(0, subs.length - 1)];
          newComment(redditUsers[idx].name, s, undefined, organicReply(p, tone, rng), Math.min(now - 60_000, s.createdUtc * 1000 + rng.exp(5 * HOUR)), [p.id], rng);
        } else {
          newSubmission(redditUsers[idx].name, subFor(p, rng), organicTitle(p, tone, rng), organicBody(p, tone, rng), dayTime(rng, start, now), [p.id], rng);
        }
      }
    }
    for (const idx of memberTwitter) {
      for (let c = rng.int(1, 3); c > 0; c--) {
        const p = pickProduct(rng, cats, ringProducts);
        newTweet(idx, tweetText(p, toneFor(rng, 0.6), rng), dayTime(rng, start, now), [p.id], rng);
      }
    }
    for (const reviewer of memberReviewers) {
      const p = pickProduct(rng, cats, ringProducts);
      addReview(p, reviewer, rng.pick([3, 4, 4, 5]), dayTime(rng, start, now), rng);
    }
    rings.push({ id: `ring-${k + 1}`, kind, targets: targets.map((t) => t.id), victims: victims.map((v) => v.id), members, operators, codes, urls, createdBetween, waves, caseIds: [] });
  }

  // ------------------------------------------------------------ solo fakes, day resolution
  const ringReviewers = rings.flatMap((r) => r.operators.map((o) => o.web).filter((x): x is string => !!x)).length;
  const burstReviewers = new Set(bursts.flatMap((b) => b.accounts.filter((a) => a.startsWith('web:')))).size;
  const soloFakes = generateSoloFakes(root.fork('fakes'), siteInput, site, soloFakeCount(site.organicReviewers.length + burstReviewers, ringReviewers));
  for (const r of reviews) r.createdAt = reviewDay(r.createdAt);

  // ------------------------------------------------------------ ids, trees, deletions
  const dRng = root.fork('finalise');
  subs.sort((a, b) => a.s.createdUtc - b.s.createdUtc);
  const subBase = parseInt('1g00000', 36);
  subs.forEach((d, i) => {
    d.s.id = base36(subBase + i * 7 + dRng.int(0, 6));
  });
  comments.sort((a, b) => a.c.createdUtc - b.c.createdUtc);
  const comBase = parseInt('lq00000', 36);
  comments.forEach((d, i) => {
    d.c.id = base36(comBase + i * 5 + dRng.int(0, 4));
  });
  for (const d of comments) {
    d.c.linkId = d.parentSub.id;
    d.c.parentId = d.parentComment ? `t1_${d.parentComment.c.id}` : `t3_${d.parentSub.id}`;
    d.parentSub.numComments++;
  }
  // Deletions: a few organic items, and moderators remove some ring spam.
  const ringRedditNames = new Set(rings.flatMap((r) => r.operators.map((o) => o.reddit?.slice('reddit:u/'.length)).filter((x): x is string => !!x)));
  const removedOnce = new Set<string>();
  for (const { s } of subs) {
    const isRing = ringRedditNames.has(s.author);
    if (isRing && !removedOnce.has(s.author) && dRng.chance(0.06)) {
      s.deleted = 'removed';
      removedOnce.add(s.author);
    } else if (!isRing) {
      const r = dRng.next();
      if (r < 0.015) s.deleted = 'deleted';
      else if (r < 0.025) s.deleted = 'removed';
      else if (r < 0.03) s.deleted = 'account';
    }
  }
  for (const { c } of comments) {
    if (ringRedditNames.has(c.author)) continue;
    const r = dRng.next();
    if (r < 0.02) c.deleted = 'deleted';
    else if (r < 0.03) c.deleted = 'removed';
  }

  tweets.sort((a, b) => a.t.createdAt - b.t.createdAt);
  let lastMs = -1;
  let seq = 0;
  let worker = 0;
  for (const d of tweets) {
    // Tweets of one millisecond share the worker and count up the sequence, so ids stay in
    // time order (the sequence starts low enough not to wrap within one millisecond).
    if (d.t.createdAt === lastMs) seq++;
    else {
      seq = dRng.int(0, 2047);
      worker = dRng.int(0, 31);
    }
    lastMs = d.t.createdAt;
    d.t.id = snowflake(d.t.createdAt, (worker << 12) | (seq & 0xfff));
  }
  for (const d of tweets) {
    if (d.parent) {
      d.t.referenced = [{ type: d.refType as 'replied_to', id: d.parent.t.id }];
      if (d.refType === 'replied_to') {
        d.t.inReplyToUserId = d.parent.t.authorId;
        d.t.conversationId = d.parent.t.conversationId || d.parent.t.id;
      } else {
        d.t.conversationId = d.t.id;
      }
    } else {
      d.t.conversationId = d.t.id;
    }
  }
  const tweetCounts = new Map<string, number>();
  for (const d of tweets) tweetCounts.set(d.t.authorId, (tweetCounts.get(d.t.authorId) ?? 0) + 1);
  for (const u of twitterUsers) u.tweetCount = (tweetCounts.get(u.id) ?? 0) + Math.round(dRng.logNormal(300, 1.2) * Math.min(1, (now - u.createdAt) / (365 * DAY)));
  reviews.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));

  // ------------------------------------------------------------ orders and escalations
  const { orders, escalations, abusiveCustomers } = generateCommerce(root.fork('commerce'), { params, products, start, now, rings, redditUsers, twitterUsers });

  return {
    seed,
    scale,
    now,
    start,
    reviewStart: site.start,
    webDomain,
    products,
    subreddits,
    reddit: { users: redditUsers, submissions: subs.map((d) => d.s), comments: comments.map((d) => d.c) },
    twitter: { users: twitterUsers, tweets: tweets.map((d) => d.t) },
    web: { reviews },
    orders,
    escalations,
    truth: { seed, scale, now: iso(now), webDomain, rings, fakeReviewers: soloFakes.map((n) => webAccountId(webDomain, n)), abusiveCustomers, organicBursts: bursts },
  };
}

// ---------------------------------------------------------------- commerce

interface CommerceInput {
  params: ScaleParams;
  products: SimProduct[];
  start: number;
  now: number;
  rings: TruthRing[];
  redditUsers: RedditUser[];
  twitterUsers: TwitterUser[];
}

interface Customer {
  id: string;
  handle: string;
  region: string;
  abusive: boolean;
  ringId?: string;
  ringProducts?: string[];
}

function amazonOrderId(rng: Rng): string {
  return `${rng.int(111, 114)}-${rng.alnum(7, '0123456789')}-${rng.alnum(7, '0123456789')}`;
}

function generateCommerce(rng: Rng, input: CommerceInput): { orders: OrderRow[]; escalations: EscalationRow[]; abusiveCustomers: string[] } {
  const { params, products, start, now, rings } = input;
  const customers: Customer[] = [];
  const customerIds = new Set<string>();
  const newCustomerId = () => {
    let id = `C${rng.alnum(7, '0123456789')}`;
    while (customerIds.has(id)) id = `C${rng.alnum(7, '0123456789')}`;
    customerIds.add(id);
    return id;
  };
  for (let i = 0; i < params.customers; i++) {
    // Some genuine customers share a handle with a genuine social account (hard negative).
    const handle = rng.chance(0.15) ? (rng.chance(0.5) ? rng.pick(input.redditUsers).name : rng.pick(input.twitterUsers).username) : organicHandle(rng);
    customers.push({ id: newCustomerId(), handle, region: rng.pick(REGIONS), abusive: rng.chance(0.015) });
  }
  for (const ring of rings) {
    for (const op of ring.operators) {
      if (!rng.chance(0.35)) continue;
      const handle = op.reddit ? op.reddit.slice('reddit:u/'.length) : op.twitterUsername ?? op.web?.split(':').slice(2).join(':');
      if (!handle) continue;
      customers.push({ id: newCustomerId(), handle, region: rng.pick(REGIONS), abusive: rng.chance(0.15), ringId: ring.id, ringProducts: [...ring.targets, ...ring.victims] });
    }
  }
  const productById = new Map(products.map((p) => [p.id, p]));
  const popCum: number[] = [];
  let acc = 0;
  for (const p of products) {
    acc += p.popularity + 0.02;
    popCum.push(acc);
  }
  const pickPopular = () => {
    const r = rng.next() * acc;
    let i = 0;
    while (popCum[i] <= r) i++;
    return products[Math.min(i, products.length - 1)];
  };
  // First-attempt delivery success per region, with a dip in one region for a few weeks.
  const baseFtds = new Map(REGIONS.map((r) => [r, rng.float(0.82, 0.93)]));
  const dipRegion = rng.pick(REGIONS);
  const dipStart = start + rng.int(3, 6) * 7 * DAY;
  const orders: OrderRow[] = [];
  const escalations: EscalationRow[] = [];
  const abusive: string[] = [];
  let caseNo = 100000 + rng.int(0, 50000);
  const orderIds = new Set<string>();
  for (const c of customers) {
    if (c.abusive) abusive.push(c.id);
    const n = c.abusive ? rng.int(3, 7) : c.ringId ? rng.int(1, 3) : Math.max(1, rng.poisson(3));
    for (let i = 0; i < n; i++) {
      const p = c.ringProducts && rng.chance(0.7) ? (productById.get(rng.pick(c.ringProducts)) as SimProduct) : pickPopular();
      const ordered = Math.floor(rng.float(start - 5 * DAY, now - 3 * DAY));
      const promised = ordered + rng.int(2, 6) * DAY;
      let ftds = baseFtds.get(c.region) as number;
      if (c.region === dipRegion && ordered >= dipStart && ordered < dipStart + 3 * 7 * DAY) ftds -= 0.2;
      const lost = rng.chance(0.02);
      const firstOk = !lost && rng.chance(ftds);
      const attempts = lost ? rng.int(0, 1) : firstOk ? 1 : rng.int(2, 3);
      let delivered = lost ? 0 : promised + Math.round(rng.normal(-0.3, 0.8) * DAY) + (attempts - 1) * DAY;
      if (delivered && delivered < ordered + DAY) delivered = ordered + DAY;
      if (delivered > now) delivered = 0;
      let orderId = amazonOrderId(rng);
      while (orderIds.has(orderId)) orderId = amazonOrderId(rng);
      orderIds.add(orderId);
      const order: OrderRow = {
        order_id: orderId,
        region: c.region,
        ordered_at: iso(ordered),
        promised_at: iso(promised),
        delivered_at: delivered ? iso(delivered) : '',
        delivery_attempts: delivered ? attempts : Math.min(attempts, 1),
        first_attempt_success: delivered > 0 && attempts === 1,
        customer_id: c.id,
        product: p.id,
      };
      orders.push(order);
      // Who escalates what.
      let kind: IssueKind | undefined;
      if (c.abusive) {
        kind = rng.chance(0.65) ? 'not_received' : rng.pick(['refund', 'damaged', 'defective'] as IssueKind[]);
      } else if (c.ringId) {
        kind = rng.chance(0.6) ? rng.pick(['refund', 'defective', 'fake_reviews'] as IssueKind[]) : undefined;
      } else if (!delivered) {
        kind = rng.chance(0.6) ? 'not_received' : undefined;
      } else if (delivered > promised + DAY) {
        kind = rng.chance(0.5) ? 'late' : undefined;
      } else if (rng.chance(0.1)) {
        kind = rng.pick(['damaged', 'wrong_item', 'defective', 'refund'] as IssueKind[]);
      }
      if (!kind) continue;
      const hostile = {
        threat: c.abusive ? rng.chance(0.5) : rng.chance(0.03),
        profanity: c.abusive ? rng.chance(0.45) : rng.chance(0.04),
      };
      const openedBase = delivered || promised;
      const opened = Math.min(now - HOUR, Math.floor(openedBase + rng.float(0.2, 6) * DAY));
      const statusRoll = rng.next();
      const status = opened > now - 3 * DAY && statusRoll < 0.6 ? 'open' : statusRoll < 0.08 ? 'escalated' : statusRoll < 0.15 ? 'open' : rng.chance(0.8) ? 'resolved' : 'closed';
      const resolved = status === 'resolved' || status === 'closed' ? Math.min(now, opened + Math.floor(rng.logNormal(1.5, 0.8) * DAY)) : 0;
      const refundable = ['not_received', 'refund', 'damaged', 'defective', 'wrong_item', 'fake_reviews'].includes(kind);
      const refund = !refundable ? (rng.chance(0.2) ? Math.round(rng.float(5, 20)) : 0) : c.abusive ? Math.round(p.priceUsd * rng.float(1, 1.8) * 100) / 100 : Math.round(p.priceUsd * (rng.chance(0.7) ? 1 : rng.float(0.2, 0.6)) * 100) / 100;
      // Labels are noisy, as in real queues: most abusive customers' cases are flagged, some
      // hostile-sounding genuine customers are flagged too, and a few flags are mistakes.
      const flagP = c.abusive ? 0.75 : c.ringId ? 0.4 : hostile.threat || hostile.profanity ? 0.3 : 0.02;
      const caseId = `CS-${caseNo++}`;
      escalations.push({
        case_id: caseId,
        opened_at: iso(opened),
        region: c.region,
        channel: rng.pick(CHANNELS),
        customer_id: c.id,
        customer_handle: c.handle,
        order_id: orderId,
        product: p.id,
        category: p.category,
        text: caseText(kind, p, orderId, rng, hostile),
        refund_amount: refund,
        status,
        resolved_at: resolved ? iso(resolved) : '',
        abusive: rng.chance(flagP),
      });
      if (c.ringId) (rings.find((r) => r.id === c.ringId) as TruthRing).caseIds.push(caseId);
    }
  }
  orders.sort((a, b) => (a.ordered_at < b.ordered_at ? -1 : a.ordered_at > b.ordered_at ? 1 : 0));
  escalations.sort((a, b) => (a.opened_at < b.opened_at ? -1 : a.opened_at > b.opened_at ? 1 : 0));
  return { orders, escalations, abusiveCustomers: abusive.sort() };
}

// ---------------------------------------------------------------- helpers for consumers

/** Every ringwatch account id that authored a visible item in the world. */
export function worldAccountIds(world: World): Set<string> {
  const ids = new Set<string>();
  for (const s of world.reddit.submissions) if (s.deleted !== 'account' && s.deleted !== 'deleted') ids.add(redditAccountId(s.author));
  for (const c of world.reddit.comments) if (!c.deleted) ids.add(redditAccountId(c.author));
  for (const t of world.twitter.tweets) if (!t.deleted) ids.add(twitterAccountId(t.authorId));
  for (const r of world.web.reviews) ids.add(webAccountId(world.webDomain, r.reviewer));
  return ids;
}

export function postCount(world: World): number {
  return world.reddit.submissions.length + world.reddit.comments.length + world.twitter.tweets.length + world.web.reviews.length;
}
