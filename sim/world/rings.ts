// Planted rings: operators with accounts created in bursts post scripted praise (or attacks
// on a rival) in waves, vouch for each other, and camouflage with ordinary posts.
import type { SimProduct } from '../catalogue';
import { redditAccountId, twitterAccountId, webAccountId } from '../ids';
import {
  type RingFill,
  type RingScript,
  couponCode,
  organicBody,
  organicReply,
  organicTitle,
  referralUrl,
  relatedHandle,
  ringMemberHandle,
  ringScript,
  ringStem,
  ringText,
  ringTitle,
  toneFor,
} from '../text';
import { type RedditSubmission, type TwitterUser, type TruthRing, HOUR, DAY, type DraftTweet } from './types';
import { dayTime } from './common';
import type { Draft } from './draft';

export function plantRings(draft: Draft, burstProducts: Set<string>): TruthRing[] {
  const {
    params,
    now,
    start,
    webDomain,
    root,
    byCategory,
    subFor,
    pickProduct,
    redditUsers,
    twitterUsers,
    twitterById,
    addRedditUser,
    addTwitterUser,
    cats,
    subs,
    newSubmission,
    newComment,
    newTweet,
    tweetText,
    addReview,
    reviewerNames,
  } = draft;
  const ringRng = root.fork('rings');
  const rings: TruthRing[] = [];
  const ringProducts = new Set<string>(burstProducts);
  const usedStems = new Set<string>();
  for (let k = 0; k < params.rings; k++) {
    const rng = ringRng.fork(`ring${k}`);
    const kind: 'promote' | 'attack' = k % 3 === 2 ? 'attack' : 'promote';
    const size = k === 0 ? rng.int(25, 40) : rng.int(5, rng.chance(0.3) ? 40 : 18);
    const category = rng.pick(cats);
    const pool = (byCategory.get(category) as SimProduct[]).filter((p) => !ringProducts.has(p.id));
    const targets = rng.sample(pool.length >= 2 ? pool : (byCategory.get(category) as SimProduct[]), rng.int(1, kind === 'attack' ? 1 : 3));
    for (const t of targets) ringProducts.add(t.id);
    const victims =
      kind === 'attack'
        ? rng.sample(
            pool.filter((p) => !targets.includes(p)),
            1,
          )
        : [];
    for (const v of victims) ringProducts.add(v.id);
    let stem = ringStem(rng);
    while (usedStems.has(stem)) stem = ringStem(rng);
    usedStems.add(stem);
    const codes = [couponCode(rng, stem)];
    const urls = targets.map((t) => referralUrl(rng, t));
    const script: RingScript = ringScript(rng, kind);
    const waveCount = rng.int(1, 3);
    const firstWave = Math.floor(rng.float(start + 12 * DAY, now - 4 * DAY));
    const waves: [number, number][] = [];
    for (let w = 0; w < waveCount; w++) {
      const ws = Math.min(now - 2 * DAY, firstWave + w * rng.int(4, 12) * DAY);
      waves.push([ws, ws + rng.int(2, 10) * HOUR]);
    }
    const createCenter = firstWave - rng.int(7, 150) * DAY;
    const createdBetween: [number, number] = [createCenter, createCenter + 36 * HOUR];
    const members: string[] = [];
    const operators: TruthRing['operators'] = [];
    const memberReddit: number[] = [];
    const memberTwitter: number[] = [];
    const memberReviewers: string[] = [];
    // `size` counts accounts (all platforms); one operator runs one to three of them.
    while (members.length < size) {
      const room = size - members.length;
      // Most accounts come from one creation burst; a few are older, bought accounts.
      const created = rng.chance(0.85) ? Math.floor(createCenter + rng.float(0, 36 * HOUR)) : Math.floor(start - rng.logNormal(800, 0.6) * DAY);
      const op: TruthRing['operators'][number] = {};
      const handle = ringMemberHandle(rng, stem);
      const onReddit = rng.chance(0.75);
      let budget = room;
      const onTwitter = rng.chance(0.6) || !onReddit;
      const onWeb = rng.chance(0.55);
      if (onReddit && budget-- > 0) {
        const idx = addRedditUser(rng, handle, created, 0.05);
        memberReddit.push(idx);
        op.reddit = redditAccountId(redditUsers[idx].name);
        members.push(op.reddit);
      }
      if (onTwitter && budget-- > 0) {
        const uname = op.reddit && rng.chance(0.7) ? relatedHandle(rng, redditUsers[redditUsers.length - 1].name) : ringMemberHandle(rng, stem);
        const idx = addTwitterUser(rng, uname, created + rng.int(0, 6) * HOUR, 0.1);
        memberTwitter.push(idx);
        op.twitter = twitterAccountId(twitterUsers[idx].id);
        op.twitterUsername = twitterUsers[idx].username;
        members.push(op.twitter);
      }
      if (onWeb && budget-- > 0) {
        const reviewer = reviewerNames.claim(
          rng,
          rng.chance(0.6)
            ? handle
            : `${
                handle
                  .replace(/[_\d]+/g, ' ')
                  .trim()
                  .split(' ')[0]
              } ${rng.alnum(1, 'ABCDEFGHJKLMNPRSTW')}.`,
        );
        memberReviewers.push(reviewer);
        op.web = webAccountId(webDomain, reviewer);
        members.push(op.web);
      }
      if (op.reddit || op.twitter || op.web) operators.push(op);
    }
    const fill = (target: SimProduct): RingFill => ({
      target,
      victim: victims[0],
      code: codes[0],
      url: urls[targets.indexOf(target)],
      pct: rng.pick([10, 15, 20, 25]),
    });
    const ringSubs: RedditSubmission[] = [];
    const ringTweets: DraftTweet[] = [];
    for (const [ws, we] of waves) {
      for (const idx of memberReddit) {
        const target = rng.pick(targets);
        const t = rng.float(ws, we);
        const about = victims.length > 0 ? [victims[0].id, target.id] : [target.id];
        if (ringSubs.length > 0 && rng.chance(0.45)) {
          // Members vouch for each other in the comments.
          const s = rng.pick(ringSubs);
          newComment(
            redditUsers[idx].name,
            s,
            undefined,
            ringText(script, fill(target), rng, rng.chance(0.5)),
            Math.max(t, s.createdUtc * 1000 + 60_000),
            about,
            rng,
          );
        } else {
          const s = newSubmission(
            redditUsers[idx].name,
            subFor(target, rng),
            ringTitle(script, fill(target), rng),
            ringText(script, fill(target), rng),
            t,
            about,
            rng,
          );
          s.score = rng.int(1, 40);
          ringSubs.push(s);
        }
      }
      for (const idx of memberTwitter) {
        const target = rng.pick(targets);
        const t = rng.float(ws, we);
        const about = victims.length > 0 ? [victims[0].id, target.id] : [target.id];
        if (ringTweets.length > 0 && rng.chance(0.35)) {
          const parent = rng.pick(ringTweets);
          const pa = twitterById.get(parent.t.authorId) as TwitterUser;
          if (pa.id !== twitterUsers[idx].id) {
            newTweet(
              idx,
              `@${pa.username} ${ringText(script, fill(target), rng, false)}`.slice(0, 280),
              Math.max(t, parent.t.createdAt + 30_000),
              about,
              rng,
              parent,
              'replied_to',
            );
            continue;
          }
        }
        ringTweets.push(newTweet(idx, ringText(script, fill(target), rng).slice(0, 280), t, about, rng));
      }
      for (const reviewer of memberReviewers) {
        const t = rng.float(ws, we);
        if (kind === 'attack' && victims[0]) {
          const text = ringText(script, fill(rng.pick(targets)), rng, false);
          addReview(victims[0], reviewer, 1, t, rng, text, ringTitle(script, fill(targets[0]), rng));
        } else {
          const target = rng.pick(targets);
          addReview(target, reviewer, 5, t, rng, ringText(script, fill(target), rng, false), ringTitle(script, fill(target), rng));
        }
      }
    }
    // Camouflage: ordinary-looking posts about unrelated products at ordinary times.
    for (const idx of memberReddit) {
      for (let c = rng.int(1, 3); c > 0; c--) {
        const p = pickProduct(rng, cats, ringProducts);
        const tone = toneFor(rng, 0.6);
        if (subs.length > 0 && rng.chance(0.5)) {
          const { s } = subs[rng.int(0, subs.length - 1)];
          newComment(
            redditUsers[idx].name,
            s,
            undefined,
            organicReply(p, tone, rng),
            Math.min(now - 60_000, s.createdUtc * 1000 + rng.exp(5 * HOUR)),
            [p.id],
            rng,
          );
        } else {
          newSubmission(redditUsers[idx].name, subFor(p, rng), organicTitle(p, tone, rng), organicBody(p, tone, rng), dayTime(rng, start, now), [p.id], rng);
        }
      }
    }
    for (const idx of memberTwitter) {
      for (let c = rng.int(1, 3); c > 0; c--) {
        const p = pickProduct(rng, cats, ringProducts);
        newTweet(idx, tweetText(p, toneFor(rng, 0.6), rng), dayTime(rng, start, now), [p.id], rng);
      }
    }
    for (const reviewer of memberReviewers) {
      const p = pickProduct(rng, cats, ringProducts);
      addReview(p, reviewer, rng.pick([3, 4, 4, 5]), dayTime(rng, start, now), rng);
    }
    rings.push({
      id: `ring-${k + 1}`,
      kind,
      targets: targets.map((t) => t.id),
      victims: victims.map((v) => v.id),
      members,
      operators,
      codes,
      urls,
      createdBetween,
      waves,
      caseIds: [],
    });
  }
  return rings;
}
