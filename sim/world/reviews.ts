// Organic reviews on the review site (shapes from sim/review-site.ts).
import { generateOrganicReviews } from '../review-site';
import type { Rng } from '../rng';
import { cumulative, pickCum } from './common';
import type { Draft } from './draft';

/** The review site's organic part; `siteInput` and `site` are what the solo fakes are added with. */
export function organicReviews(draft: Draft) {
  const { params, now, root, products, addReview, reviewerNames } = draft;
  const wRng = root.fork('web');
  const quality = new Map(products.map((p) => [p.id, wRng.float(0.35, 0.8)]));
  const reviewCum = cumulative(products.map((p) => p.popularity + 0.05));
  // Real review-site shapes (sim/review-site.ts): a multi-year span, heavy-tailed reviews per
  // reviewer, unique names; solo fakes are added after the rings, day resolution at the end.
  const siteInput = {
    products,
    pickPopular: (rng: Rng) => pickCum(rng, products, reviewCum),
    quality,
    reviews: params.reviews,
    now,
    names: reviewerNames,
    add: addReview,
  };
  const site = generateOrganicReviews(wRng, siteInput);
  return { siteInput, site };
}
