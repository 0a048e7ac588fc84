// Parameters, pages with next tokens, and the search query's filters.
import { QueryError, type QueryNode, evaluate } from '../query';
import { cmpId, firstOlderThan } from '../search-index';
import type { Tweet } from '../world';
import { invalid, encodeToken, decodeToken } from './common';
import type { twitterCore } from './core';
import type { twitterTokens } from './tokens';
import type { twitterSerialisation } from './serialise';

export function twitterPaging(ctx: ReturnType<typeof twitterCore> & ReturnType<typeof twitterTokens> & ReturnType<typeof twitterSerialisation>) {
  const { userById, textOf, superseded } = ctx;
  // ---------------------------------------------------------------- paging and filters
  const intParam = (q: URLSearchParams, name: string, min: number, max: number, dflt: number): number => {
    const raw = q.get(name);
    if (raw === null) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw invalid(name, raw, `The \`${name}\` query parameter value [${raw}] is not between ${min} and ${max}`);
    return n;
  };
  const idParam = (q: URLSearchParams, name: string): string | undefined => {
    const raw = q.get(name);
    if (raw === null) return undefined;
    if (!/^\d{1,19}$/.test(raw)) throw invalid(name, raw, `The \`${name}\` query parameter value [${raw}] does not match ^[0-9]{1,19}$`);
    return raw;
  };
  const timeParam = (q: URLSearchParams, name: string): number | undefined => {
    const raw = q.get(name);
    if (raw === null) return undefined;
    const t = Date.parse(raw);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(t))
      throw invalid(name, raw, `Invalid '${name}':'${raw}'. '${name}' must be a valid RFC3339 date-time`);
    return t;
  };

  /** Filters shared by search and timelines; returns a page newest first plus meta. */
  const pageOf = (pool: Tweet[], q: URLSearchParams, maxResults: number, tokenParam: 'next_token' | 'pagination_token', keep: (t: Tweet) => boolean) => {
    const sinceId = idParam(q, 'since_id');
    const untilId = idParam(q, 'until_id');
    const startTime = timeParam(q, 'start_time');
    const endTime = timeParam(q, 'end_time');
    if (startTime !== undefined && endTime !== undefined && startTime >= endTime)
      throw invalid('start_time', q.get('start_time') as string, "Invalid 'start_time': must be before 'end_time'");
    const token = q.get(tokenParam);
    let cursor: string | undefined;
    if (token !== null) {
      cursor = decodeToken(token);
      if (!cursor) throw invalid(tokenParam, token, `The \`${tokenParam}\` query parameter value [${token}] is not valid`);
    }
    const out: Tweet[] = [];
    let more = false;
    // The pool is newest first: start below the cursor and until_id at once.
    const upper = cursor && untilId ? (cmpId(cursor, untilId) < 0 ? cursor : untilId) : (cursor ?? untilId);
    for (let i = upper ? firstOlderThan(pool, upper) : 0; i < pool.length; i++) {
      const t = pool[i];
      if (t.deleted || superseded.has(t.id)) continue;
      if (sinceId && cmpId(t.id, sinceId) <= 0) break;
      if (endTime !== undefined && t.createdAt >= endTime) continue;
      if (startTime !== undefined && t.createdAt < startTime) break;
      if (!keep(t)) continue;
      if (out.length === maxResults) {
        more = true;
        break;
      }
      out.push(t);
    }
    const meta: Record<string, unknown> = { result_count: out.length };
    if (out.length > 0) {
      meta.newest_id = out[0].id;
      meta.oldest_id = out[out.length - 1].id;
      if (more) meta.next_token = encodeToken(out[out.length - 1].id);
    }
    return { list: out, meta };
  };

  const matcher =
    (node: QueryNode) =>
    (t: Tweet): boolean =>
      evaluate(node, textOf(t), (field, value) => {
        const v = value.toLowerCase();
        switch (field) {
          case 'from':
            return (userById.get(t.authorId)?.username.toLowerCase() ?? '') === v.replace(/^@/, '') || t.authorId === v;
          case 'to':
            return !!t.inReplyToUserId && (userById.get(t.inReplyToUserId)?.username.toLowerCase() ?? '') === v.replace(/^@/, '');
          case 'is':
            if (v === 'retweet') return !!t.referenced?.some((r) => r.type === 'retweeted');
            if (v === 'reply') return !!t.referenced?.some((r) => r.type === 'replied_to');
            if (v === 'quote') return !!t.referenced?.some((r) => r.type === 'quoted');
            if (v === 'verified') return !!userById.get(t.authorId)?.verified;
            return false;
          case 'has':
            if (v === 'links') return /https?:\/\//.test(t.text);
            if (v === 'mentions') return /@\w/.test(t.text);
            if (v === 'hashtags') return /#\w/.test(t.text);
            return false;
          case 'lang':
            return v === 'en';
          case 'url':
            return t.text.toLowerCase().includes(v);
          case 'conversation_id':
            return t.conversationId === value;
          default:
            throw new QueryError(`unknown operator ${field}:`);
        }
      });

  return { intParam, idParam, timeParam, pageOf, matcher };
}
