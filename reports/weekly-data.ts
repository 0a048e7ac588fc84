// The numbers of the weekly executive report (read by queries/weekly-report.ts): KPIs
// of a week against the week before, 12-week trends, regions, top rings active that
// week and the most common patterns among abusive cases.
import type { KpiRow } from '../analysis/escalations/kpi';
import { isoWeek, isoWeekStart } from '../analysis/time';

export interface Headline {
  key: string;
  label: string;
  value: number | null;
  previous: number | null;
  kind: 'count' | 'rate' | 'score' | 'hours';
  /** True when a rise is bad news (colours the change). */
  higherIsWorse: boolean;
  /** The denominator behind a per-1,000 figure (orders this week and the week before), to flag small ones. */
  base?: { value: number | null; previous: number | null };
  /** A line under the figure (e.g. the case counts behind a share). */
  note?: string;
}

export interface WeeklyRing {
  _id: string;
  score: number;
  status: string;
  members: number;
  products: string[];
  linkedCases: number;
  firstPostAt: Date;
  lastPostAt: Date;
}

export interface WeeklyReportData {
  week: string;
  previousWeek: string;
  from: Date;
  to: Date;
  headline: Headline[];
  /** Up to 12 weeks ending with `week`. */
  weeks: string[];
  byWeek: KpiRow[];
  byWeekRegion: KpiRow[];
  regions: { region: string; row: KpiRow; previous: KpiRow | null }[];
  topRings: WeeklyRing[];
  newRings: number;
  ringStatus: Record<string, number>;
  /** Why the week has nothing to report (no cases in it), or null. */
  empty: string | null;
  /** Product id → catalogue name (or a readable candidate), for every product the report names. */
  productNames: Record<string, string>;
  patterns: { features: Counted[]; categories: Counted[]; products: Counted[]; channels: Counted[]; abusiveCases: number; threshold: number };
  generatedAt: Date;
}

export interface Counted {
  name: string;
  cases: number;
}

export const WEEK_MS = 7 * 86_400_000;

/** "New rings" of a week, here and on the dashboard: rings whose first post falls in the week. */
export function startedIn(ring: { firstPostAt: Date }, weekStart: Date): boolean {
  return ring.firstPostAt >= weekStart && ring.firstPostAt.getTime() < weekStart.getTime() + WEEK_MS;
}

/** The week reports are about by default: the latest with escalation cases (else the latest with any KPI row). */
export function reportWeek(rows: KpiRow[]): string | undefined {
  const withCases = rows.filter((r) => r.region === 'ALL' && r.week !== 'ALL' && r.escalations > 0).map((r) => r.week).sort();
  const known = rows.map((r) => r.week).filter((w) => w !== 'ALL').sort();
  return withCases[withCases.length - 1] ?? known[known.length - 1];
}

export function previousWeek(week: string): string {
  return isoWeek(new Date(isoWeekStart(week).getTime() - WEEK_MS));
}
