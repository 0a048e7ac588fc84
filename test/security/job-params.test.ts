// Job parameters (issue 14.3): every startable job declares a schema; POST /api/jobs and
// the CLI refuse bad params with the reason before anything runs; report paths stay in
// reports.outDir (no "..", no other absolute path, no symlink out of it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { importJob } from '../../jobs/import';
import { checkJobParams } from '../../jobs/params';
import { runJob } from '../../jobs/runner';
import { queueFor, queueNames } from '../../jobs/distributed/queues';
import { jobRegistry } from '../../jobs/registry';
import { useServedWorld } from '../server/world';

let outDir: string;
let outside: string;
const served = useServedWorld({
  before(w) {
    outDir = w.store.config.reports.outDir;
    mkdirSync(outDir, { recursive: true });
    outside = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-outside-'));
    symlinkSync(outside, path.join(outDir, 'escape'));
  },
});

async function start(job: string, params: unknown) {
  const res = await fetch(`${served.base}/api/jobs`, { method: 'POST', headers: { 'x-api-key': served.w.keys.admin, 'content-type': 'application/json' }, body: JSON.stringify({ job, params }) });
  return { status: res.status, json: (await res.json()) as { message?: string; runId?: string } };
}

describe('job params', () => {
  it('every job the API or a schedule can start declares a params schema', () => {
    for (const [name, job] of Object.entries(jobRegistry())) expect(job.params, name).toBeDefined();
  });

  it('every job declares the queue that runs it on workers, or the jobs it runs as there', () => {
    const registry = jobRegistry();
    for (const [name, job] of Object.entries(registry)) {
      expect(Boolean(job.queue) !== Boolean(job.parts), `${name}: a queue or parts, not both`).toBe(true);
      for (const part of job.parts?.() ?? []) expect(registry[part]?.queue, `${name} → ${part}`).toBeTruthy();
    }
    expect(queueNames()).toEqual(['crawl-reddit', 'crawl-twitter', 'crawl-web', 'enrich', 'detect', 'reports']);
    expect([queueFor('crawl:twitter'), queueFor('model:score'), queueFor('report:weekly'), queueFor('kpi')]).toEqual(['crawl-twitter', 'detect', 'reports', 'reports']);
    expect(() => queueFor('crawl:all')).toThrow('no queue for job "crawl:all": it runs as crawl:reddit, crawl:twitter or crawl:web');
    expect(() => queueFor('crawl:myspace')).toThrow(/no queue for job "crawl:myspace" \(queues: crawl-reddit, /);
  });

  it('ringwatch enqueue checks the params against the job\'s schema before touching Redis', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-cli-enqueue-'));
    const r = spawnSync(process.execPath, [path.resolve('bin/ringwatch.mjs'), 'enqueue', 'detect', '--params', '{"window":"banana"}'], {
      encoding: 'utf8', cwd: dataDir, env: { ...process.env, RINGWATCH_DATA: dataDir, RINGWATCH_LOG_LEVEL: 'warn', REDIS_URL: 'redis://127.0.0.1:1' }, timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/detect: params\.window: .*\(a duration such as 72h, 30m, 7d\)/);
  }, 130_000);

  it.each([
    ['report:weekly', { out: '../../server/public/x.html' }, /params?.*out.*"\.\."|out "\.\.\/\.\.\/server\/public\/x\.html" contains "\.\."/],
    ['report:weekly', { out: path.join(process.cwd(), 'server/public/x.html') }, /out ".*" is outside reports\.outDir/],
    ['report:weekly', { outDir: '/tmp' }, /outDir "\/tmp" is outside reports\.outDir/],
    ['report:weekly', { out: 'escape/x.html' }, /leads out of reports\.outDir through a symbolic link/],
    ['report:weekly', { out: 'x.exe' }, /params\.out: .*\.html or \.pdf/],
    ['enrich', { workers: 1000 }, /enrich: params\.workers: expected integer to be less or equal to \d+/],
    ['detect', { window: 'banana' }, /detect: params\.window: .*\(a duration such as 72h, 30m, 7d\)/],
    ['detect', { windw: '72h' }, /detect: params\.windw: unexpected property/],
    ['kpi', { since: 'last tuesday' }, /kpi: params\.since/],
  ])('POST /api/jobs %s %j → 400 with the reason; nothing runs', async (job, params, message) => {
    const before = await served.w.store.runs.count({});
    const r = await start(job, params);
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(message);
    expect(await served.w.store.runs.count({})).toBe(before);
  });

  it('writes a report named inside reports.outDir there, and nothing in the dashboard or outside', async () => {
    const r = await start('report:weekly', { out: 'weekly-api.html' });
    expect(r.status).toBe(202);
    let run = await served.w.store.runs.get(r.json.runId as string);
    for (let i = 0; i < 300 && run?.status === 'running'; i++) {
      await new Promise((res) => setTimeout(res, 100));
      run = await served.w.store.runs.get(r.json.runId as string);
    }
    expect(run?.status, run?.error).toBe('succeeded');
    expect(existsSync(path.join(outDir, 'weekly-api.html'))).toBe(true);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(path.resolve('server/public/x.html'))).toBe(false);
  }, 60_000);

  it('lets the operator at the CLI write a report anywhere, but still checks the schema', () => {
    const job = jobRegistry()['report:weekly'];
    const file = path.join(outside, 'mine.html');
    expect(checkJobParams(job, { out: file }, { config: served.w.store.config, trigger: 'cli' })).toEqual({ out: file });
    expect(() => checkJobParams(job, { out: file }, { config: served.w.store.config, trigger: 'schedule' })).toThrow(/outside reports\.outDir/);
    expect(() => checkJobParams(job, { week: 'soon' }, { config: served.w.store.config, trigger: 'cli' })).toThrow(/params\.week: .*2026-W47/);
  });

  it('ringwatch detect --window banana exits 2 naming the parameter', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-cli-params-'));
    const r = spawnSync(process.execPath, [path.resolve('bin/ringwatch.mjs'), 'detect', '--window', 'banana'], {
      encoding: 'utf8', cwd: dataDir, env: { ...process.env, RINGWATCH_DATA: dataDir, RINGWATCH_LOG_LEVEL: 'warn' }, timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/detect: params\.window: .*a duration such as 72h/);
  }, 130_000);

  it('never stores or serves a SQL URL’s password in the run record', async () => {
    const { store } = served.w;
    const sql = 'postgresql://alice:s3cr%40t@127.0.0.1:1/warehouse';
    await expect(runJob(store, store.config, importJob, { what: 'escalations', sql, query: 'select 1' }, { trigger: 'cli', log: pino({ level: 'silent' }), runId: 'import-secret' })).rejects.toThrow();
    const run = await store.runs.get('import-secret');
    expect(run?.params.sql).toBe('postgresql://alice:***@127.0.0.1:1/warehouse');
    const res = await fetch(`${served.base}/api/runs?job=import`, { headers: { 'x-api-key': served.w.keys.analyst } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('import-secret');
    expect(body).not.toContain('s3cr');
    // A record an older version stored with the password is served without it.
    await store.runs.upsertMany([{ _id: 'import-old', job: 'import', params: { what: 'orders', sql: 'postgresql://bob:hunter2@db:5432/x', query: 'select 1' }, status: 'failed', trigger: 'cli', startedAt: new Date(), stats: {} }]);
    for (const url of ['/api/runs?job=import', '/api/jobs/import-old', '/api/overview']) {
      const r = await fetch(`${served.base}${url}`, { headers: { 'x-api-key': served.w.keys.analyst } });
      const text = await r.text();
      expect(r.status, url).toBe(200);
      expect(text, url).toContain('bob:***@db');
      expect(text, url).not.toContain('hunter2');
    }
  });

  it('ringwatch detect takes --labels and --co-share-window (both in the job\'s schema)', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-cli-params-'));
    const labels = path.join(dataDir, 'labels.csv');
    writeFileSync(labels, 'account,label\nx:a,1\n');
    const r = spawnSync(process.execPath, [path.resolve('bin/ringwatch.mjs'), '--json', 'detect', '--labels', labels, '--co-share-window', '30s'], {
      encoding: 'utf8', cwd: dataDir, env: { ...process.env, RINGWATCH_DATA: dataDir, RINGWATCH_LOG_LEVEL: 'warn' }, timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ posts: 0, coShareWindowSeconds: 30, learnedScores: 0 });
  }, 130_000);
});
