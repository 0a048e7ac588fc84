// Per-window lookups shared by the ring and account indicators: each account's posts,
// each product's posts (time-sorted) with its rating and sentiment sums.
import { postProducts } from '../graph/products';
import type { DetectAccount, DetectPost } from '../graph/types';

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
}

export function buildContext(posts: readonly DetectPost[], accounts: readonly DetectAccount[]): DetectionContext {
  const accountById = new Map(accounts.map((a) => [a._id, a]));
  const postsByAccount = new Map<string, number[]>();
  const products = new Map<string, ProductStats>();
  const productsOfPost: string[][] = [];
  const withText = Uint8Array.from(posts, (p) => (hasText(p) ? 1 : 0));
  posts.forEach((p, i) => {
    const list = postsByAccount.get(p.accountId);
    if (list) list.push(i);
    else postsByAccount.set(p.accountId, [i]);
    const prods = postProducts(p);
    productsOfPost.push(prods);
    const t = p.createdAt.getTime();
    for (const prod of prods) {
      let s = products.get(prod);
      if (!s) {
        s = { posts: [], first: t, last: t, ratingSum: 0, ratingCount: 0, sentimentSum: 0, sentimentCount: 0 };
        products.set(prod, s);
      }
      s.posts.push(i);
      s.first = Math.min(s.first, t);
      s.last = Math.max(s.last, t);
      if (p.rating !== undefined) {
        s.ratingSum += p.rating;
        s.ratingCount++;
      }
      const sent = p.enrichment?.sentiment;
      if (sent !== undefined && withText[i]) {
        s.sentimentSum += sent;
        s.sentimentCount++;
      }
    }
  });
  return { posts, accounts, accountById, postsByAccount, products, productsOfPost, withText };
}

export function hasText(p: DetectPost): boolean {
  return Boolean(p.text?.trim() || p.title?.trim());
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
