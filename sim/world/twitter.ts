// Organic X: tweets about products, replies to earlier tweets and retweets.
import type { SimProduct } from '../catalogue';
import { organicReply, toneFor } from '../text';
import { type TwitterUser, HOUR } from './types';
import { dayTime, pickCum } from './common';
import type { Draft } from './draft';
import type { Audience } from './accounts';

export function organicX(draft: Draft, audience: Audience): void {
  const { params, now, start, root, pickProduct, twitterUsers, twitterById, productById, tweets, newTweet, tweetText } = draft;
  const { twitterAuthors, twitterCum } = audience;
  const tRng = root.fork('twitter');
  for (let i = 0; i < params.tweets; i++) {
    const a = pickCum(tRng, twitterAuthors, twitterCum);
    const uIdx = a.twitterIdx as number;
    const r = tRng.next();
    const earlier = tweets.length > 0 ? tweets[tRng.int(0, tweets.length - 1)] : undefined;
    if (earlier && r < 0.2 && earlier.t.authorId !== twitterUsers[uIdx].id) {
      const parentAuthor = twitterById.get(earlier.t.authorId) as TwitterUser;
      const pid = earlier.t.productIds[0];
      const p = pid ? (productById.get(pid) as SimProduct) : pickProduct(tRng, a.categories);
      newTweet(
        uIdx,
        `@${parentAuthor.username} ${organicReply(p, toneFor(tRng, 0.45), tRng)}`,
        Math.min(now - 60_000, earlier.t.createdAt + tRng.exp(3 * HOUR)),
        pid ? [pid] : [],
        tRng,
        earlier,
        'replied_to',
      );
    } else if (earlier && r < 0.28 && !earlier.refType && earlier.t.authorId !== twitterUsers[uIdx].id) {
      const parentAuthor = twitterById.get(earlier.t.authorId) as TwitterUser;
      const text = `RT @${parentAuthor.username}: ${earlier.t.text}`;
      newTweet(
        uIdx,
        text.length > 280 ? `${text.slice(0, 279)}…` : text,
        Math.min(now - 60_000, earlier.t.createdAt + tRng.exp(6 * HOUR)),
        earlier.t.productIds,
        tRng,
        earlier,
        'retweeted',
      );
    } else {
      const p = pickProduct(tRng, a.categories);
      newTweet(uIdx, tweetText(p, toneFor(tRng), tRng), dayTime(tRng, start, now), [p.id], tRng);
    }
  }
}
