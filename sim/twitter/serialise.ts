// Tweets and users as X serialises them: requested fields, entities, expansions, edit history.
import type { Tweet, TwitterUser } from '../world';
import {
  EDIT_WINDOW_MIN,
  EDITS_ALLOWED,
  TWEET_FIELDS,
  USER_FIELDS,
  EXPANSIONS,
  invalid,
  tco,
  tweetHasPhoto,
  escapeXText,
  retweetText,
  cpIndex,
} from './common';
import type { twitterCore } from './core';
import type { twitterTokens } from './tokens';

export function twitterSerialisation(ctx: ReturnType<typeof twitterCore> & ReturnType<typeof twitterTokens>) {
  const { options, mutable, usage, tweetById, userById, userByName } = ctx;
  // ---------------------------------------------------------------- serialisation
  const listParam = (q: URLSearchParams, name: string, allowed: string[]): Set<string> => {
    const raw = q.get(name);
    if (!raw) return new Set();
    const values = raw
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    for (const v of values) {
      if (!allowed.includes(v)) throw invalid(name, v, `The \`${name}\` query parameter value [${v}] is not one of [${allowed.join(',')}]`);
    }
    return new Set(values);
  };

  // Links as X shows them: t.co in the text; entities say where each one leads (expanded_url,
  // unwound_url), and a photo's link points back at the tweet itself (`…/status/<id>/photo/1`).
  const tcoMap = new Map<string, { expanded: string; mediaKey?: string }>();
  const hasMedia = (t: Tweet) => options.media !== false && !isRetweet(t) && tweetHasPhoto(t.id);
  const isRetweet = (t: Tweet) => !!t.referenced?.some((r) => r.type === 'retweeted');
  const entitiesOf = (served: string) => {
    const e: Record<string, unknown[]> = {};
    const urls: unknown[] = [];
    for (const m of served.matchAll(/https:\/\/t\.co\/[A-Za-z0-9_-]+/g)) {
      const known = tcoMap.get(m[0]);
      const expanded = known?.expanded ?? m[0];
      const at = { start: cpIndex(served, m.index as number), end: cpIndex(served, (m.index as number) + m[0].length), url: m[0], expanded_url: expanded };
      if (known?.mediaKey) urls.push({ ...at, display_url: `pic.twitter.com/${m[0].slice('https://t.co/'.length)}`, media_key: known.mediaKey });
      else urls.push({ ...at, display_url: expanded.replace(/^https?:\/\//, '').slice(0, 26), ...(known ? { unwound_url: expanded } : {}) });
    }
    const mentions: unknown[] = [];
    for (const m of served.matchAll(/@(\w{1,15})/g)) {
      const u = userByName.get(m[1].toLowerCase());
      mentions.push({
        start: cpIndex(served, m.index as number),
        end: cpIndex(served, (m.index as number) + m[0].length),
        username: u?.username ?? m[1],
        ...(u ? { id: u.id } : {}),
      });
    }
    const hashtags: unknown[] = [];
    for (const m of served.matchAll(/#(\w+)/g))
      hashtags.push({ start: cpIndex(served, m.index as number), end: cpIndex(served, (m.index as number) + m[0].length), tag: m[1] });
    if (urls.length) e.urls = urls;
    if (mentions.length) e.mentions = mentions;
    if (hashtags.length) e.hashtags = hashtags;
    return Object.keys(e).length ? e : undefined;
  };
  /** The text before X's HTML escaping: links as t.co, a photo link appended, a retweet cut as X cuts it. */
  const plainText = (t: Tweet): string => {
    const rt = t.referenced?.find((r) => r.type === 'retweeted');
    const original = rt ? tweetById.get(rt.id) : undefined;
    if (original) return retweetText(userById.get(original.authorId)?.username ?? original.authorId, plainText(original));
    let text = t.text.replace(/https?:\/\/[^\s]+/g, (u) => {
      const short = tco(u, t.id);
      tcoMap.set(short, { expanded: u });
      return short;
    });
    const quoted = t.referenced?.find((r) => r.type === 'quoted');
    const quotedTweet = quoted ? tweetById.get(quoted.id) : undefined;
    if (quotedTweet) {
      // A quote ends with a link to the quoted tweet.
      const link = `https://twitter.com/${userById.get(quotedTweet.authorId)?.username ?? 'i'}/status/${quotedTweet.id}`;
      const short = tco(link, t.id);
      tcoMap.set(short, { expanded: link });
      text = `${text} ${short}`;
    }
    if (hasMedia(t)) {
      const short = tco(`photo:${t.id}`, t.id);
      tcoMap.set(short, { expanded: `https://twitter.com/${userById.get(t.authorId)?.username ?? 'i'}/status/${t.id}/photo/1`, mediaKey: `3_${t.id}` });
      text = `${text} ${short}`;
    }
    return text;
  };

  // Edits: each version is a tweet with its own id; older versions look up but no longer list.
  const versions = new Map<string, string[]>();
  const rootOf = new Map<string, string>();
  const superseded = new Set<string>();
  const historyOf = (t: Tweet) => versions.get(rootOf.get(t.id) ?? t.id) ?? [t.id];

  const tweetJson = (t: Tweet, fields: Set<string>) => {
    const plain = plainText(t);
    const out: Record<string, unknown> = { id: t.id, text: escapeXText(plain), edit_history_tweet_ids: historyOf(t) };
    if (fields.has('created_at')) out.created_at = new Date(t.createdAt).toISOString();
    if (fields.has('author_id')) out.author_id = t.authorId;
    if (fields.has('conversation_id')) out.conversation_id = t.conversationId;
    if (fields.has('in_reply_to_user_id') && t.inReplyToUserId) out.in_reply_to_user_id = t.inReplyToUserId;
    if (fields.has('referenced_tweets') && t.referenced) out.referenced_tweets = t.referenced;
    if (fields.has('entities')) {
      const e = entitiesOf(plain);
      if (e) out.entities = e;
    }
    if (fields.has('attachments') && hasMedia(t)) out.attachments = { media_keys: [`3_${t.id}`] };
    if (fields.has('edit_controls')) {
      const root = tweetById.get(historyOf(t)[0]) ?? t;
      const left = EDITS_ALLOWED - (historyOf(t).length - 1);
      out.edit_controls = {
        edits_remaining: left,
        is_edit_eligible: !isRetweet(t),
        editable_until: new Date(root.createdAt + EDIT_WINDOW_MIN * 60_000).toISOString(),
      };
    }
    if (fields.has('public_metrics'))
      out.public_metrics = {
        retweet_count: t.retweets,
        reply_count: t.replies,
        like_count: t.likes,
        quote_count: t.quotes,
        bookmark_count: Math.floor(t.likes / 10),
        impression_count: t.impressions,
      };
    if (fields.has('lang')) out.lang = 'en';
    if (fields.has('possibly_sensitive')) out.possibly_sensitive = false;
    if (fields.has('reply_settings')) out.reply_settings = 'everyone';
    if (fields.has('source')) out.source = 'Twitter for iPhone';
    return out;
  };

  const userJson = (u: TwitterUser, fields: Set<string>) => {
    const out: Record<string, unknown> = { id: u.id, name: u.name, username: u.username };
    if (fields.has('created_at')) out.created_at = new Date(u.createdAt).toISOString();
    if (fields.has('public_metrics'))
      out.public_metrics = {
        followers_count: u.followers,
        following_count: u.following,
        tweet_count: u.tweetCount,
        listed_count: u.listed,
        like_count: u.tweetCount * 2,
      };
    if (fields.has('verified')) out.verified = u.verified;
    if (fields.has('verified_type')) out.verified_type = u.verified ? 'blue' : 'none';
    if (fields.has('description')) out.description = u.description;
    if (fields.has('protected')) out.protected = false;
    if (fields.has('profile_image_url')) out.profile_image_url = `https://pbs.twimg.com/profile_images/${u.id}/normal.jpg`;
    if (fields.has('url')) out.url = '';
    if (fields.has('location')) out.location = '';
    return out;
  };

  /** data + includes for a set of tweets, honouring tweet.fields, user.fields and expansions. */
  const tweetsPayload = (list: Tweet[], q: URLSearchParams) => {
    const caller = mutable.currentCaller;
    const tf = listParam(q, 'tweet.fields', TWEET_FIELDS);
    const uf = listParam(q, 'user.fields', USER_FIELDS);
    const ex = listParam(q, 'expansions', EXPANSIONS);
    const payload: Record<string, unknown> = {};
    if (list.length > 0) payload.data = list.map((t) => tweetJson(t, tf));
    // The usage cap counts tweets read (X's "Post cap"), not requests.
    if (caller) usage.set(caller, (usage.get(caller) ?? 0) + list.length);
    const users = new Map<string, TwitterUser>();
    const refTweets = new Map<string, Tweet>();
    for (const t of list) {
      if (ex.has('author_id')) addUser(users, t.authorId);
      if (ex.has('in_reply_to_user_id') && t.inReplyToUserId) addUser(users, t.inReplyToUserId);
      if (ex.has('entities.mentions.username'))
        for (const m of t.text.matchAll(/@(\w{1,15})/g)) {
          const u = userByName.get(m[1].toLowerCase());
          if (u) users.set(u.id, u);
        }
      if (ex.has('edit_history_tweet_ids')) {
        for (const id of historyOf(t)) {
          const v = tweetById.get(id);
          if (v && v.id !== t.id) refTweets.set(v.id, v);
        }
      }
      if (ex.has('referenced_tweets.id') && t.referenced) {
        for (const r of t.referenced) {
          const rt = tweetById.get(r.id);
          if (rt && !rt.deleted) {
            refTweets.set(rt.id, rt);
            if (ex.has('referenced_tweets.id.author_id')) addUser(users, rt.authorId);
          }
        }
      }
    }
    const includes: Record<string, unknown> = {};
    if (users.size) includes.users = [...users.values()].map((u) => userJson(u, uf));
    if (refTweets.size) includes.tweets = [...refTweets.values()].map((t) => tweetJson(t, tf));
    if (Object.keys(includes).length) payload.includes = includes;
    return payload;
  };
  const addUser = (users: Map<string, TwitterUser>, id: string) => {
    const u = userById.get(id);
    if (u) users.set(id, u);
  };

  return {
    listParam,
    tcoMap,
    hasMedia,
    isRetweet,
    entitiesOf,
    plainText,
    versions,
    rootOf,
    superseded,
    historyOf,
    tweetJson,
    userJson,
    tweetsPayload,
    addUser,
  };
}
