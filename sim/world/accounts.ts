// Organic accounts: Reddit users (some also on X under a related handle) and X users, with
// the activity weights the organic stages pick authors by.
import type { Rng } from '../rng';
import { organicHandle, relatedHandle } from '../text';
import { DAY, type Author } from './types';
import { cumulative } from './common';
import type { Draft } from './draft';

/** Organic authors by platform, with cumulative weights for fast weighted picks at scale. */
export interface Audience {
  redditAuthors: Author[];
  twitterAuthors: Author[];
  redditCum: Float64Array;
  twitterCum: Float64Array;
}

export function organicAccounts(draft: Draft): Audience {
  const { params, start, root, redditUsers, twitterUsers, addRedditUser, addTwitterUser, cats } = draft;
  const accRng = root.fork('accounts');
  const organicAuthors: Author[] = [];
  const ageMs = (rng: Rng) => Math.min(15 * 365 * DAY, rng.logNormal(900, 1.0) * DAY);
  for (let i = 0; i < params.redditUsers; i++) {
    const created = Math.floor(start - ageMs(accRng));
    const idx = addRedditUser(accRng, organicHandle(accRng), created, 1);
    const a: Author = { redditIdx: idx, weight: accRng.logNormal(1, 1.1), categories: accRng.sample(cats, accRng.int(1, 3)) };
    // Some genuine people use both platforms under a related handle: a hard negative for handle matching.
    if (accRng.chance(0.12)) {
      a.twitterIdx = addTwitterUser(accRng, relatedHandle(accRng, redditUsers[idx].name), created + accRng.int(-400, 400) * DAY, 1);
    }
    organicAuthors.push(a);
  }
  while (twitterUsers.length < params.twitterUsers) {
    const created = Math.floor(start - ageMs(accRng));
    const idx = addTwitterUser(accRng, organicHandle(accRng), created, 1);
    organicAuthors.push({ twitterIdx: idx, weight: accRng.logNormal(1, 1.1), categories: accRng.sample(cats, accRng.int(1, 3)) });
  }
  const redditAuthors = organicAuthors.filter((a) => a.redditIdx !== undefined);
  const twitterAuthors = organicAuthors.filter((a) => a.twitterIdx !== undefined);
  const redditWeights = redditAuthors.map((a) => a.weight);
  const twitterWeights = twitterAuthors.map((a) => a.weight);
  const redditCum = cumulative(redditWeights);
  const twitterCum = cumulative(twitterWeights);
  return { redditAuthors, twitterAuthors, redditCum, twitterCum };
}
