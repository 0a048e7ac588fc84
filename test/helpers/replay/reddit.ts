// Reddit's part of the replay rules: the data-selecting parameters, /api/info and
// /api/morechildren answered by id from every thing the loaded recordings hold, and the
// empty answers for continuations the recordings stop before (a next listing page, a
// "continue this thread" link below the recorded depth).
import { normalisePath, type Recording } from './recording';
import type { ReplayAnswer, ReplayContext, ReplayPlatform, ReplayRequest } from './server';

interface Thing {
  kind: string;
  data: Record<string, unknown>;
}

const JSON_TYPE = { 'content-type': 'application/json; charset=UTF-8' };

function isThing(v: unknown): v is Thing {
  if (!v || typeof v !== 'object') return false;
  const t = v as Thing;
  return typeof t.kind === 'string' && /^t[1-6]$/.test(t.kind) && !!t.data && typeof t.data.name === 'string';
}

/** Every t1…t6 thing in the recorded bodies by fullname (the last recording wins), replies detached. */
export function recordedThings(recordings: readonly Recording[]): Map<string, Thing> {
  const out = new Map<string, Thing>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    if (!v || typeof v !== 'object') return;
    if (isThing(v)) {
      // /api/info and morechildren answer a comment without its subtree.
      out.set(String(v.data.name), { kind: v.kind, data: { ...v.data, ...(v.kind === 't1' ? { replies: '' } : {}) } });
    }
    for (const x of Object.values(v as Record<string, unknown>)) visit(x);
  };
  for (const r of recordings) {
    if (!r.body.startsWith('{') && !r.body.startsWith('[')) continue;
    try {
      visit(JSON.parse(r.body));
    } catch {
      // Not JSON (an error page): holds no things.
    }
  }
  return out;
}

const listing = (children: Thing[]) => ({ kind: 'Listing', data: { after: null, before: null, dist: children.length, modhash: null, children } });

export interface RedditReplayPlatform extends ReplayPlatform {
  /** Fullnames a lookup was asked for that no recording holds (answered without them, as Reddit does for unknown ids). */
  missing: string[];
}

export function redditPlatform(): RedditReplayPlatform {
  let things: Map<string, Thing> | undefined;
  const index = (ctx: ReplayContext) => {
    things ??= recordedThings(ctx.recordings);
    return things;
  };
  const missing: string[] = [];
  const pick = (ctx: ReplayContext, names: string[]) => {
    const found: Thing[] = [];
    for (const n of names) {
      const t = index(ctx).get(n);
      if (t) found.push(t);
      else missing.push(n);
    }
    return found;
  };
  const answer = (ctx: ReplayContext, path: string, body: unknown): ReplayAnswer => ({
    status: 200,
    headers: { ...ctx.headersFor(path), ...JSON_TYPE },
    body: JSON.stringify(body),
  });
  const param = (req: ReplayRequest, name: string) => req.query.get(name) ?? req.form?.get(name) ?? '';

  return {
    name: 'reddit',
    dataParams: ['after', 'before', 'q', 'id'],
    rateHeader: 'x-ratelimit-remaining',
    missing,
    lookup(req, ctx) {
      if (req.path === '/api/info') {
        const ids = param(req, 'id').split(',').filter(Boolean);
        const found = pick(ctx, ids);
        return { answer: answer(ctx, req.path, listing(found)), note: `${found.length} of ${ids.length} ids recorded` };
      }
      if (req.path === '/api/morechildren') {
        const ids = param(req, 'children').split(',').filter(Boolean);
        const found = pick(
          ctx,
          ids.map((id) => `t1_${id}`),
        );
        return { answer: answer(ctx, req.path, { json: { errors: [], data: { things: found } } }), note: `${found.length} of ${ids.length} ids recorded` };
      }
      return null;
    },
    continuation(req, ctx) {
      const samePath = ctx.recordings.some((r) => normalisePath(r.url.pathname) === req.path);
      if ((req.query.has('after') || req.query.has('before')) && samePath) {
        return { answer: answer(ctx, req.path, listing([])), note: 'listing page after the recorded ones: empty' };
      }
      // "continue this thread": /comments/<link>/<slug or _>/<comment>. The recording stops
      // above the comment's replies, so the answer is the comment without them.
      const m = /^\/comments\/([a-z0-9]+)\/[^/]+\/([a-z0-9]+)$/.exec(req.path);
      if (m) {
        const link = index(ctx).get(`t3_${m[1]}`);
        const comment = index(ctx).get(`t1_${m[2]}`);
        if (link && comment)
          return {
            answer: answer(ctx, `/comments/${m[1]}`, [listing([link]), listing([comment])]),
            note: `thread below t1_${m[2]}: not recorded, its replies empty`,
          };
      }
      return null;
    },
  };
}
