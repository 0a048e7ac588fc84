// The `kpi` job: escalation KPIs per ISO week × region (queries/kpi.ts), as a table, CSV or JSON.
import { type KpiRow, kpiCsv, kpiTable } from '../analysis/escalations/kpi';
import { computeKpis, type KpiParams } from '../queries/kpi';
import { Type as T } from '@sinclair/typebox';
import { DateLike, paramsSchema } from './params';
import type { Job } from './types';

export function formatKpis(rows: KpiRow[], format: KpiParams['format'] = 'table'): string {
  if (format === 'csv') return kpiCsv(rows);
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  return `${kpiTable(rows)}\n`;
}

export const kpiJob: Job<KpiParams, { rows: number; kpis: KpiRow[] }> = {
  name: 'kpi',
  queue: 'reports',
  description: 'Escalation KPIs per ISO week and region: volume, per 1,000 orders, abuse rate, FTDS, sentiment, resolution time',
  params: paramsSchema({
    by: T.Optional(T.Array(T.Union([T.Literal('week'), T.Literal('region')]), { maxItems: 2, uniqueItems: true })),
    since: T.Optional(DateLike),
    format: T.Optional(T.Union([T.Literal('table'), T.Literal('csv'), T.Literal('json')])),
  }),
  run: async (ctx, params) => {
    const kpis = await computeKpis(ctx.store, params ?? {}, ctx.progress);
    return { rows: kpis.length, kpis };
  },
};
