import { describe, expect, it } from 'vitest';
import { KpiAccumulator, kpiCsv, kpiTable } from '../../../analysis/escalations/kpi';

const d = (s: string) => new Date(`${s}T12:00:00Z`);

describe('KPI accumulator on a hand-computed fixture', () => {
  const acc = new KpiAccumulator({ threshold: 0.5, ringCaseIds: new Set(['c3']) });
  // 2026-W10 = Mar 2–8, 2026-W11 = Mar 9–15.
  acc.addCase({ _id: 'c1', openedAt: d('2026-03-02'), region: 'UK', product: 'P1', category: 'Audio', abusive: true, resolvedAt: new Date('2026-03-02T22:00:00Z'), sentiment: -0.5 });
  acc.addCase({ _id: 'c2', openedAt: d('2026-03-03'), region: 'UK', product: 'P1', category: 'Audio', abuseScore: 0.2, resolvedAt: new Date('2026-03-04T12:00:00Z'), sentiment: 0.1 });
  acc.addCase({ _id: 'c3', openedAt: d('2026-03-04'), region: 'UK', product: 'P2', category: 'Home', abuseScore: 0.7 });
  acc.addCase({ _id: 'c4', openedAt: d('2026-03-10'), region: 'APAC', product: 'P2' });
  acc.addOrder({ region: 'UK', orderedAt: d('2026-03-01'), deliveredAt: d('2026-03-03'), firstAttemptSuccess: true }); // W09 placed, W10 delivered
  acc.addOrder({ region: 'UK', orderedAt: d('2026-03-02'), deliveredAt: d('2026-03-05'), firstAttemptSuccess: false });
  acc.addOrder({ region: 'UK', orderedAt: d('2026-03-03') });
  acc.addOrder({ region: 'UK', orderedAt: d('2026-03-03'), deliveredAt: d('2026-03-04'), firstAttemptSuccess: true });
  const rows = acc.rows();
  const row = (w: string, r: string) => rows.find((x) => x.week === w && x.region === r);

  it('computes volume, rates, FTDS, sentiment, resolution, top products, ring links', () => {
    expect(row('2026-W10', 'UK')).toEqual({
      week: '2026-W10', region: 'UK', escalations: 3, orders: 3, escalationsPer1000Orders: 1000,
      assessed: 3, abusive: 2, abuseRate: 0.6667, delivered: 3, deliveredFirstAttempt: 2, ftds: 0.6667,
      meanSentiment: -0.2, medianResolutionHours: 17, topProducts: 'P1 (2); P2 (1)', topCategories: 'Audio (2); Home (1)', ringLinkedCases: 1,
    });
  });
  it('a week with no orders or deliveries has null rates, not a division by zero', () => {
    const apac = row('2026-W11', 'APAC');
    expect(apac).toMatchObject({ escalations: 1, orders: 0, escalationsPer1000Orders: null, assessed: 0, abuseRate: null, ftds: null, meanSentiment: null, medianResolutionHours: null });
    expect(row('2026-W09', 'UK')).toMatchObject({ escalations: 0, orders: 1, escalationsPer1000Orders: 0, delivered: 0, ftds: null });
  });
  it('adds overall rows per week, per region and in total', () => {
    expect(row('2026-W10', 'ALL')?.escalations).toBe(3);
    expect(row('ALL', 'UK')).toMatchObject({ escalations: 3, orders: 4, delivered: 3 });
    expect(row('ALL', 'ALL')).toMatchObject({ escalations: 4, orders: 4 });
    expect(rows[rows.length - 1]).toMatchObject({ week: 'ALL', region: 'ALL' });
  });
  it('renders CSV with empty cells for undefined values, and a table', () => {
    const csv = kpiCsv(rows).split('\n');
    expect(csv[0]).toMatch(/^week,region,escalations,orders,escalations_per_1000_orders,/);
    expect(csv.find((l) => l.startsWith('2026-W11,APAC'))).toMatch(/^2026-W11,APAC,1,0,,0,0,,0,0,,,,P2 \(1\),,0$/);
    expect(kpiTable(rows).split('\n')[0]).toMatch(/^week\s+region\s+cases/);
  });
});
