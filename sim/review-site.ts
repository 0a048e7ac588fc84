// The review site's population with the shapes of real review sites (issue 11 §6): who
// reviews how often, over how long, and the fake accounts outside the planted rings. The
// rings and the organic bursts themselves are planted by world.ts; this module gives them
// unique reviewer names and puts every review on a day (review sites show dates only).
//
// Shapes and where they come from (docs/simulator.md, "Review-site worlds"):
// - Span: REVIEW_SPAN_DAYS = 3 years. The Yelp sets of Rayana & Akoglu (KDD 2015, Table 1)
//   span 2004-2012 (YelpChi) and 2004-2015 (YelpNYC, YelpZip); the social platforms keep
//   their 70-day span (world.ts SPAN_DAYS), the rings post inside it.
// - Reviews per organic reviewer: a discrete power law P(n) ∝ n^-2.2, truncated. Reviews per
//   reviewer follow a power law (Jindal & Liu, WSDM 2008, on Amazon); the exponent puts the
//   one-review share at ≈ 2/3 and the mean at ≈ 2-3 reviews, the range of Rayana & Akoglu's
//   three Yelp sets (1.8-2.3 reviews per user, most users with one review). The tail makes
//   heavy organic reviewers (the truncation: up to 500 reviews, at most half the catalogue).
// - Fake accounts: FAKE_ACCOUNT_SHARE = 18 % of review-site accounts, ring members included
//   (Rayana & Akoglu: 20.3 % / 17.8 % / 23.9 % of users in YelpChi / NYC / Zip have a
//   filtered review; Yelp filters ≈ 14-20 % of reviews: Mukherjee et al., ICWSM 2013; Luca &
//   Zervas, Management Science 2016, ≈ 16 % in Boston).
// - Most fakes review once: FAKE_SINGLE_SHARE = 85 % of the solo fake accounts write one
//   review (filtered reviewers write far fewer reviews: Luca & Zervas 2016; on YelpNYC 83 %
//   of the filtered users have one review, 63 % of the others), the rest 2-4 within two weeks
//   (short-lived accounts: the BST feature of Rayana & Akoglu).
// - Fake ratings lean extreme, but not all the way (Luca & Zervas 2016: filtered reviews are
//   more often 1 or 5 stars): promotion 5 (70 %) or 4 stars, demotion (20 % of fakes, Luca &
//   Zervas' competitor attacks) 1 (65 %) or 2 stars. Fakes target products uniformly, so small
//   products get proportionally more of them than organic, popularity-weighted reviews give
//   them (Luca & Zervas: businesses with few reviews buy more). 40 % of promotions land in
//   the product's first 7 months on the site (Rayana & Akoglu's ETF feature: spammers review
//   early), the rest at any time, one by one: solo fakes are not coordinated groups, so they
//   are labelled fake but are not rings.
// The constants were chosen from these sources before measuring anything on the worlds;
// nothing here was tuned to a detector's score.
import type { SimProduct } from './catalogue';
import type { Rng } from './rng';
import type { WebReview } from './world/types';
import { type Tone, organicHandle, ratingFor, reviewerName, toneFor } from './text';

export const REVIEW_SPAN_DAYS = 3 * 365;
const DAY = 86_400_000;
const REVIEWS_PER_USER_EXPONENT = 2.2;
const MAX_REVIEWS_PER_USER = 500;
export const FAKE_ACCOUNT_SHARE = 0.18;
const FAKE_SINGLE_SHARE = 0.85;
const DEMOTE_SHARE = 0.2;
const EARLY_SHARE = 0.4;
const EARLY_DAYS = 210;
/** Share of products already listed when the review span starts; the rest list during it. */
const LISTED_BEFORE_SHARE = 0.6;

/** UTC midnight of the day `ms` falls on: the site stores and shows dates only. */
export function reviewDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** Unique reviewer names: "Jamie R." while free, else a handle-like name, never a collision. */
export class ReviewerNames {
  private readonly taken = new Set<string>();

  claim(rng: Rng, wanted?: string): string {
    let name = wanted ?? reviewerName(rng);
    for (let i = 0; this.taken.has(name); i++) name = i < 3 && !wanted ? reviewerName(rng) : `${name.replace(/[^A-Za-z]/g, '') || organicHandle(rng)}${rng.int(1, 99_999)}`;
    this.taken.add(name);
    return name;
  }
}

/** Draws from P(n) ∝ n^-exponent on 1..max by inverse transform on the cumulative table. */
function powerLawSampler(exponent: number, max: number): (rng: Rng) => number {
  const cum = new Float64Array(max);
  let s = 0;
  for (let n = 1; n <= max; n++) {
    s += n ** -exponent;
    cum[n - 1] = s;
  }
  return (rng) => {
    const r = rng.next() * s;
    let lo = 0;
    let hi = max - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return lo + 1;
  };
}

export interface SiteInput {
  products: SimProduct[];
  /** Popularity-weighted pick, as the rest of the world picks products. */
  pickPopular: (rng: Rng) => SimProduct;
  quality: Map<string, number>;
  /** Organic reviews to write (the scale's `reviews`). */
  reviews: number;
  now: number;
  names: ReviewerNames;
  add: (p: SimProduct, reviewer: string, rating: number, created: number, rng: Rng) => WebReview;
}

export interface Site {
  /** When the review span starts (ms). */
  start: number;
  /** When each product appeared on the site (ms); reviews of it come after. */
  listedAt: Map<string, number>;
  organicReviewers: string[];
}

/** Lists the products and writes the organic reviews, reviewer by reviewer. */
export function generateOrganicReviews(rng: Rng, input: SiteInput): Site {
  const { products, now } = input;
  const start = now - REVIEW_SPAN_DAYS * DAY;
  const listedAt = new Map<string, number>();
  for (const p of products) {
    listedAt.set(p.id, rng.chance(LISTED_BEFORE_SHARE) ? start - rng.int(1, 3 * 365) * DAY : Math.floor(rng.float(start, now - 30 * DAY)));
  }
  const max = Math.max(2, Math.min(MAX_REVIEWS_PER_USER, Math.floor(input.reviews / 20), Math.floor(products.length / 2)));
  const draw = powerLawSampler(REVIEWS_PER_USER_EXPONENT, max);
  const reviewers: string[] = [];
  for (let written = 0; written < input.reviews; ) {
    const n = Math.min(draw(rng), input.reviews - written);
    const name = input.names.claim(rng);
    reviewers.push(name);
    // A reviewer's active period grows with their review count (≈ a month per review).
    const active = n === 1 ? 0 : Math.min(REVIEW_SPAN_DAYS * DAY, n * rng.exp(30 * DAY));
    const from = rng.float(start, now - active);
    const seen = new Set<string>();
    for (let k = 0; k < n; k++) {
      const t = rng.float(from, from + active);
      let p = input.pickPopular(rng);
      for (let tries = 0; tries < 20 && (seen.has(p.id) || (listedAt.get(p.id) as number) > t); tries++) p = input.pickPopular(rng);
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      const tone: Tone = toneFor(rng, input.quality.get(p.id) as number);
      input.add(p, name, ratingFor(tone, rng), Math.max(t, (listedAt.get(p.id) as number) + DAY), rng);
    }
    written += n;
  }
  return { start, listedAt, organicReviewers: reviewers };
}

/** Writes the solo fake accounts (not rings) and returns their reviewer names. */
export function generateSoloFakes(rng: Rng, input: SiteInput, site: Site, count: number): string[] {
  const { products, now } = input;
  const fakes: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = input.names.claim(rng);
    fakes.push(name);
    const n = rng.chance(FAKE_SINGLE_SHARE) ? 1 : rng.int(2, 4);
    const seen = new Set<string>();
    let first = 0;
    for (let k = 0; k < n; k++) {
      const p = rng.pick(products);
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      const listed = Math.max(site.start, site.listedAt.get(p.id) as number);
      const demote = rng.chance(DEMOTE_SHARE);
      let t: number;
      if (k > 0) t = Math.min(now - DAY, Math.max(listed, first + rng.float(0, 14) * DAY));
      else if (!demote && rng.chance(EARLY_SHARE)) t = rng.float(listed, Math.min(now - DAY, listed + EARLY_DAYS * DAY));
      else t = rng.float(listed, now - DAY);
      if (k === 0) first = t;
      const rating = demote ? (rng.chance(0.65) ? 1 : 2) : rng.chance(0.7) ? 5 : 4;
      input.add(p, name, rating, t, rng);
    }
  }
  return fakes;
}

/** How many solo fakes make `FAKE_ACCOUNT_SHARE` of all review accounts, given the other fakes. */
export function soloFakeCount(organicAccounts: number, ringAccounts: number): number {
  return Math.max(0, Math.round((FAKE_ACCOUNT_SHARE / (1 - FAKE_ACCOUNT_SHARE)) * organicAccounts) - ringAccounts);
}
