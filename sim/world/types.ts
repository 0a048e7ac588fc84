// The world's shapes: what the simulator serves (users, posts, reviews, orders, cases), the
// ground truth, the scales, and the drafts the generator's stages pass along.
import type { SimProduct } from '../catalogue';

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

export interface ScaleParams {
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
  small: {
    products: 60,
    redditUsers: 500,
    twitterUsers: 500,
    submissions: 1000,
    comments: 1500,
    tweets: 1600,
    reviews: 500,
    rings: 6,
    bursts: 2,
    customers: 700,
  },
  medium: {
    products: 300,
    redditUsers: 9000,
    twitterUsers: 9000,
    submissions: 20000,
    comments: 31000,
    tweets: 33000,
    reviews: 10000,
    rings: 30,
    bursts: 8,
    customers: 12000,
  },
  large: {
    products: 1000,
    redditUsers: 80000,
    twitterUsers: 80000,
    submissions: 200000,
    comments: 310000,
    tweets: 330000,
    reviews: 100000,
    rings: 120,
    bursts: 30,
    customers: 100000,
  },
};

export const REGIONS = ['NA-East', 'NA-West', 'EU-Central', 'UK', 'APAC'];
export const CHANNELS = ['email', 'chat', 'phone', 'social'];
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

// ---------------------------------------------------------------- drafts (items before ids are assigned)

export interface Author {
  redditIdx?: number;
  twitterIdx?: number;
  reviewer?: string;
  weight: number;
  categories: string[];
}

export interface DraftSub {
  s: RedditSubmission;
}
export interface DraftComment {
  c: RedditComment;
  parentSub: RedditSubmission;
  parentComment?: DraftComment;
}
export interface DraftTweet {
  t: Tweet;
  parent?: DraftTweet;
  refType?: 'replied_to' | 'retweeted' | 'quoted';
}
