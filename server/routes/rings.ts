// Rings: a filtered list, one ring with everything its report shows, and the policy
// review (status, reason, notes, assignee) with optimistic concurrency.
import { toDate } from '../../analysis/time';
import { Type as T } from '@sinclair/typebox';
import { productNames } from '../../queries/weekly-report';
import { loadRingReport } from '../../queries/ring-report';
import { type Escalation, RING_STATUSES } from '../../storage/types';
import { actorOf } from '../auth';
import { ROLE_RANK } from '../../queries/keys';
import { and, decodeCursor, keyset, type Order, pageOf } from '../pagination';
import { ReviewError, RingReviews } from '../../queries/review';
import { Cursor, DateParam, Limit, OrderParam, Platform, ProductId, query, RingId, type RoutePlugin, Score, postRefs } from './common';
import { BadRequest } from '../guard';

const Status = T.Union(RING_STATUSES.map((s) => T.Literal(s)));
const SORT_FIELDS = { score: 'score', lastPostAt: 'lastPostAt', detectedAt: 'detectedAt' } as const;

const ListQuery = query({
  status: T.Optional(Status),
  minScore: T.Optional(Score),
  maxScore: T.Optional(Score),
  product: T.Optional(ProductId),
  platform: T.Optional(Platform),
  since: T.Optional(DateParam),
  until: T.Optional(DateParam),
  sort: T.Optional(T.Union([T.Literal('score'), T.Literal('lastPostAt'), T.Literal('detectedAt')], { default: 'score' })),
  order: T.Optional(OrderParam),
  limit: T.Optional(Limit),
  cursor: T.Optional(Cursor),
});

const ReviewBody = T.Object(
  {
    version: T.Integer({ minimum: 1, description: 'the version you based the edit on (from GET /api/rings/:id)' }),
    status: T.Optional(Status),
    reason: T.Optional(T.String({ maxLength: 2000 })),
    assignee: T.Optional(T.Union([T.String({ maxLength: 200 }), T.Null()])),
    note: T.Optional(T.String({ maxLength: 5000 })),
  },
  { additionalProperties: false },
);

export const ringRoutes: RoutePlugin = async (app, { services }) => {
  const { store } = services;
  const reviews = new RingReviews(store);

  app.get('/rings', { schema: { tags: ['rings'], summary: 'rings: filter by status, score, product, platform, activity dates', querystring: ListQuery } }, async (req) => {
    const q = req.query;
    const field = SORT_FIELDS[q.sort ?? 'score'];
    const order: Order = q.order ?? 'desc';
    const limit = q.limit ?? 50;
    const filters: Record<string, unknown>[] = [];
    if (q.status) filters.push({ status: q.status });
    if (q.minScore !== undefined || q.maxScore !== undefined) {
      filters.push({ score: { ...(q.minScore !== undefined ? { $gte: q.minScore } : {}), ...(q.maxScore !== undefined ? { $lte: q.maxScore } : {}) } });
    }
    if (q.product) filters.push({ products: q.product });
    if (q.platform) filters.push({ platforms: q.platform });
    const since = toDate(q.since, 'since', BadRequest);
    const until = toDate(q.until, 'until', BadRequest);
    if (since) filters.push({ lastPostAt: { $gte: since } });
    if (until) filters.push({ firstPostAt: { $lte: until } });
    const ks = keyset(field, order, q.cursor ? decodeCursor(q.cursor, field, order) : undefined);
    filters.push(ks.filter);
    const rows = await store.rings.find(and(...filters) as never, {
      projection: { strongestEdges: 0, notes: 0, evidencePosts: 0, indicators: 0 },
      sort: ks.sort,
      limit: limit + 1,
    });
    const page = pageOf(rows, limit, field, order);
    return {
      items: page.items.map(({ members, links, ...r }) => ({ ...r, memberCount: members.length, linkedCases: links.length })),
      nextCursor: page.nextCursor,
      productNames: await productNames(store, page.items.flatMap((r) => r.products)),
    };
  });

  app.get('/rings/:id', {
    schema: { tags: ['rings'], summary: 'one ring: members, evidence, timeline, graph, linked cases (their contents for policy and admin), review history', params: T.Object({ id: RingId }) },
  }, async (req) => {
    const report = await loadRingReport(store, req.params.id, { postRefs: postRefs(services) });
    // The full report (case texts, customers, orders) is a policy export (GET …/report, audited); analysts see which cases link.
    if (req.apiKey && ROLE_RANK[req.apiKey.role] >= ROLE_RANK.policy) return report;
    return { ...report, escalations: report.escalations.map(caseSummary) };
  });

  app.get('/rings/:id/audit', {
    schema: { tags: ['rings'], summary: "the ring's audit trail", params: T.Object({ id: RingId }) },
  }, async (req) => {
    const { id } = req.params;
    return { items: await store.audit.find({ target: `ring:${id}` }, { sort: { at: 1, _id: 1 } }) };
  });

  app.patch('/rings/:id/review', {
    config: { role: 'policy' },
    schema: {
      tags: ['review'],
      summary: 'review a ring: status new → in_review → confirmed | dismissed (reason required), notes, assignee; 409 when `version` is stale',
      params: T.Object({ id: RingId }),
      body: ReviewBody,
    },
  }, async (req, reply) => {
    try {
      const { ring, audit } = await reviews.apply(req.params.id, req.body, actorOf(req));
      return { ring, audit };
    } catch (err) {
      if (err instanceof ReviewError) {
        return reply.code(err.statusCode).send({ error: err.statusCode === 409 ? 'Conflict' : err.statusCode === 404 ? 'Not Found' : 'Bad Request', message: err.message, currentVersion: err.currentVersion });
      }
      throw err;
    }
  });
};

/** What an analyst sees of a linked case in a ring: when, where, what; no text, customer or order. */
function caseSummary(c: Escalation) {
  return { _id: c._id, openedAt: c.openedAt, week: c.week, region: c.region, channel: c.channel, product: c.product, category: c.category, status: c.status, abuseScore: c.abuseScore };
}
