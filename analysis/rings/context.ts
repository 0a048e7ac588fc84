// Per-window lookups shared by the ring and account indicators: each account's posts,
// each product's posts (time-sorted) with its rating and sentiment sums.
import { postProducts } from '../graph/products';
import type { DetectAccount, DetectPost } from '../graph/types';
import { column, grown, sliced } from '../columns';

export interface ProductStats {
  /** Indices into `posts`, time-sorted. */
  posts: number[];
  first: number;
  last: number;
  ratingSum: number;
  ratingCount: number;
  sentimentSum: number;
  sentimentCount: number;
}

export interface DetectionContext {
  /** Time-sorted (see graph/build sortPosts). */
  posts: readonly DetectPost[];
  accounts: readonly DetectAccount[];
  accountById: ReadonlyMap<string, DetectAccount>;
  /** Post indices per account id, time-sorted. */
  postsByAccount: ReadonlyMap<string, number[]>;
  products: ReadonlyMap<string, ProductStats>;
  /** Products of each post (same index as posts). */
  productsOfPost: readonly string[][];
  /** 1 when the post has text or a title (hasText), per post index: asked per group and product. */
  withText: Uint8Array;
  // The same facts by number, for the passes over every account, post and group (account
  // scores, group indicators): string-keyed look-ups per post were most of their time.
  /** Row of each account id in `accounts` (the last row when an id repeats, as accountById). */
  accountIndex: ReadonlyMap<string, number>;
  /** Post indices of each account row (the arrays of postsByAccount; empty when it has none). */
  accountPosts: readonly (readonly number[])[];
  /** Account row of each post's author, −1 when the author is not in `accounts`. */
  postAccount: Int32Array;
  /** A number per distinct author of each post: its row, or accounts.length + k for the k-th author missing from `accounts`. */
  postAuthor: Int32Array;
  /** createdAt in ms per post. */
  times: Float64Array;
  /** 1 when post i has a rating (`rating !== undefined`), and the rating as a number (0 where it has none). */
  rated: Uint8Array;
  ratings: Float64Array;
  /** 1 when post i has text and a sentiment (the posts product sentiment sums count), and the sentiment (0 where not). */
  felt: Uint8Array;
  sentiments: Float64Array;
  /** Number of each product id: its place in productList. */
  productIndex: ReadonlyMap<string, number>;
  /** Product ids in first-seen order: a product's number is its place here. */
  productList: readonly string[];
  /** Stats per product number (the objects of `products`). */
  productStats: readonly ProductStats[];
  /** Product numbers of post i: productIdsOfPost[productOffsets[i] .. productOffsets[i + 1]), as productsOfPost[i]. */
  productOffsets: Int32Array;
  productIdsOfPost: Int32Array;
}

const NO_POSTS: readonly number[] = Object.freeze([]);

/**
 * What graph/build already computed for the same posts and accounts (its sorted `posts` and
 * `accounts`, every author among them): each post's account row, the id → row map, each
 * post's products. Taken instead of hashing every post's account id and deriving every
 * post's products a second time.
 */
export interface BuiltIndex {
  accountOf: Int32Array;
  accountIndex: ReadonlyMap<string, number>;
  productsOf: readonly string[][];
}

export function buildContext(posts: readonly DetectPost[], accounts: readonly DetectAccount[], built?: BuiltIndex): DetectionContext {
  const accountById = new Map<string, DetectAccount>();
  const ownIndex = built ? undefined : new Map<string, number>();
  accounts.forEach((a, r) => {
    accountById.set(a._id, a);
    ownIndex?.set(a._id, r);
  });
  const accountIndex = built?.accountIndex ?? (ownIndex as Map<string, number>);
  const n = posts.length;
  const postsByAccount = new Map<string, number[]>();
  // With the built index, each account row's posts (ascending), set in the map below.
  const rowPosts: number[][] | undefined = built ? new Array(accounts.length) : undefined;
  const products = new Map<string, ProductStats>();
  const productNumber = new Map<string, number>();
  const productList: string[] = [];
  const productStats: ProductStats[] = [];
  const productsOfPost: string[][] = [];
  const withText = column(Uint8Array, n);
  const postAccount = column(Int32Array, n);
  const times = column(Float64Array, n);
  const rated = column(Uint8Array, n);
  const ratings = column(Float64Array, n);
  const felt = column(Uint8Array, n);
  const sentiments = column(Float64Array, n);
  const productOffsets = column(Int32Array, n + 1);
  let productIdsOfPost = column(Int32Array, n);
  let k = 0;
  // The body is its own (hot, optimised) function: as a loop in this function, called
  // once per run, it ran mostly unoptimised (on-stack replacement and deopts at each call).
  posts.forEach((p, i) => {
    withText[i] = hasText(p) ? 1 : 0;
    if (rowPosts && built) {
      const row = built.accountOf[i];
      const list = rowPosts[row];
      if (list) list.push(i);
      else rowPosts[row] = [i];
    } else {
      const list = postsByAccount.get(p.accountId);
      if (list) list.push(i);
      else postsByAccount.set(p.accountId, [i]);
    }
    const prods = built ? built.productsOf[i] : postProducts(p);
    productsOfPost.push(prods);
    const t = p.createdAt.getTime();
    times[i] = t;
    if (p.rating !== undefined) {
      rated[i] = 1;
      ratings[i] = p.rating;
    }
    const sent = p.enrichment?.sentiment;
    if (sent !== undefined && withText[i]) {
      felt[i] = 1;
      sentiments[i] = sent;
    }
    if (k + prods.length > productIdsOfPost.length) {
      productIdsOfPost = grown(productIdsOfPost, Math.max(2 * productIdsOfPost.length, k + prods.length));
    }
    for (const prod of prods) {
      let num = productNumber.get(prod);
      let s: ProductStats;
      if (num === undefined) {
        num = productList.length;
        s = { posts: [], first: t, last: t, ratingSum: 0, ratingCount: 0, sentimentSum: 0, sentimentCount: 0 };
        productNumber.set(prod, num);
        productList.push(prod);
        productStats.push(s);
        products.set(prod, s);
      } else s = productStats[num];
      productIdsOfPost[k++] = num;
      s.posts.push(i);
      s.first = Math.min(s.first, t);
      s.last = Math.max(s.last, t);
      if (p.rating !== undefined) {
        s.ratingSum += p.rating;
        s.ratingCount++;
      }
      if (felt[i]) {
        s.sentimentSum += sent as number;
        s.sentimentCount++;
      }
    }
    productOffsets[i + 1] = k;
  });
  if (rowPosts) for (let r = 0; r < accounts.length; r++) if (rowPosts[r]) postsByAccount.set(accounts[r]._id, rowPosts[r]);
  // By row; a repeated id's posts belong to its last row, as in accountIndex.
  postAccount.fill(-1);
  const accountPosts = accounts.map((a, row) => {
    const ps = postsByAccount.get(a._id);
    if (!ps) return NO_POSTS;
    for (const i of ps) postAccount[i] = row;
    return ps;
  });
  const postAuthor = sliced(postAccount);
  const strays = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (postAuthor[i] >= 0) continue;
    const id = posts[i].accountId;
    let k = strays.get(id);
    if (k === undefined) {
      k = accounts.length + strays.size;
      strays.set(id, k);
    }
    postAuthor[i] = k;
  }
  return {
    posts,
    accounts,
    accountById,
    postsByAccount,
    products,
    productsOfPost,
    withText,
    accountIndex,
    accountPosts,
    postAccount,
    postAuthor,
    times,
    rated,
    ratings,
    felt,
    sentiments,
    productIndex: productNumber,
    productList,
    productStats,
    productOffsets,
    productIdsOfPost: productIdsOfPost.subarray(0, k),
  };
}

export function hasText(p: DetectPost): boolean {
  return visible(p.text) || visible(p.title);
}

/** `Boolean(s?.trim())` without trimming a copy when the first character is plainly not white space. */
function visible(s: string | undefined): boolean {
  if (!s) return false;
  const c = s.charCodeAt(0);
  if (c > 32 && c < 127) return true;
  return s.trim().length > 0;
}

export const DAY_MS = 86_400_000;

export function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** Weighted mean of indicator scores, each weight taken from `weights` (missing = 1). */
export function weightedScore(indicators: readonly { name: string; score: number }[], weights: Readonly<Record<string, number>>): number {
  let s = 0;
  let w = 0;
  for (const ind of indicators) {
    const wi = weights[ind.name] ?? 1;
    s += wi * ind.score;
    w += wi;
  }
  return w > 0 ? s / w : 0;
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
