// End to end on the simulator's world: import its CSVs, train, score, KPIs against a
// brute-force computation over the raw rows.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWeek } from '../../../analysis/time';
import { runImportJob } from '../../../jobs/import';
import { computeKpis } from '../../../queries/kpi';
import { runEvaluate, runScore, runTrain } from '../../../jobs/model';
import { writeWorldFiles } from '../../../sim/files';
import { generateWorld, type World } from '../../../sim/world';
import { testStore } from '../../helpers/store';
import { jobContext } from '../../importers/helpers';

describe('abuse model and KPIs on the simulator world', () => {
  let store: Awaited<ReturnType<typeof testStore>>;
  let world: World;
  beforeAll(async () => {
    store = await testStore();
    world = generateWorld({ seed: 7, scale: (process.env.RINGWATCH_E2E_SCALE as 'small') ?? 'small' });
    const files = await writeWorldFiles(world, mkdtempSync(path.join(os.tmpdir(), 'ringwatch-sim-')));
    const ctx = jobContext(store);
    const e = await runImportJob(ctx, { what: 'escalations', file: files.escalations });
    const o = await runImportJob(ctx, { what: 'orders', file: files.orders });
    expect(e.rejected).toBe(0);
    expect(o.rejected).toBe(0);
  });
  afterAll(async () => store?.close());

  it('trains a calibrated model that beats the majority-class baseline on held-out weeks', async () => {
    const ctx = jobContext(store);
    const r = (await runTrain(ctx, {})) as unknown as Record<string, number>;
    expect(r.testCases).toBeGreaterThan(30);
    expect(r.rocAuc).toBeGreaterThan(0.7);
    expect(r.prAuc).toBeGreaterThan(r.baselinePrAuc + 0.15);
    expect(r.brier).toBeLessThan(r.baselineBrier);
    expect(r.accuracy).toBeGreaterThanOrEqual(r.baselineAccuracy);
    const m = await store.models.find({});
    expect(m).toHaveLength(1);
    expect(m[0].features).toContain('inr_first_attempt');
    expect(m[0].calibration.reduce((s, b) => s + b.count, 0)).toBe(r.testCases);

    const ev = await runEvaluate(ctx);
    expect(ev.rocAuc).toBeCloseTo(r.rocAuc, 6);

    const s = await runScore(ctx);
    expect(s.scored).toBe(world.escalations.length);
    const scored = await store.escalations.find({}, { limit: 50 });
    for (const c of scored) {
      expect(c.abuseScore).toBeGreaterThanOrEqual(0);
      expect(c.abuseScore).toBeLessThanOrEqual(1);
      expect(c.analysis).toBeDefined();
      expect(c.anomalyScore).toBeGreaterThanOrEqual(0);
      expect(c.modelId).toBe(m[0]._id);
    }
  });

  it('KPIs equal a brute-force computation over the raw rows', async () => {
    const rows = await computeKpis(store);
    const weeks = new Set(world.escalations.map((e) => isoWeek(new Date(e.opened_at))));
    for (const week of [...weeks].slice(0, 4)) {
      for (const region of ['UK', 'APAC', 'ALL']) {
        const inGroup = (r: string, t: string) => (region === 'ALL' || r === region) && isoWeek(new Date(t)) === week;
        const cases = world.escalations.filter((e) => inGroup(e.region, e.opened_at));
        const placed = world.orders.filter((o) => inGroup(o.region, o.ordered_at)).length;
        const delivered = world.orders.filter((o) => o.delivered_at && inGroup(o.region, o.delivered_at));
        const first = delivered.filter((o) => o.first_attempt_success).length;
        const row = rows.find((r) => r.week === week && r.region === region);
        if (cases.length === 0 && placed === 0 && delivered.length === 0) {
          expect(row).toBeUndefined();
          continue;
        }
        expect(row, `${week} ${region}`).toBeDefined();
        if (!row) continue;
        expect(row.escalations).toBe(cases.length);
        expect(row.orders).toBe(placed);
        expect(row.abusive).toBe(cases.filter((c) => c.abusive).length);
        expect(row.delivered).toBe(delivered.length);
        expect(row.ftds).toBe(delivered.length ? Math.round((first / delivered.length) * 1e4) / 1e4 : null);
        expect(row.escalationsPer1000Orders).toBe(placed ? Math.round(((cases.length * 1000) / placed) * 100) / 100 : null);
        const hours = cases.filter((c) => c.resolved_at).map((c) => (Date.parse(c.resolved_at) - Date.parse(c.opened_at)) / 3.6e6).sort((a, b) => a - b);
        const med = hours.length === 0 ? null : hours.length % 2 ? hours[(hours.length - 1) / 2] : (hours[hours.length / 2 - 1] + hours[hours.length / 2]) / 2;
        expect(row.medianResolutionHours).toBe(med === null ? null : Math.round(med * 100) / 100);
      }
    }
    const total = rows.find((r) => r.week === 'ALL' && r.region === 'ALL');
    expect(total?.escalations).toBe(world.escalations.length);
    expect(total?.orders).toBe(world.orders.length);
  });
});
