// A malicious or broken CSV/NDJSON file (docs/security.md): the importers never crash, never
// hang and never store operator-shaped data; they import what is valid and report the rest
// with line numbers, or stop with a clear error. fast-check, a bounded number of cases.
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImportJob } from '../../jobs/import';
import type { Store } from '../../storage/store';
import type { Config } from '../../config/index';
import { jobContext } from '../importers/helpers';
import { testStore } from '../helpers/store';

let store: Store & { config: Config };
const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-fuzz-'));
let n = 0;
const stats = { ok: 0, imported: 0, err: [] as string[] };

beforeAll(async () => {
  store = await testStore();
});
afterAll(async () => {
  await store?.close();
});

const HEADERS = {
  reviews: 'author,product,created_at,id,platform,rating,title,text,url,community',
  escalations: 'case_id,opened_at,region,channel,customer_id,customer_handle,order_id,product,category,text,refund_amount,status,resolved_at,abusive',
};

/** Cells an attacker would try: operators, formulas, markup, control characters, huge and odd numbers. */
const cell = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('$ne', '{"$gt":""}', 'a.b', '$where', '=HYPERLINK("http://x")', '<script>alert(1)</script>', '"', '""', '\r', '\n', '\u0000', '1e999', '-0', 'NaN', '2026-02-30', '9999-12-31T99:99:99Z', '__proto__', 'constructor'),
  fc.integer().map(String),
);
const quote = (c: string) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
const randomLine = fc.array(cell, { maxLength: 12 }).map((cells) => cells.map((c) => (Math.random() < 0.7 ? quote(c) : c)).join(','));
/** A review row that is valid but for hostile free text (it must be stored as inert text). */
const hostileRow = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9_]{2,10}$/), fc.integer({ min: 1, max: 5 }), cell, cell, fc.nat(10_000))
  .map(([author, rating, title, text, id]) => [author, 'B0ABCDEFGH', '2026-11-01', `r${id}`, 'web', rating, quote(title), quote(text), 'https://example.com/p', 'example.com'].join(','));
const csvLine = fc.oneof(randomLine, hostileRow);

async function importFile(what: 'reviews' | 'escalations', format: 'csv' | 'ndjson', text: string) {
  const file = path.join(dir, `f${n++}.${format}`);
  writeFileSync(file, text);
  const t0 = Date.now();
  try {
    const r = await runImportJob(jobContext(store), { what, file, format, source: 'fuzz' });
    expect(r.read).toBeGreaterThanOrEqual(r.rejected);
    stats.ok++; stats.imported += r.imported;
    return { ok: true as const, ms: Date.now() - t0, r, file };
  } catch (err) {
    // A clear error: ours, with a message, not a crash of the parser (TypeError, RangeError).
    const e = err as Error;
    stats.err.push(e.message.slice(0, 80));
    expect(e).toBeInstanceOf(Error);
    expect(e.name, e.stack).not.toMatch(/TypeError|RangeError|ReferenceError/);
    expect(e.message.length).toBeGreaterThan(5);
    return { ok: false as const, ms: Date.now() - t0, e, file };
  }
}

describe('importer fuzzing', () => {
  it('CSV: random rows under a valid or a random header (60 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<'reviews' | 'escalations'>('reviews', 'escalations'), fc.boolean(), fc.array(csvLine, { maxLength: 15 }), csvLine, async (what, validHeader, rows, header) => {
        const text = [validHeader ? HEADERS[what] : header, ...rows].join(Math.random() < 0.5 ? '\n' : '\r\n');
        const out = await importFile(what, 'csv', text);
        expect(out.ms).toBeLessThan(10_000);
        if (out.ok && out.r.rejected > 0) {
          // Refused rows are reported with their line numbers.
          expect(existsSync(out.file + '.rejects.csv')).toBe(true);
          expect(readFileSync(out.file + '.rejects.csv', 'utf8')).toMatch(/line/i);
        }
      }),
      { numRuns: 60, seed: 11 },
    );
  }, 120_000);

  it('NDJSON: random JSON values, operator-shaped objects and broken lines (60 cases)', async () => {
    const record = fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.record({ author: cell, product: cell, created_at: fc.oneof(cell, fc.constant('2026-11-01')), rating: fc.oneof(fc.integer(), cell), text: cell, $where: cell }).map((o) => JSON.stringify(o)),
      fc.record({ author: fc.constant({ $ne: null }), product: fc.constant('B0ABCDEFGH'), created_at: fc.constant('2026-11-01') }).map((o) => JSON.stringify(o)),
      fc.string({ maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 15 }), async (lines) => {
        const out = await importFile('reviews', 'ndjson', lines.join('\n'));
        expect(out.ms).toBeLessThan(10_000);
      }),
      { numRuns: 60, seed: 12 },
    );
  }, 120_000);

  it('imports valid rows and explains the rest', () => {
    console.log(`importer fuzzing: ${stats.ok} imports completed (${stats.imported} rows imported), ${stats.err.length} stopped with an error, e.g. ${[...new Set(stats.err)].slice(0, 3).join(' | ')}`);
    expect(stats.ok).toBeGreaterThan(0);
  });

  it('never stores a document with an operator-shaped key or value', async () => {
    for await (const p of store.posts.stream({}, {})) {
      const json = JSON.stringify(p);
      expect(json).not.toMatch(/"\$[a-z]+"\s*:/i);
    }
  });
});
