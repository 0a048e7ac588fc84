// Analyst queries over accounts: a filtered, sorted, cursor-paged list of scored
// accounts, and one account with its posts timeline, scores and evidence.
import { Type as T } from '@sinclair/typebox';
import type { PostIndex } from '../../reports/posts';
import { withoutSignatures } from '../../reports/ring-data';
import type { Store } from '../../storage/store';
import type { Account } from '../../storage/types';
import { and, decodeCursor, escapeRegex, keyset, type Order, pageOf } from '../pagination';
import { Cursor, DocId, Limit, OrderParam, Platform, ProductId, query, RingId, type RoutePlugin, Score } from './common';

const SORT_FIELDS = { score: 'suspicion.score', handle: 'handle', lastSeen: 'lastSeenAt' } as const;

const ListQuery = query({
  platform: T.Optional(Platform),
  minScore: T.Optional(Score),
  maxScore: T.Optional(Score),
  ring: T.Optional(RingId),
  product: T.Optional(ProductId),
  handle: T.Optional(T.String({ minLength: 1, maxLength: 64, description: 'case-insensitive substring of the handle' })),
  sort: T.Optional(T.Union([T.Literal('score'), T.Literal('handle'), T.Literal('lastSeen')], { default: 'score' })),
  order: T.Optional(OrderParam),
  limit: T.Optional(Limit),
  cursor: T.Optional(Cursor),
});

interface ListQ {
  platform?: string;
  minScore?: number;
  maxScore?: number;
  ring?: string;
  product?: string;
  handle?: string;
  sort?: keyof typeof SORT_FIELDS;
  order?: Order;
  limit?: number;
  cursor?: string;
}

const LIST_PROJECTION = {
  _id: 1, platform: 1, handle: 1, displayName: 1, createdAt: 1, firstSeenAt: 1, lastSeenAt: 1, karma: 1, followers: 1,
  'suspicion.score': 1, 'suspicion.ringId': 1, 'suspicion.detectedAt': 1,
} as const;

export const accountRoutes: RoutePlugin = async (app, { services }) => {
  const { store } = services;

  app.get('/accounts', {
    schema: { tags: ['accounts'], summary: 'scored accounts: filter, sort, cursor pagination', querystring: ListQuery },
  }, async (req) => {
    const q = req.query as ListQ;
    const sortKey = q.sort ?? 'score';
    const field = SORT_FIELDS[sortKey];
    const order: Order = q.order ?? (sortKey === 'handle' ? 'asc' : 'desc');
    const limit = q.limit ?? 50;
    const score: Record<string, number | boolean> = { $exists: true };
    if (q.minScore !== undefined) score.$gte = q.minScore;
    if (q.maxScore !== undefined) score.$lte = q.maxScore;
    const filters: Record<string, unknown>[] = [{ 'suspicion.score': score }];
    if (q.platform) filters.push({ platform: q.platform });
    if (q.ring) filters.push({ 'suspicion.ringId': q.ring });
    if (q.handle) filters.push({ handle: { $regex: escapeRegex(q.handle), $options: 'i' } });
    if (q.product) {
      const ids = (await services.postIndex.get()).accountsWithProduct(q.product);
      filters.push({ _id: { $in: ids } });
    }
    const ks = keyset(field, order, q.cursor ? decodeCursor(q.cursor, field, order) : undefined);
    filters.push(ks.filter);
    const rows = await store.accounts.find(and(...filters) as never, { projection: LIST_PROJECTION, sort: ks.sort, limit: limit + 1 });
    return pageOf(rows, limit, field, order);
  });

  app.get('/accounts/:id', {
    schema: {
      tags: ['accounts'],
      summary: 'one account: facts, suspicion score with indicators, posts timeline, evidence posts, its ring',
      params: T.Object({ id: DocId }),
      querystring: query({ posts: T.Optional(T.Integer({ minimum: 0, maximum: 1000, default: 200 })) }),
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: string };
    const account = await store.accounts.get(id);
    if (!account) return reply.code(404).send({ error: 'Not Found', message: `no account ${id}` });
    return accountDetail(services.store, await services.postIndex.get(), account, (req.query as { posts?: number }).posts ?? 200);
  });
};

export async function accountDetail(store: Store, index: PostIndex, account: Account, postLimit: number) {
  const refs = index.byAccount(account._id);
  const posts = (await store.posts.getMany(refs.slice(0, postLimit).map((r) => r._id))).map(withoutSignatures);
  const evidence = (await store.posts.getMany(account.suspicion?.evidencePosts ?? [])).map(withoutSignatures);
  const postCount = refs.length;
  const ringId = account.suspicion?.ringId;
  const ring = ringId ? await store.rings.get(ringId) : null;
  return {
    account,
    postCount,
    posts,
    evidence,
    ring: ring ? { _id: ring._id, score: ring.score, status: ring.status, memberCount: ring.members.length, products: ring.products } : null,
  };
}
