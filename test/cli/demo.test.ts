// `npm start` end to end: the demo on a fresh data dir, against the simulator and
// a store of its own, must finish every stage, find the planted rings and write
// the reports.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

describe('ringwatch demo --no-serve', () => {
  it('runs the whole pipeline and exits 0', { timeout: 600_000 }, () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-demo-'));
    const env: NodeJS.ProcessEnv = { ...process.env, RINGWATCH_DATA: dataDir, RINGWATCH_LOG_LEVEL: 'warn' };
    delete env.MONGODB_URI;
    const r = spawnSync(process.execPath, [path.resolve('bin/ringwatch.mjs'), '--json', 'demo', '--no-serve', '--seed', '3'], {
      encoding: 'utf8',
      cwd: dataDir,
      env,
      timeout: 590_000,
    });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(r.stdout) as { stages: { stage: string; status: string; summary: string }[]; reports: string[] };
    const byName = Object.fromEntries(out.stages.map((s) => [s.stage, s]));
    for (const stage of ['simulator', 'catalogue', 'crawl', 'import', 'enrich', 'detect', 'model', 'kpi', 'evaluate', 'reports']) {
      expect(byName[stage]?.status, `${stage}: ${byName[stage]?.summary}`).toBe('done');
    }
    expect(byName.crawl.summary).toMatch(/rateLimited 0/);
    expect(byName.detect.summary).toMatch(/rings [1-9]/);
    const auc = Number(/ROC AUC ([0-9.]+)/.exec(byName.evaluate.summary)?.[1]);
    expect(auc).toBeGreaterThan(0.9);
    expect(out.reports.some((f) => f.endsWith('.pdf'))).toBe(true);
    for (const f of out.reports) {
      expect(existsSync(f)).toBe(true);
      expect(f.startsWith(dataDir)).toBe(true);
    }
  });
});
