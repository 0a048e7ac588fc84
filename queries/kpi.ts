// Escalation KPIs per ISO week × region, streamed from the store with small
// projections and accumulated in TypeScript (portable to MongoDB and FerretDB).
import { toDate } from '../analysis/time';
import { type KpiDimension, KpiAccumulator, type KpiRow } from '../analysis/escalations/kpi';
import type { AbuseModelParams } from '../analysis/escalations/abuse-model';
import type { Store } from '../storage/store';
import { latestModel } from './cases';

export interface KpiParams {
  by?: KpiDimension[];
  /** Only cases opened and orders placed/delivered from this date (a Date, or an ISO date from the API). */
  since?: Date | string;
  format?: 'table' | 'csv' | 'json';
}

export async function computeKpis(store: Store, params: KpiParams = {}, progress?: (done: number, total?: number, message?: string) => void): Promise<KpiRow[]> {
  const model = await latestModel(store);
  const threshold = model ? ((model.params as unknown as AbuseModelParams).threshold ?? 0.5) : 0.5;
  const ringCaseIds = new Set<string>();
  for await (const r of store.rings.stream({ status: { $ne: 'dismissed' } }, { projection: { links: 1 } })) {
    for (const l of r.links ?? []) ringCaseIds.add(l.caseId);
  }
  const acc = new KpiAccumulator({ by: params.by, threshold, ringCaseIds });
  const since = toDate(params.since, 'since');
  const caseFilter = since ? { openedAt: { $gte: since } } : {};
  let n = 0;
  for await (const c of store.escalations.stream(caseFilter, {
    projection: { openedAt: 1, region: 1, product: 1, category: 1, abusive: 1, abuseScore: 1, resolvedAt: 1, 'analysis.sentiment': 1 },
  })) {
    acc.addCase({ ...c, sentiment: c.analysis?.sentiment });
    if (++n % 10_000 === 0) progress?.(n, undefined, 'cases');
  }
  const orderFilter = since ? { $or: [{ orderedAt: { $gte: since } }, { deliveredAt: { $gte: since } }] } : {};
  for await (const o of store.orders.stream(orderFilter, { projection: { region: 1, orderedAt: 1, deliveredAt: 1, firstAttemptSuccess: 1 } })) {
    // Placed before the window but delivered in it: counts for FTDS only.
    acc.addOrder(o, !since || o.orderedAt >= since);
    if (++n % 10_000 === 0) progress?.(n, undefined, 'orders');
  }
  return acc.rows();
}
