// The last stages: solo fake reviewers and the review site's day resolution, then ids in
// time order, reply trees, deletions and tweet counts.
import { base36, snowflake } from '../ids';
import { generateSoloFakes, reviewDay, soloFakeCount } from '../review-site';
import { DAY, type TruthBurst, type TruthRing } from './types';
import type { Draft } from './draft';
import type { organicReviews } from './reviews';

/** Solo fake reviewers (returned by name), then every review moved to its day. */
export function soloFakesAndDays(draft: Draft, rings: TruthRing[], bursts: TruthBurst[], { siteInput, site }: ReturnType<typeof organicReviews>): string[] {
  const { root, reviews } = draft;
  const ringReviewers = rings.flatMap((r) => r.operators.map((o) => o.web).filter((x): x is string => !!x)).length;
  const burstReviewers = new Set(bursts.flatMap((b) => b.accounts.filter((a) => a.startsWith('web:')))).size;
  const soloFakes = generateSoloFakes(root.fork('fakes'), siteInput, site, soloFakeCount(site.organicReviewers.length + burstReviewers, ringReviewers));
  for (const r of reviews) r.createdAt = reviewDay(r.createdAt);
  return soloFakes;
}

/** Ids in time order, threads and references, deletions, tweet counts; sorts the drafts. */
export function finalise(draft: Draft, rings: TruthRing[]): void {
  const { now, root, twitterUsers, subs, comments, tweets, reviews } = draft;
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
  for (const u of twitterUsers)
    u.tweetCount = (tweetCounts.get(u.id) ?? 0) + Math.round(dRng.logNormal(300, 1.2) * Math.min(1, (now - u.createdAt) / (365 * DAY)));
  reviews.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}
