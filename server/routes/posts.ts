// Posts by product (and platform, account, dates), newest first, cursor-paged, from
// the server's live post view (references and JSON texts in memory).
import { toDate } from '../../analysis/time';
import { Type as T } from '@sinclair/typebox';
import type { PostRef } from '../../storage/post-refs';
import { decodeCursor, encodeCursor } from '../pagination';
import { Cursor, DateParam, DocId, Limit, Platform, ProductId, query, type RoutePlugin } from './common';
import { BadRequest } from '../guard';

export const postRoutes: RoutePlugin = async (app, { services }) => {
  app.get('/posts', {
    schema: {
      tags: ['posts'],
      summary: 'posts about a product (source-attributed or found by NLP), newest first',
      querystring: query({
        product: T.Optional(ProductId),
        platform: T.Optional(Platform),
        account: T.Optional(DocId),
        since: T.Optional(DateParam),
        until: T.Optional(DateParam),
        limit: T.Optional(Limit),
        cursor: T.Optional(Cursor),
      }),
    },
  }, async (req, reply) => {
    const q = req.query;
    const limit = q.limit ?? 50;
    const since = toDate(q.since, 'since', BadRequest);
    const until = toDate(q.until, 'until', BadRequest);
    const after = q.cursor ? decodeCursor(q.cursor, 'createdAt', 'desc') : undefined;
    await services.live.fresh(['posts']);
    const index = services.live.posts.index;
    let refs: PostRef[] = q.product ? index.byProduct(q.product) : q.account ? index.byAccount(q.account) : index.all;
    const afterTime = after ? (after.value as Date).getTime() : undefined;
    refs = refs.filter(
      (r) =>
        (!q.platform || r.platform === q.platform) &&
        (!q.account || r.accountId === q.account) &&
        (!since || r.createdAt >= since) &&
        (!until || r.createdAt <= until) &&
        (afterTime === undefined || r.createdAt.getTime() < afterTime || (r.createdAt.getTime() === afterTime && r._id > (after?.id ?? ''))),
    );
    const page = refs.slice(0, limit);
    const items = services.live.posts.json(page.map((r) => r._id));
    const last = page[page.length - 1];
    const nextCursor = refs.length > limit && last ? encodeCursor('createdAt', 'desc', last.createdAt, last._id) : null;
    return reply.type('application/json; charset=utf-8').send(`{"items":[${items.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`);
  });
};
