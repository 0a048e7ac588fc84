// The numbers behind the dashboard's overview and the KPI endpoint: KPIs come from
// the escalation analytics (jobs/kpi computeKpis), cached briefly because they scan
// every case and order.
import type { KpiDimension, KpiRow } from '../analysis/escalations/kpi';
import { isoWeek, isoWeekStart } from '../analysis/time';
import { publicRun } from '../jobs/runner';
import { computeKpis } from '../queries/kpi';
import { productNames } from '../queries/weekly-report';
import { previousWeek, reportWeek, startedIn } from '../reports/weekly-data';
import type { Store } from '../storage/store';
import { RING_STATUSES } from '../storage/types';

const TTL_MS = 30_000;

export class KpiCache {
  private cache = new Map<string, { at: number; rows: Promise<KpiRow[]> }>();
  constructor(private readonly store: Store) {}

  get(by: KpiDimension[] = ['week', 'region'], since?: Date): Promise<KpiRow[]> {
    const key = `${by.join(',')}|${since?.toISOString() ?? ''}`;
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.rows;
    const rows = computeKpis(this.store, { by, since });
    this.cache.set(key, { at: Date.now(), rows });
    rows.catch(() => this.cache.delete(key));
    return rows;
  }
}

export async function overview(store: Store, kpis: KpiCache, now = new Date()) {
  const rows = await kpis.get(['week', 'region']);
  const weeks = [...new Set(rows.map((r) => r.week).filter((w) => w !== 'ALL'))].sort().slice(-12);
  const weekSet = new Set(weeks);
  const byWeek = rows.filter((r) => r.region === 'ALL' && weekSet.has(r.week));
  const byWeekRegion = rows.filter((r) => r.region !== 'ALL' && weekSet.has(r.week));
  // The same week, and the same "new rings", as the weekly report (reports/weekly-data.ts).
  const week = reportWeek(rows);
  const latest = byWeek.find((r) => r.week === week) ?? null;
  const previous = week ? (byWeek.find((r) => r.week === previousWeek(week)) ?? null) : null;
  const from = isoWeekStart(week ?? isoWeek(now));
  const started = await store.rings.find(
    { firstPostAt: { $gte: from } },
    { projection: { _id: 1, score: 1, status: 1, products: 1, members: 1, detectedAt: 1, firstPostAt: 1 }, sort: { score: -1 } },
  );
  const newRings = started.filter((r) => startedIn(r, from));
  const statusCounts: Record<string, number> = {};
  for (const s of RING_STATUSES) statusCounts[s] = await store.rings.count({ status: s });
  const recentRuns = (await store.runs.find({}, { sort: { startedAt: -1 }, limit: 10 })).map(publicRun);
  let suspiciousAccounts = 0;
  for await (const s of store.scores.summaries()) if (s.ringId) suspiciousAccounts++;
  return {
    weeks,
    latest,
    previous,
    byWeek,
    byWeekRegion,
    newRingsWeek: week ?? null,
    newRingsCount: newRings.length,
    newRingsThisWeek: newRings.slice(0, 10).map(({ members, ...r }) => ({ ...r, memberCount: members.length })),
    productNames: await productNames(store, newRings.slice(0, 10).flatMap((r) => r.products)),
    ringStatus: statusCounts,
    suspiciousAccounts,
    recentRuns,
  };
}
