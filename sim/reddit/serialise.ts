// Things (t1 comments, t3 submissions, t2 users) and listings as Reddit serialises them, and paging.
import type { RedditComment, RedditSubmission } from '../world';
import { lower, escapeHtmlEntities, slug } from './common';
import type { redditCore } from './core';

export function redditSerialisation(ctx: ReturnType<typeof redditCore>) {
  const { index, edits, subredditId } = ctx;
  // ---------------------------------------------------------------- serialisation
  const esc = (s: string, raw: boolean) => (raw ? s : escapeHtmlEntities(s));
  const userFullname = (name: string) => {
    const u = index.users.get(lower(name));
    return u ? `t2_${u.id}` : undefined;
  };

  const t3 = (s: RedditSubmission, raw: boolean) => {
    const authorGone = s.deleted === 'deleted' || s.deleted === 'account';
    const author = authorGone ? '[deleted]' : s.author;
    const edit = edits.get(`t3_${s.id}`);
    const selftext = s.deleted === 'deleted' ? '[deleted]' : s.deleted === 'removed' ? '[removed]' : (edit?.text ?? s.selftext);
    const permalink = `/r/${s.subreddit}/comments/${s.id}/${slug(s.title)}/`;
    const data: Record<string, unknown> = {
      id: s.id,
      name: `t3_${s.id}`,
      author,
      title: esc(s.title, raw),
      selftext: esc(selftext, raw),
      selftext_html: null,
      created_utc: s.createdUtc,
      created: s.createdUtc,
      subreddit: s.subreddit,
      subreddit_name_prefixed: `r/${s.subreddit}`,
      subreddit_id: subredditId(s.subreddit),
      permalink,
      url: s.linkUrl ?? `https://www.reddit.com${permalink}`,
      domain: s.linkUrl ? new URL(s.linkUrl).hostname : `self.${s.subreddit}`,
      is_self: !s.linkUrl,
      score: s.score,
      ups: s.score,
      downs: 0,
      upvote_ratio: s.upvoteRatio,
      num_comments: s.numComments,
      over_18: false,
      stickied: false,
      locked: false,
      edited: edit ? edit.at : false,
      link_flair_text: null,
      removed_by_category: s.deleted === 'removed' ? 'moderator' : s.deleted === 'deleted' ? 'deleted' : null,
    };
    if (!authorGone) data.author_fullname = userFullname(s.author);
    return { kind: 't3', data };
  };

  const t1 = (c: RedditComment, raw: boolean, extra: Record<string, unknown> = {}) => {
    const authorGone = !!c.deleted;
    const edit = edits.get(`t1_${c.id}`);
    // An author who deleted the account leaves the body; deleting the comment or a removal does not.
    const body = c.deleted === 'removed' ? '[removed]' : c.deleted === 'deleted' ? '[deleted]' : (edit?.text ?? c.body);
    const link = index.subById.get(c.linkId);
    const data: Record<string, unknown> = {
      id: c.id,
      name: `t1_${c.id}`,
      author: authorGone ? '[deleted]' : c.author,
      body: esc(body, raw),
      body_html: null,
      created_utc: c.createdUtc,
      created: c.createdUtc,
      subreddit: c.subreddit,
      subreddit_name_prefixed: `r/${c.subreddit}`,
      subreddit_id: subredditId(c.subreddit),
      link_id: `t3_${c.linkId}`,
      parent_id: c.parentId,
      permalink: `/r/${c.subreddit}/comments/${c.linkId}/${slug(link?.title ?? '')}/${c.id}/`,
      score: c.score,
      ups: c.score,
      downs: 0,
      controversiality: 0,
      depth: c.depth,
      edited: edit ? edit.at : false,
      stickied: false,
      is_submitter: !!link && link.author === c.author && !authorGone,
      replies: '',
      ...extra,
    };
    if (!authorGone) data.author_fullname = userFullname(c.author);
    return { kind: 't1', data };
  };

  const userListingComment = (c: RedditComment, raw: boolean) => {
    const link = index.subById.get(c.linkId);
    return t1(c, raw, {
      link_title: link ? esc(link.title, raw) : '',
      link_author: link ? (link.deleted === 'deleted' || link.deleted === 'account' ? '[deleted]' : link.author) : '[deleted]',
      link_permalink: link ? `https://www.reddit.com/r/${link.subreddit}/comments/${link.id}/${slug(link.title)}/` : '',
      link_url: link?.linkUrl ?? '',
    });
  };

  const listing = (children: unknown[], after: string | null, before: string | null) => ({
    kind: 'Listing',
    data: { after, before, dist: children.length, modhash: '', geo_filter: '', children },
  });

  function page<T>(items: T[], fullname: (x: T) => string, q: URLSearchParams, cap: number) {
    const limit = Math.max(1, Math.min(100, Number(q.get('limit') ?? 25) || 25));
    const reachable = items.length > cap ? items.slice(0, cap) : items;
    const after = q.get('after');
    const before = q.get('before');
    let startIdx = 0;
    let endIdx: number;
    if (after) {
      const i = reachable.findIndex((x) => fullname(x) === after);
      if (i < 0) return { items: [] as T[], after: null, before: null };
      startIdx = i + 1;
      endIdx = Math.min(reachable.length, startIdx + limit);
    } else if (before) {
      const i = reachable.findIndex((x) => fullname(x) === before);
      if (i < 0) return { items: [] as T[], after: null, before: null };
      endIdx = i;
      startIdx = Math.max(0, endIdx - limit);
    } else {
      endIdx = Math.min(reachable.length, limit);
    }
    const slice = reachable.slice(startIdx, endIdx);
    return {
      items: slice,
      after: endIdx < reachable.length && slice.length > 0 ? fullname(slice[slice.length - 1]) : null,
      before: startIdx > 0 && slice.length > 0 ? fullname(slice[0]) : null,
    };
  }

  /** One page of `items` (the request's limit / after / before) as a Listing, each item rendered by `render`. */
  function pagedListing<T>(items: T[], fullname: (x: T) => string, q: URLSearchParams, cap: number, render: (x: T) => unknown) {
    const p = page(items, fullname, q, cap);
    return listing(p.items.map(render), p.after, p.before);
  }

  return { esc, userFullname, t3, t1, userListingComment, listing, pagedListing };
}
