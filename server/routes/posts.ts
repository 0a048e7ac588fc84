// Posts by product (and platform, account, dates), newest first, cursor-paged, through
// the server's look-ups (storage/lookups.ts: in memory on FerretDB, indexed on MongoDB).
import { toDate } from '../../analysis/time';
import { Type as T } from '@sinclair/typebox';
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
    const page = await services.lookups.posts({ ...q, since, until, after: after as { value: Date; id: string } | undefined, limit });
    const nextCursor = page.next ? encodeCursor('createdAt', 'desc', page.next.createdAt, page.next._id) : null;
    const items = page.items;
    return reply.type('application/json; charset=utf-8').send(`{"items":[${items.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`);
  });
};
