// Escalation cases and their links to rings.
import { Type as T } from '@sinclair/typebox';
import { and, decodeCursor, keyset, pageOf } from '../pagination';
import { Cursor, DocId, Limit, ProductId, query, RingId, type RoutePlugin, Score, Week, weekParam } from './common';

export const escalationRoutes: RoutePlugin = async (app, { services }) => {
  const { store } = services;
  app.get('/escalations', {
    schema: {
      tags: ['escalations'],
      summary: 'escalation cases, newest first; filter by region, week, product, ring links, abuse score',
      querystring: query({
        region: T.Optional(T.String({ pattern: '^[A-Za-z][A-Za-z0-9 _-]{0,39}$' })),
        week: T.Optional(Week),
        product: T.Optional(ProductId),
        ring: T.Optional(RingId),
        linked: T.Optional(T.Boolean({ description: 'only cases linked to a ring' })),
        minAbuse: T.Optional(Score),
        limit: T.Optional(Limit),
        cursor: T.Optional(Cursor),
      }),
    },
  }, async (req, reply) => {
    const q = req.query;
    const limit = q.limit ?? 50;
    const filters: Record<string, unknown>[] = [];
    if (q.region) filters.push({ region: q.region });
    if (q.week) filters.push({ week: weekParam(q.week) });
    if (q.product) filters.push({ product: q.product });
    if (q.minAbuse !== undefined) filters.push({ abuseScore: { $gte: q.minAbuse } });
    if (q.ring) {
      const [ring] = await store.rings.find({ _id: q.ring }, { projection: { links: 1 } });
      if (!ring) return reply.code(404).send({ error: 'Not Found', message: `no ring ${q.ring}` });
      filters.push({ _id: { $in: ring.links.map((l) => l.caseId) } });
    }
    if (q.linked) {
      const ids = new Set<string>();
      for await (const r of store.rings.stream({}, { projection: { links: 1 } })) for (const l of r.links ?? []) ids.add(l.caseId);
      filters.push({ _id: { $in: [...ids] } });
    }
    const ks = keyset('openedAt', 'desc', q.cursor ? decodeCursor(q.cursor, 'openedAt', 'desc') : undefined);
    filters.push(ks.filter);
    const rows = await store.escalations.find(and(...filters) as never, { sort: ks.sort, limit: limit + 1 });
    return pageOf(rows, limit, 'openedAt', 'desc');
  });

  app.get('/escalations/:id', {
    schema: { tags: ['escalations'], summary: 'one case with the rings linked to it and why', params: T.Object({ id: DocId }) },
  }, async (req, reply) => {
    const { id } = req.params;
    const escalation = await store.escalations.get(id);
    if (!escalation) return reply.code(404).send({ error: 'Not Found', message: `no escalation case ${id}` });
    const rings = await store.rings.find({ 'links.caseId': id }, { projection: { _id: 1, score: 1, status: 1, products: 1, links: 1 } });
    return {
      escalation,
      rings: rings.map((r) => ({ _id: r._id, score: r.score, status: r.status, products: r.products, link: r.links.find((l) => l.caseId === id) })),
    };
  });
};
