// Organic Reddit: submissions about products (some off topic, some links), then comments
// with skewed engagement and nested replies.
import type { SimProduct } from '../catalogue';
import { offTopic, organicBody, organicReply, organicTitle, toneFor } from '../text';
import { HOUR } from './types';
import { dayTime, cumulative, pickCum } from './common';
import type { Draft } from './draft';
import type { Audience } from './accounts';

export function organicReddit(draft: Draft, audience: Audience): void {
  const { params, now, start, root, subreddits, subFor, pickProduct, redditUsers, productById, subs, newSubmission, newComment, threadComments } = draft;
  const { redditAuthors, redditCum } = audience;
  const rRng = root.fork('reddit');
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
    newSubmission(
      user.name,
      subFor(p, rRng),
      organicTitle(p, tone, rRng, alt),
      link ? '' : organicBody(p, tone, rRng, alt),
      t,
      alt ? [p.id, alt.id] : [p.id],
      rRng,
      link,
    );
  }
  // Comments: engagement is skewed, replies nest.
  const threadWeights = cumulative(subs.map(() => rRng.logNormal(1, 1.2)));
  const subDrafts = subs.slice();
  for (let i = 0; i < params.comments; i++) {
    const { s } = pickCum(rRng, subDrafts, threadWeights);
    const existing = threadComments.get(s) ?? [];
    const parent = existing.length > 0 && rRng.chance(0.45) ? rRng.pick(existing) : undefined;
    const a = pickCum(rRng, redditAuthors, redditCum);
    const productId = s.productIds[0];
    const p = productId ? (productById.get(productId) as SimProduct) : pickProduct(rRng, a.categories);
    const tone = toneFor(rRng, 0.45);
    const created = (parent ? parent.c.createdUtc * 1000 : s.createdUtc * 1000) + rRng.exp(4 * HOUR);
    const d = newComment(
      redditUsers[a.redditIdx as number].name,
      s,
      parent,
      organicReply(p, tone, rRng),
      Math.min(created, now - 60_000),
      productId ? [productId] : [],
      rRng,
    );
    existing.push(d);
    threadComments.set(s, existing);
  }
}
