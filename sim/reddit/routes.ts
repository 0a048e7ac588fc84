// The API's routes: listings, search, comment trees and morechildren, info, users, and refusals.
import { json, type SimRequest, type SimResponse } from '../http';
import { evaluate, normalise, parseQuery, QueryError, type QueryNode } from '../query';
import type { RedditComment, RedditSubmission } from '../world';
import { type Thing, DAY_SEC, lower } from './common';
import type { redditCore } from './core';
import type { redditSerialisation } from './serialise';
import type { redditAuth } from './auth';

export function redditRoutes(ctx: ReturnType<typeof redditCore> & ReturnType<typeof redditSerialisation> & ReturnType<typeof redditAuth>) {
  const { listingCap, searchCap, index, access, worldNowSec, t3, t1, userListingComment, listing, pagedListing } = ctx;
  // ---------------------------------------------------------------- routes
  type Route = { pattern: RegExp; name: string; handler: (m: RegExpExecArray, req: SimRequest, raw: boolean) => SimResponse };
  const notFound = () => json(404, { message: 'Not Found', error: 404 });

  const subListing = (spec: string): RedditSubmission[] | undefined => {
    const names = spec.split('+').map(lower);
    if (names.length === 1 && names[0] === 'all') return index.allNew;
    const lists = names.map((n) => index.subNew.get(n) ?? (index.subredditNames.has(n) ? [] : undefined));
    if (lists.some((l) => l === undefined)) return undefined;
    if (lists.length === 1) return lists[0];
    return (lists as RedditSubmission[][]).flat().sort((a, b) => b.createdUtc - a.createdUtc || (a.id < b.id ? 1 : -1));
  };

  const search = (req: SimRequest, raw: boolean, sub?: string): SimResponse => {
    const q = req.query.get('q') ?? '';
    const restrict = ['1', 'true', 'on'].includes(lower(req.query.get('restrict_sr') ?? ''));
    let pool = restrict && sub ? subListing(sub) : index.allNew;
    if (!pool) return notFound();
    let node: QueryNode;
    try {
      node = parseQuery(q);
    } catch (e) {
      if (e instanceof QueryError) return json(200, listing([], null, null));
      throw e;
    }
    const t = req.query.get('t') ?? 'all';
    const span = { hour: 3600, day: DAY_SEC, week: 7 * DAY_SEC, month: 31 * DAY_SEC, year: 366 * DAY_SEC }[t as 'hour'];
    const since = span ? worldNowSec() - span : -Infinity;
    pool = pool.filter(
      (s) =>
        !s.deleted &&
        s.createdUtc >= since &&
        evaluate(node, index.text(s), (f, v) => {
          if (f === 'author') return lower(s.author) === lower(v);
          if (f === 'subreddit') return lower(s.subreddit) === lower(v);
          if (f === 'title') return normalise(s.title).includes(normalise(v));
          if (f === 'selftext') return normalise(s.selftext).includes(normalise(v));
          if (f === 'self') return (v === 'true' || v === 'yes') === !s.linkUrl;
          if (f === 'url' || f === 'site') return !!s.linkUrl && s.linkUrl.includes(v);
          return false;
        }),
    );
    const sort = req.query.get('sort') ?? 'relevance';
    if (sort === 'top' || sort === 'relevance') pool = pool.slice().sort((a, b) => b.score - a.score || b.createdUtc - a.createdUtc);
    else if (sort === 'comments') pool = pool.slice().sort((a, b) => b.numComments - a.numComments || b.createdUtc - a.createdUtc);
    return json(200, pagedListing(pool, (s) => `t3_${s.id}`, req.query, searchCap, (s) => t3(s, raw)));
  };

  /** A comment and all its descendants, pre-order. */
  const subtree = (c: RedditComment, out: RedditComment[] = []) => {
    out.push(c);
    for (const k of index.children.get(`t1_${c.id}`) ?? []) subtree(k, out);
    return out;
  };

  /**
   * The comment tree of a submission, or below one comment (`focus`: "continue this
   * thread"). `limit` comments at most; replies `depth` levels down from the top (Reddit:
   * at most 10). Replies the limit cuts off become a `more` stub listing them and counting
   * them with their descendants; replies below the depth limit a "continue this thread" stub.
   */
  const commentTree = (linkId: string, req: SimRequest, raw: boolean, focus?: RedditComment) => {
    let budget = Math.max(1, Math.min(500, Number(req.query.get('limit') ?? 200) || 200));
    const maxDepth = Math.max(1, Math.min(10, Number(req.query.get('depth') ?? 10) || 10));
    const sort = req.query.get('sort') ?? 'confidence';
    const ordered = (kids: RedditComment[]) => {
      if (sort === 'new') return kids.slice().sort((a, b) => b.createdUtc - a.createdUtc);
      if (sort === 'old') return kids;
      return kids.slice().sort((a, b) => b.score - a.score || a.createdUtc - b.createdUtc);
    };
    const render = (parent: string, depth: number): unknown[] => {
      const kids = ordered(index.children.get(parent) ?? []);
      if (kids.length > 0 && depth >= maxDepth) return [{ kind: 'more', data: { count: 0, name: 't1__', id: '_', parent_id: parent, depth, children: [] } }];
      const out: unknown[] = [];
      const cut: RedditComment[] = [];
      for (const k of kids) {
        if (budget > 0) {
          budget--;
          const node = t1(k, raw);
          const replies = render(`t1_${k.id}`, depth + 1);
          (node.data as Record<string, unknown>).replies = replies.length > 0 ? listing(replies, null, null) : '';
          out.push(node);
        } else cut.push(k);
      }
      if (cut.length > 0) {
        const count = cut.reduce((n, k) => n + subtree(k).length, 0);
        out.push({ kind: 'more', data: { count, name: `t1_${cut[0].id}`, id: cut[0].id, parent_id: parent, depth, children: cut.map((k) => k.id) } });
      }
      return out;
    };
    if (!focus) return render(`t3_${linkId}`, 0);
    budget--;
    const node = t1(focus, raw);
    const replies = render(`t1_${focus.id}`, 1);
    (node.data as Record<string, unknown>).replies = replies.length > 0 ? listing(replies, null, null) : '';
    return [node];
  };

  /** Reddit's answer for a subreddit that is not public, or null. */
  const refused = (subreddit: string): SimResponse | null => {
    const a = access.get(lower(subreddit));
    if (!a) return null;
    if (a === 'banned') return json(404, { reason: 'banned', message: 'Not Found', error: 404 });
    if (a === 'quarantined')
      return json(403, { reason: 'quarantined', quarantine_message: 'This community is quarantined.', message: 'Forbidden', error: 403 });
    return json(403, { reason: 'private', message: 'Forbidden', error: 403 });
  };

  const routes: Route[] = [
    {
      pattern: /^\/r\/([^/]+)\/new$/,
      name: 'GET /r/{sub}/new',
      handler: (m, req, raw) => {
        const no = m[1]
          .split('+')
          .map(refused)
          .find((r) => r);
        if (no) return no;
        const list = subListing(m[1]);
        if (!list) return notFound();
        return json(200, pagedListing(list, (s) => `t3_${s.id}`, req.query, listingCap, (s) => t3(s, raw)));
      },
    },
    { pattern: /^\/r\/([^/]+)\/search$/, name: 'GET /r/{sub}/search', handler: (m, req, raw) => refused(m[1]) ?? search(req, raw, m[1]) },
    { pattern: /^\/search$/, name: 'GET /search', handler: (_m, req, raw) => search(req, raw) },
    {
      pattern: /^\/user\/([^/]+)\/about$/,
      name: 'GET /user/{name}/about',
      handler: (m) => {
        const u = index.users.get(lower(m[1]));
        if (!u) return notFound();
        return json(200, {
          kind: 't2',
          data: {
            name: u.name,
            id: u.id,
            created_utc: u.createdUtc,
            created: u.createdUtc,
            link_karma: u.linkKarma,
            comment_karma: u.commentKarma,
            total_karma: u.linkKarma + u.commentKarma,
            is_gold: false,
            is_mod: false,
            verified: true,
            has_verified_email: true,
            is_employee: false,
            icon_img: '',
          },
        });
      },
    },
    {
      pattern: /^\/user\/([^/]+)\/submitted$/,
      name: 'GET /user/{name}/submitted',
      handler: (m, req, raw) => {
        if (!index.users.has(lower(m[1]))) return notFound();
        const list = (index.userSubs.get(lower(m[1])) ?? []).filter((s) => s.deleted !== 'deleted' && s.deleted !== 'account');
        return json(200, pagedListing(list, (s) => `t3_${s.id}`, req.query, listingCap, (s) => t3(s, raw)));
      },
    },
    {
      pattern: /^\/user\/([^/]+)\/comments$/,
      name: 'GET /user/{name}/comments',
      handler: (m, req, raw) => {
        if (!index.users.has(lower(m[1]))) return notFound();
        const list = (index.userComments.get(lower(m[1])) ?? []).filter((c) => !c.deleted);
        return json(200, pagedListing(list, (c) => `t1_${c.id}`, req.query, listingCap, (c) => userListingComment(c, raw)));
      },
    },
    {
      // /comments/<link>[/<slug>[/<comment>]]: the tree, or the thread below one comment.
      pattern: /^(?:\/r\/[^/]+)?\/comments\/([a-z0-9]+)(?:\/[^/]*(?:\/([a-z0-9]+))?)?$/,
      name: 'GET /comments/{id}',
      handler: (m, req, raw) => {
        const s = index.subById.get(m[1]);
        if (!s) return notFound();
        const no = refused(s.subreddit);
        if (no) return no;
        let focus: RedditComment | undefined;
        if (m[2]) {
          const t = index.things.get(`t1_${m[2]}`);
          if (t?.kind !== 't1' || t.c.linkId !== s.id) return notFound();
          focus = t.c;
        }
        return json(200, [listing([t3(s, raw)], null, null), listing(commentTree(s.id, req, raw, focus), null, null)]);
      },
    },
    {
      pattern: /^\/api\/morechildren$/,
      name: 'GET /api/morechildren',
      handler: (_m, req, raw) => {
        const params = req.method === 'POST' ? req.body : req.query;
        const linkId = (params.get('link_id') ?? '').replace(/^t3_/, '');
        const ids = (params.get('children') ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
          .slice(0, 100);
        if (!index.subById.has(linkId)) return json(200, { json: { errors: [['INVALID_LINK', 'invalid link', 'link_id']], data: { things: [] } } });
        // The comments asked for with their descendants, flat (parent_id links them), as Reddit does unless limit_children.
        const onlyAsked = ['1', 'true'].includes(lower(params.get('limit_children') ?? ''));
        const seen = new Set<string>();
        const things: unknown[] = [];
        for (const id of ids) {
          const t = index.things.get(`t1_${id}`);
          if (t?.kind !== 't1' || t.c.linkId !== linkId) continue;
          for (const c of onlyAsked ? [t.c] : subtree(t.c)) {
            if (seen.has(c.id)) continue;
            seen.add(c.id);
            things.push(t1(c, raw));
          }
        }
        return json(200, { json: { errors: [], data: { things } } });
      },
    },
    {
      pattern: /^\/api\/info$/,
      name: 'GET /api/info',
      handler: (_m, req, raw) => {
        const ids = (req.query.get('id') ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
          .slice(0, 100);
        const children = ids
          .map((id) => index.things.get(id))
          .filter((t): t is Thing => !!t)
          .map((t) => (t.kind === 't3' ? t3(t.s, raw) : t1(t.c, raw)));
        return json(200, listing(children, null, null));
      },
    },
  ];

  return { notFound, subListing, search, subtree, commentTree, refused, routes };
}
