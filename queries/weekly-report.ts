// The weekly executive report's data read from the store: KPIs of a week against the
// week before (computeKpis), 12-week trends, regions, top rings active that week and
// the most common patterns among abusive cases. reports/weekly-html.ts renders it.
import type { KpiRow } from '../analysis/escalations/kpi';
import type { AbuseModelParams } from '../analysis/escalations/abuse-model';
import { isoWeek, isoWeekStart } from '../analysis/time';
import { productLabel } from '../reports/labels';
import { type Counted, type Headline, previousWeek, reportWeek, startedIn, WEEK_MS, type WeeklyReportData } from '../reports/weekly-data';
import type { Store } from '../storage/store';
import { latestModel } from './cases';
import { computeKpis } from './kpi';

/** Product id → the name people know it by, for the ids given. */
export async function productNames(store: Store, ids: string[]): Promise<Record<string, string>> {
  const unique = [...new Set(ids)];
  const catalogue = new Map((await store.products.getMany(unique)).map((p) => [p._id, p]));
  return Object.fromEntries(unique.map((id) => [id, productLabel(id, catalogue)]));
}

function top(counts: Map<string, number>, k: number): Counted[] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k).map(([name, cases]) => ({ name, cases }));
}

export async function loadWeeklyReport(store: Store, opts: { week?: string } = {}): Promise<WeeklyReportData> {
  const rows = await computeKpis(store, { by: ['week', 'region'] });
  const known = [...new Set(rows.map((r) => r.week).filter((w) => w !== 'ALL'))].sort();
  const withCases = rows.filter((r) => r.region === 'ALL' && r.week !== 'ALL' && r.escalations > 0).map((r) => r.week).sort();
  const week = opts.week ?? reportWeek(rows) ?? isoWeek(new Date());
  isoWeekStart(week); // throws a clear error on anything that is not an ISO week
  const prev = previousWeek(week);
  const weeks = known.filter((w) => w <= week).slice(-12);
  if (!weeks.includes(week)) weeks.push(week);
  const weekSet = new Set(weeks);
  const row = (w: string, region = 'ALL') => rows.find((r) => r.week === w && r.region === region) ?? null;
  const cur = row(week);
  const before = row(prev);
  const from = isoWeekStart(week);
  const to = new Date(from.getTime() + WEEK_MS);

  const ringsActive = await store.rings.find(
    { firstPostAt: { $lt: to }, lastPostAt: { $gte: from } },
    { projection: { _id: 1, score: 1, status: 1, members: 1, products: 1, links: 1, firstPostAt: 1, lastPostAt: 1 }, sort: { score: -1 } },
  );
  const newRings = ringsActive.filter((r) => startedIn(r, from)).length;
  const ringStatus: Record<string, number> = {};
  for (const r of ringsActive) ringStatus[r.status] = (ringStatus[r.status] ?? 0) + 1;

  const model = await latestModel(store);
  const threshold = model ? ((model.params as unknown as AbuseModelParams).threshold ?? 0.5) : 0.5;
  const features = new Map<string, number>();
  const categories = new Map<string, number>();
  const products = new Map<string, number>();
  const channels = new Map<string, number>();
  let abusiveCases = 0;
  for await (const c of store.escalations.stream(
    { week },
    { projection: { abusive: 1, abuseScore: 1, abuseTopFeatures: 1, category: 1, product: 1, channel: 1 } },
  )) {
    const abusive = c.abusive ?? (c.abuseScore !== undefined ? c.abuseScore >= threshold : false);
    if (!abusive) continue;
    abusiveCases++;
    for (const f of c.abuseTopFeatures ?? []) if (f.contribution > 0) features.set(f.feature, (features.get(f.feature) ?? 0) + 1);
    if (c.category) categories.set(c.category, (categories.get(c.category) ?? 0) + 1);
    if (c.product) products.set(c.product, (products.get(c.product) ?? 0) + 1);
    if (c.channel) channels.set(c.channel, (channels.get(c.channel) ?? 0) + 1);
  }

  const h = (key: keyof KpiRow, label: string, kind: Headline['kind'], higherIsWorse: boolean): Headline => ({
    key,
    label,
    value: (cur?.[key] as number | null) ?? null,
    previous: (before?.[key] as number | null) ?? null,
    kind,
    higherIsWorse,
  });
  const prevRingsNew = (await store.rings.find({ firstPostAt: { $gte: isoWeekStart(prev), $lt: from } }, { projection: { _id: 1 } })).length;
  const headline: Headline[] = [
    h('escalations', 'Escalations', 'count', true),
    { ...h('escalationsPer1000Orders', 'Escalations per 1,000 orders', 'count', true), base: { value: cur?.orders ?? null, previous: before?.orders ?? null } },
    { ...h('abuseRate', 'Abusive share of cases', 'rate', true), note: cur ? `${cur.abusive} of ${cur.assessed} assessed cases` : undefined },
    h('ftds', 'First-time delivery success', 'rate', false),
    h('meanSentiment', 'Mean case sentiment (−1 … 1)', 'score', false),
    h('medianResolutionHours', 'Median resolution (hours)', 'hours', true),
    h('ringLinkedCases', 'Cases linked to review rings', 'count', true),
    { key: 'newRings', label: 'New review rings', value: newRings, previous: prevRingsNew, kind: 'count', higherIsWorse: true },
  ];
  const empty =
    cur && cur.escalations > 0
      ? null
      : `no escalation cases were opened in ${week}${withCases.length ? ` (cases cover ${withCases[0]} to ${withCases[withCases.length - 1]})` : ' (no cases imported yet)'}`;
  const regions = rows
    .filter((r) => r.week === week && r.region !== 'ALL')
    .map((r) => ({ region: r.region, row: r, previous: row(prev, r.region) }));
  return {
    week,
    previousWeek: prev,
    from,
    to,
    headline,
    weeks,
    byWeek: weeks.map((w) => row(w)).filter((r): r is KpiRow => r !== null),
    byWeekRegion: rows.filter((r) => weekSet.has(r.week) && r.region !== 'ALL'),
    regions,
    topRings: ringsActive.slice(0, 10).map((r) => ({
      _id: r._id, score: r.score, status: r.status, members: r.members.length, products: r.products, linkedCases: r.links.length, firstPostAt: r.firstPostAt, lastPostAt: r.lastPostAt,
    })),
    newRings,
    ringStatus,
    empty,
    productNames: await productNames(store, [...ringsActive.slice(0, 10).flatMap((r) => r.products), ...products.keys()]),
    patterns: { features: top(features, 8), categories: top(categories, 8), products: top(products, 8), channels: top(channels, 5), abusiveCases, threshold },
    generatedAt: new Date(),
  };
}
