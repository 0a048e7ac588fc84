// The `ringwatch` command as a user runs it: a real process, real exit codes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/ringwatch.mjs');

function ringwatch(args: string[], env: Record<string, string> = {}) {
  const dataDir = env.RINGWATCH_DATA ?? mkdtempSync(path.join(os.tmpdir(), 'ringwatch-cli-'));
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: dataDir,
    env: { ...process.env, RINGWATCH_DATA: dataDir, RINGWATCH_LOG_LEVEL: 'warn', ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ringwatch CLI', () => {
  it('explains every command in --help', () => {
    const r = ringwatch(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['demo', 'sim', 'crawl', 'import', 'enrich', 'detect', 'evaluate', 'accounts', 'rings', 'model', 'kpi', 'report', 'serve', 'schedule', 'worker', 'store', 'keys']) {
      expect(r.stdout).toMatch(new RegExp(`\\n\\s+${cmd}\\b`));
    }
  });

  it('exits 2 naming the key when the configuration is wrong', () => {
    const r = ringwatch(['store', 'status'], { RINGWATCH_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('server.port (from environment variable RINGWATCH_PORT)');
  });

  it('exits non-zero with a clear message on a bad argument', () => {
    const r = ringwatch(['detect', '--since', 'yesterday-ish']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--since "yesterday-ish" is not a date/);
  });

  it('runs two store commands in a row on one data dir (each starts and stops its own store)', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-cli-seq-'));
    const first = ringwatch(['--json', 'enrich'], { RINGWATCH_DATA: dataDir });
    expect(first.code, first.stderr).toBe(0);
    const second = ringwatch(['--json', 'enrich'], { RINGWATCH_DATA: dataDir });
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ enriched: 0 });
  });

  it('reports every configuration problem at once, exit 2', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-cli-many-'));
    writeFileSync(path.join(dir, 'ringwatch.config.json'), JSON.stringify({ sever: {}, server: { port: 'eighty' }, web: { maxPages: 0 } }));
    const r = ringwatch(['store', 'status'], { RINGWATCH_DATA: dir, RINGWATCH_LOG_LEVEL: 'loud' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/4 problems/);
    expect(r.stderr).toMatch(/unknown key "sever"/);
    expect(r.stderr).toMatch(/server\.port \(from ringwatch\.config\.json\)/);
    expect(r.stderr).toMatch(/web\.maxPages \(from ringwatch\.config\.json\)/);
    expect(r.stderr).toMatch(/logLevel \(from environment variable RINGWATCH_LOG_LEVEL\): must be one of "trace", "debug", "info", "warn", "error", "silent"/);
  });

  it('refuses bad schedules with exit 2, naming each one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-cli-sched-'));
    writeFileSync(
      path.join(dir, 'ringwatch.config.json'),
      JSON.stringify({ schedules: [{ job: 'crawl:myspace', cron: '*/5 * * * *' }, { job: 'detect', cron: '61 * * * *' }] }),
    );
    const r = ringwatch(['schedule', '--check'], { RINGWATCH_DATA: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/schedules\[0\]\.job: unknown job "crawl:myspace"/);
    expect(r.stderr).toMatch(/schedules\[1\]\.cron \(detect\): invalid cron "61 \* \* \* \*"/);
  });

  it('refuses ISO weeks that do not exist with exit 2', () => {
    for (const [week, years] of [['2026-W60', '2026 has weeks W01 to W53'], ['2026-W00', '2026 has weeks W01 to W53'], ['2025-W53', '2025 has weeks W01 to W52']]) {
      const r = ringwatch(['report', 'weekly', '--week', week]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--week: "${week}" is not an ISO week: ${years}`);
    }
  });

  it('refuses a config file that carries secrets', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-cli-secret-'));
    writeFileSync(path.join(dir, 'ringwatch.config.json'), JSON.stringify({ secrets: { twitterBearerToken: 'x' } }));
    const r = ringwatch(['store', 'status'], { RINGWATCH_DATA: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/environment variables/);
  });
});
