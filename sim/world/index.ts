// The synthetic world behind the simulator: products, organic users and their posts on
// Reddit, X and a review site, planted review rings, organic bursts (hard negatives),
// orders and escalation cases, and the ground truth. Deterministic for (seed, scale, now).
// generateWorld runs the stages in order, each in its own file of sim/world/.
import { redditAccountId, twitterAccountId, webAccountId } from '../ids';
import { organicAccounts } from './accounts';
import { organicBursts } from './bursts';
import { generateCommerce } from './commerce';
import { iso } from './common';
import { createDraft } from './draft';
import { finalise, soloFakesAndDays } from './finalise';
import { organicReddit } from './reddit';
import { organicReviews } from './reviews';
import { plantRings } from './rings';
import { organicX } from './twitter';
import type { World, WorldOptions } from './types';

export * from './types';

export function generateWorld(options: WorldOptions): World {
  const draft = createDraft(options);
  const { seed, scale, params, now, start, webDomain, root, products, subreddits, redditUsers, twitterUsers, subs, comments, tweets, reviews } = draft;
  const audience = organicAccounts(draft);
  organicReddit(draft, audience);
  organicX(draft, audience);
  const reviewSite = organicReviews(draft);
  const { site } = reviewSite;
  const { bursts, burstProducts } = organicBursts(draft, audience);
  const rings = plantRings(draft, burstProducts);
  const soloFakes = soloFakesAndDays(draft, rings, bursts, reviewSite);
  finalise(draft, rings);
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
    truth: {
      seed,
      scale,
      now: iso(now),
      webDomain,
      rings,
      fakeReviewers: soloFakes.map((n) => webAccountId(webDomain, n)),
      abusiveCustomers,
      organicBursts: bursts,
    },
  };
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
