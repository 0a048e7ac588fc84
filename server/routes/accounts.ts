// Analyst queries over accounts: a filtered, sorted, cursor-paged list of scored
// accounts, and one account with its posts timeline, scores and evidence.
import { Type as T } from '@sinclair/typebox';
import { stringify } from 'csv-stringify/sync';
import { csvSafe } from '../../importers/clean';
import { indicatorLabel } from '../../reports/labels';
import { SORT_FIELDS } from '../../storage/lookups';
import { decodeCursor, encodeCursor, getPath, type Order } from '../pagination';
import { Cursor, DocId, Limit, OrderParam, Platform, ProductId, query, RingId, type RoutePlugin, Score } from './common';

const ListQuery = query({
  platform: T.Optional(Platform),
  minScore: T.Optional(Score),
  maxScore: T.Optional(Score),
  ring: T.Optional(RingId),
  product: T.Optional(T.String({ ...ProductId, description: 'product id (B0…) or catalogue name, e.g. "Lumera Flex R9"' })),
  handle: T.Optional(T.String({ minLength: 1, maxLength: 64, description: 'case-insensitive substring of the handle' })),
  sort: T.Optional(T.Union([T.Literal('score'), T.Literal('handle'), T.Literal('lastSeen')], { default: 'score' })),
  order: T.Optional(OrderParam),
  limit: T.Optional(Limit),
  cursor: T.Optional(Cursor),
  format: T.Optional(T.Union([T.Literal('json'), T.Literal('csv')], { description: 'csv: every matching account (up to 50,000), one row each, for spreadsheets' })),
});

/** CSV download columns: the CLI export's first ones, then the reasons in words. */
export const LIST_CSV_COLUMNS = ['account', 'platform', 'score', 'handle', 'ring_id', 'top_indicators', 'detected_at', 'run_id'] as const;
const CSV_MAX_ROWS = 50_000;

export const accountRoutes: RoutePlugin = async (app, { services }) => {
  const { lookups, store } = services;

  /** Accounts posting about a product given by id, or by catalogue name or alias (case-insensitive). */
  const accountsWithProduct = async (product: string): Promise<Set<string>> => {
    const byId = await lookups.accountsWithProduct(product);
    if (byId.length > 0) return new Set(byId);
    const wanted = product.trim().toLowerCase();
    const ids = (await store.products.find({}, { projection: { _id: 1, name: 1, aliases: 1 } }))
      .filter((p) => p.name?.toLowerCase() === wanted || (p.aliases ?? []).some((a) => a.toLowerCase() === wanted))
      .map((p) => p._id);
    return new Set((await Promise.all(ids.map((id) => lookups.accountsWithProduct(id)))).flat());
  };

  app.get('/accounts', {
    schema: { tags: ['accounts'], summary: 'scored accounts with their strongest indicators: filter, sort, cursor pagination; format=csv downloads them all', querystring: ListQuery },
  }, async (req, reply) => {
    const q = req.query;
    const sort = q.sort ?? 'score';
    const field = SORT_FIELDS[sort];
    const order: Order = q.order ?? (sort === 'handle' ? 'asc' : 'desc');
    const limit = q.limit ?? 50;
    const after = q.cursor ? decodeCursor(q.cursor, field, order) : undefined;
    const ids = q.product ? await accountsWithProduct(q.product) : undefined;
    if (q.format === 'csv') {
      const all = (await lookups.accounts({ ...q, ids, sort, order, limit: CSV_MAX_ROWS, after })).items;
      const rows = all.map((a) => [a._id, a.platform, a.suspicion.score, a.handle, a.suspicion.ringId ?? '', a.suspicion.top.map((t) => indicatorLabel(t.name)).join('; '), new Date(a.suspicion.detectedAt).toISOString(), a.suspicion.runId ?? ''].map(csvSafe));
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="accounts.csv"')
        .send(stringify([[...LIST_CSV_COLUMNS], ...rows]));
    }
    const { items, more } = await lookups.accounts({ ...q, ids, sort, order, limit, after });
    const last = items[items.length - 1];
    // Scores of several detect runs in one list are said, not hidden (each item names its runId).
    const scoreRuns = await lookups.scoreRuns();
    const warning = scoreRuns.length > 1 ? `scores come from ${scoreRuns.length} detect runs: accounts outside a later run's window keep older scores (suspicion.runId says which)` : undefined;
    return { items, nextCursor: more && last ? encodeCursor(field, order, getPath(last, field) as string | number | Date, last._id) : null, scoreRuns, ...(warning ? { warning } : {}) };
  });

  app.get('/accounts/:id', {
    schema: {
      tags: ['accounts'],
      summary: 'one account: facts, suspicion score with indicators, posts timeline, evidence posts, its ring',
      params: T.Object({ id: DocId }),
      querystring: query({ posts: T.Optional(T.Integer({ minimum: 0, maximum: 1000, default: 200 })) }),
    },
  }, async (req, reply) => {
    const { id } = req.params;
    const postLimit = req.query.posts ?? 200;
    const facts = await lookups.account(id, postLimit);
    if (!facts) return reply.code(404).send({ error: 'Not Found', message: `no account ${id}` });
    const ring = facts.ringId ? await store.rings.get(facts.ringId) : null;
    const ringSummary = ring ? { _id: ring._id, score: ring.score, status: ring.status, memberCount: ring.members.length, products: ring.products } : null;
    // Assembled from JSON texts (kept by the in-memory views on FerretDB): nothing is re-serialised here.
    const body = `{"account":${facts.json},"postCount":${facts.postCount},"posts":[${facts.posts.join(',')}],"evidence":[${facts.evidence.join(',')}],"ring":${JSON.stringify(ringSummary)}}`;
    return reply.type('application/json; charset=utf-8').send(body);
  });
};
