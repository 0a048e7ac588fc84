// Organic bursts, the hard negatives: a product launch or a viral complaint draws many
// genuine accounts to one product within hours, as a ring would.
import { redditAccountId, twitterAccountId, webAccountId } from '../ids';
import { organicBody, organicReply, organicTitle, ratingFor, toneFor } from '../text';
import { type RedditSubmission, type TwitterUser, type TruthBurst, HOUR, DAY, type DraftTweet } from './types';
import type { Draft } from './draft';
import type { Audience } from './accounts';

export function organicBursts(draft: Draft, audience: Audience): { bursts: TruthBurst[]; burstProducts: Set<string> } {
  const {
    scale,
    params,
    now,
    start,
    webDomain,
    root,
    products,
    subFor,
    redditUsers,
    twitterUsers,
    twitterById,
    newSubmission,
    newComment,
    threadComments,
    newTweet,
    tweetText,
    addReview,
    reviewerNames,
  } = draft;
  const { redditAuthors, twitterAuthors } = audience;
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
          newTweet(
            a.twitterIdx as number,
            `@${pa.username} ${organicReply(p, tone, bRng)}`,
            Math.max(t, viralTweet.t.createdAt + 30_000),
            [p.id],
            bRng,
            viralTweet,
            'replied_to',
          );
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
  return { bursts, burstProducts };
}
