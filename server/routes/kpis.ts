// KPIs per ISO week × region and the overview the dashboard opens with.
import { toDate } from '../../analysis/time';
import { Type as T } from '@sinclair/typebox';
import type { KpiDimension } from '../../analysis/escalations/kpi';
import { BadRequest } from '../guard';
import { KpiCache, overview } from '../overview';
import { DateParam, query, type RoutePlugin } from './common';

export const kpiRoutes: RoutePlugin = async (app, { services }) => {
  const cache = new KpiCache(services.store);
  app.get('/kpis', {
    schema: {
      tags: ['kpis'],
      summary: 'escalation KPIs (volume, per 1,000 orders, abuse rate, FTDS, sentiment, resolution time) per week × region',
      querystring: query({
        by: T.Optional(T.String({ pattern: '^(week|region)(,(week|region))?$', default: 'week,region', description: 'week, region or week,region' })),
        since: T.Optional(DateParam),
      }),
    },
  }, async (req) => {
    const q = req.query;
    const by = [...new Set((q.by ?? 'week,region').split(','))] as KpiDimension[];
    if (by.length === 0) throw new BadRequest('by must name week and/or region');
    return { items: await cache.get(by, toDate(q.since, 'since', BadRequest)) };
  });
  app.get('/overview', { schema: { tags: ['kpis'], summary: 'dashboard overview: KPIs by week and region, new rings this week, ring status counts, recent job runs' } }, async () =>
    overview(services.store, cache),
  );
};
