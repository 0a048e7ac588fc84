// Escalation KPIs per ISO week × region (plus "ALL" rows), accumulated from streamed
// cases and orders in TypeScript: medians and top-k lists are outside the aggregation
// subset FerretDB runs (DESIGN.md §3), and one pass over a projection is cheap.
import { stringify } from 'csv-stringify/sync';
import { isoWeek } from '../time';
import { median } from './anomaly';

export interface KpiCase {
  _id: string;
  openedAt: Date;
  region: string;
  product?: string;
  category?: string;
  abusive?: boolean;
  abuseScore?: number;
  resolvedAt?: Date;
  sentiment?: number;
}

export interface KpiOrder {
  region: string;
  orderedAt: Date;
  deliveredAt?: Date;
  firstAttemptSuccess?: boolean;
}

export type KpiDimension = 'week' | 'region';

export interface KpiRow {
  week: string;
  region: string;
  escalations: number;
  /** Orders placed in the week. */
  orders: number;
  escalationsPer1000Orders: number | null;
  /** Cases with a label or a model score. */
  assessed: number;
  abusive: number;
  abuseRate: number | null;
  /** Orders delivered in the week (by delivery date). */
  delivered: number;
  deliveredFirstAttempt: number;
  /** First Time Delivery Success = delivered on the first attempt / delivered. */
  ftds: number | null;
  meanSentiment: number | null;
  medianResolutionHours: number | null;
  topProducts: string;
  topCategories: string;
  ringLinkedCases: number;
}

interface Acc {
  escalations: number;
  orders: number;
  assessed: number;
  abusive: number;
  delivered: number;
  firstAttempt: number;
  sentimentSum: number;
  sentimentN: number;
  resolutionHours: number[];
  products: Map<string, number>;
  categories: Map<string, number>;
  ringLinked: number;
}

const ALL = 'ALL';

function emptyAcc(): Acc {
  return {
    escalations: 0, orders: 0, assessed: 0, abusive: 0, delivered: 0, firstAttempt: 0, sentimentSum: 0, sentimentN: 0,
    resolutionHours: [], products: new Map(), categories: new Map(), ringLinked: 0,
  };
}

export interface KpiOptions {
  by?: KpiDimension[];
  /** Score at or above which an unlabelled case counts as abusive. */
  threshold?: number;
  ringCaseIds?: ReadonlySet<string>;
  topK?: number;
}

/** Accumulates cases and orders; `rows()` gives one row per group, then totals. */
export class KpiAccumulator {
  private groups = new Map<string, Acc>();
  private readonly by: KpiDimension[];
  private readonly threshold: number;
  private readonly ringCaseIds: ReadonlySet<string>;
  private readonly topK: number;

  constructor(opts: KpiOptions = {}) {
    this.by = opts.by ?? ['week', 'region'];
    this.threshold = opts.threshold ?? 0.5;
    this.ringCaseIds = opts.ringCaseIds ?? new Set();
    this.topK = opts.topK ?? 3;
  }

  /** Keys this record contributes to: its own group, its week over all regions, its region over all weeks, the grand total. */
  private keys(week: string, region: string): string[] {
    const w = this.by.includes('week') ? week : ALL;
    const r = this.by.includes('region') ? region : ALL;
    const keys = new Set([`${w}|${r}`, `${w}|${ALL}`, `${ALL}|${r}`, `${ALL}|${ALL}`]);
    return [...keys];
  }

  private acc(key: string): Acc {
    let a = this.groups.get(key);
    if (!a) {
      a = emptyAcc();
      this.groups.set(key, a);
    }
    return a;
  }

  addCase(c: KpiCase): void {
    const label = c.abusive ?? (c.abuseScore !== undefined ? c.abuseScore >= this.threshold : undefined);
    for (const key of this.keys(isoWeek(c.openedAt), c.region)) {
      const a = this.acc(key);
      a.escalations++;
      if (label !== undefined) {
        a.assessed++;
        if (label) a.abusive++;
      }
      if (typeof c.sentiment === 'number' && Number.isFinite(c.sentiment)) {
        a.sentimentSum += c.sentiment;
        a.sentimentN++;
      }
      if (c.resolvedAt) a.resolutionHours.push((c.resolvedAt.getTime() - c.openedAt.getTime()) / 3_600_000);
      if (c.product) a.products.set(c.product, (a.products.get(c.product) ?? 0) + 1);
      if (c.category) a.categories.set(c.category, (a.categories.get(c.category) ?? 0) + 1);
      if (this.ringCaseIds.has(c._id)) a.ringLinked++;
    }
  }

  /** `placed: false` counts the order for deliveries only (placed before the reporting window). */
  addOrder(o: KpiOrder, placed = true): void {
    if (placed) for (const key of this.keys(isoWeek(o.orderedAt), o.region)) this.acc(key).orders++;
    if (o.deliveredAt) {
      for (const key of this.keys(isoWeek(o.deliveredAt), o.region)) {
        const a = this.acc(key);
        a.delivered++;
        if (o.firstAttemptSuccess === true) a.firstAttempt++;
      }
    }
  }

  rows(): KpiRow[] {
    const out: KpiRow[] = [];
    for (const [key, a] of this.groups) {
      const [week, region] = key.split('|');
      out.push({
        week,
        region,
        escalations: a.escalations,
        orders: a.orders,
        escalationsPer1000Orders: a.orders > 0 ? round((a.escalations * 1000) / a.orders, 2) : null,
        assessed: a.assessed,
        abusive: a.abusive,
        abuseRate: a.assessed > 0 ? round(a.abusive / a.assessed, 4) : null,
        delivered: a.delivered,
        deliveredFirstAttempt: a.firstAttempt,
        ftds: a.delivered > 0 ? round(a.firstAttempt / a.delivered, 4) : null,
        meanSentiment: a.sentimentN > 0 ? round(a.sentimentSum / a.sentimentN, 4) : null,
        medianResolutionHours: a.resolutionHours.length > 0 ? round(median(a.resolutionHours), 2) : null,
        topProducts: topK(a.products, this.topK),
        topCategories: topK(a.categories, this.topK),
        ringLinkedCases: a.ringLinked,
      });
    }
    // Weeks ascending with ALL last; regions alphabetically with ALL last.
    const ord = (s: string) => (s === ALL ? '\uffff' : s);
    return out.sort((x, y) => (ord(x.week) < ord(y.week) ? -1 : ord(x.week) > ord(y.week) ? 1 : ord(x.region) < ord(y.region) ? -1 : ord(x.region) > ord(y.region) ? 1 : 0));
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function topK(counts: Map<string, number>, k: number): string {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, k)
    .map(([name, n]) => `${name} (${n})`)
    .join('; ');
}

export const KPI_COLUMNS: (keyof KpiRow)[] = [
  'week', 'region', 'escalations', 'orders', 'escalationsPer1000Orders', 'assessed', 'abusive', 'abuseRate', 'delivered',
  'deliveredFirstAttempt', 'ftds', 'meanSentiment', 'medianResolutionHours', 'topProducts', 'topCategories', 'ringLinkedCases',
];

const CSV_NAMES: Record<keyof KpiRow, string> = {
  week: 'week', region: 'region', escalations: 'escalations', orders: 'orders', escalationsPer1000Orders: 'escalations_per_1000_orders',
  assessed: 'assessed', abusive: 'abusive', abuseRate: 'abuse_rate', delivered: 'delivered', deliveredFirstAttempt: 'delivered_first_attempt',
  ftds: 'ftds', meanSentiment: 'mean_sentiment', medianResolutionHours: 'median_resolution_hours', topProducts: 'top_products',
  topCategories: 'top_categories', ringLinkedCases: 'ring_linked_cases',
};

/** CSV for BI tools: snake_case header, empty cell for "not defined" (no orders, no deliveries). */
export function kpiCsv(rows: readonly KpiRow[]): string {
  return stringify([KPI_COLUMNS.map((c) => CSV_NAMES[c]), ...rows.map((r) => KPI_COLUMNS.map((c) => r[c] ?? ''))]);
}

/** A fixed-width text table of the headline columns. */
export function kpiTable(rows: readonly KpiRow[]): string {
  const cols: [keyof KpiRow, string][] = [
    ['week', 'week'], ['region', 'region'], ['escalations', 'cases'], ['escalationsPer1000Orders', 'per 1k orders'], ['abuseRate', 'abuse'],
    ['ftds', 'FTDS'], ['meanSentiment', 'sentiment'], ['medianResolutionHours', 'median h'], ['ringLinkedCases', 'ring cases'], ['topProducts', 'top products'],
  ];
  const fmt = (r: KpiRow, c: keyof KpiRow): string => {
    const v = r[c];
    if (v === null || v === undefined) return '–';
    if (c === 'abuseRate' || c === 'ftds') return `${((v as number) * 100).toFixed(1)}%`;
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
    return String(v);
  };
  const cells = [cols.map(([, h]) => h), ...rows.map((r) => cols.map(([c]) => fmt(r, c)))];
  const widths = cols.map((_, j) => Math.max(...cells.map((row) => row[j].length)));
  return cells.map((row) => row.map((v, j) => (j === row.length - 1 ? v : v.padEnd(widths[j]))).join('  ').trimEnd()).join('\n');
}
