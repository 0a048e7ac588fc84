// `ringwatch import` as a user runs it: a wrong header or delimiter is one message and
// exit code 2 with nothing imported (issue 15.6).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = path.resolve('bin/ringwatch.mjs');

function ringwatch(dataDir: string, args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: dataDir,
    env: { ...process.env, RINGWATCH_DATA: dataDir, RINGWATCH_LOG_LEVEL: 'warn' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ringwatch import', () => {
  it('exits 2 with one message naming the missing and found columns when the delimiter is wrong; nothing is imported', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-cli-import-'));
    const rows = Array.from({ length: 300 }, (_, i) => `r${i};u${i % 7};p${i % 3};2026-01-0${1 + (i % 9)}`);
    writeFileSync(path.join(dir, 'semi.csv'), ['id;author;product;created_at', ...rows].join('\n'));
    writeFileSync(path.join(dir, 'good.csv'), ['id,author,product,created_at', ...rows.map((r) => r.replaceAll(';', ','))].join('\n'));

    const bad = ringwatch(dir, ['import', 'reviews', 'semi.csv']);
    expect(bad.code, bad.stderr).toBe(2);
    const messages = bad.stderr.split('\n').filter((l) => /lacks the required/.test(l));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('the source lacks the required columns author, product, created_at (found 1 column: "id;author;product;created_at")');
    expect(bad.stderr).not.toMatch(/author is empty/);
    expect(bad.stdout).not.toMatch(/imported/);

    // Nothing of semi.csv was stored: the good file imports every row as new.
    const good = ringwatch(dir, ['--json', 'import', 'reviews', 'good.csv']);
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ read: 300, imported: 300, updated: 0, unchanged: 0, rejected: 0 });
  }, 240_000);
});
