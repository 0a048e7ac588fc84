// The CSV reader's own parser (importers/readers.ts): RFC 4180 records read in
// chunks of any size, and bounded recovery from broken lines: a stray quote costs its
// own line only, line numbers stay right, and no record grows past maxRecordChars.
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRecords } from '../../importers/readers';

async function* inChunks(text: string, sizes: number[]): AsyncIterable<string> {
  let i = 0;
  let k = 0;
  while (i < text.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] ?? text.length);
    yield text.slice(i, i + n);
    i += n;
  }
}

async function records(text: string, sizes: number[] = [text.length], maxRecordChars?: number) {
  const out: { line: number; fields?: string[]; error?: string; raw: string }[] = [];
  for await (const r of csvRecords(inChunks(text, sizes), { maxRecordChars })) out.push(r);
  return out;
}

const quote = (c: string) => (/[",\r\n]/.test(c) || c === '' ? `"${c.replaceAll('"', '""')}"` : c);

describe('CSV reader', () => {
  it('reads what csv-parse reads from well-formed CSV, whatever the chunk boundaries (200 cases)', async () => {
    const field = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('a,b', 'say "hi"', 'two\nlines', 'crlf\r\nin', '"', '5" screen', ' ', 'é€😀'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        async (rows, eol, trailing, sizes) => {
          // A lone quote inside an unquoted field is ours to accept, not csv-parse's: quote every
          // field that needs it, so both parsers see the same well-formed input.
          const text = rows.map((r) => r.map(quote).join(',')).join(eol) + (trailing ? eol : '');
          const want = parse(text, { relax_column_count: true, skip_empty_lines: false }) as string[][];
          const got = await records(text, sizes);
          expect(got.map((r) => r.error)).toEqual(got.map(() => undefined));
          expect(got.map((r) => r.fields)).toEqual(want);
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it('counts lines across quoted newlines and blank lines', async () => {
    const got = await records('h1,h2\n\na,"x\ny"\r\n\r\nb,c\n', [3]);
    expect(got.map((r) => [r.line, r.fields])).toEqual([[1, ['h1', 'h2']], [3, ['a', 'x\ny']], [6, ['b', 'c']]]);
  });

  it('a stray quote is one bad line: reading resumes at the next line', async () => {
    const lines = ['h1,h2,h3', 'a,b,c', 'd,"oops,f', 'g,h,i', 'j,"k",l', 'm,n,o'];
    const got = await records(`${lines.join('\n')}\n`, [5]);
    expect(got.map((r) => [r.line, r.fields ?? r.error])).toEqual([
      [1, ['h1', 'h2', 'h3']],
      [2, ['a', 'b', 'c']],
      [3, expect.stringMatching(/text after a closing quote/)],
      [4, ['g', 'h', 'i']],
      [5, ['j', 'k', 'l']],
      [6, ['m', 'n', 'o']],
    ]);
    expect(got[2].raw).toBe('d,"oops,f');
  });

  it('an unclosed quote at the end is one bad line too', async () => {
    const got = await records('h\nok\n"never closed\nline 4\n');
    expect(got.map((r) => [r.line, r.fields ?? r.error])).toEqual([
      [1, ['h']], [2, ['ok']], [3, expect.stringMatching(/never closed/)], [4, ['line 4']],
    ]);
  });

  it('bounds a record: a quote that runs on is cut at maxRecordChars and reading resumes at its next line', async () => {
    const good = Array.from({ length: 2000 }, (_, i) => `r${i},v${i}`);
    const text = ['h1,h2', 'x,"runs on', ...good].join('\n');
    const got = await records(text, [4096], 1000);
    expect(got[1]).toMatchObject({ line: 2, error: expect.stringMatching(/longer than 1,000 characters/) });
    expect(got.slice(2).map((r) => r.fields)).toEqual(good.map((g) => g.split(',')));
    expect(got[got.length - 1].line).toBe(2002);
  });

  it('bounds a line without any newline', async () => {
    const got = await records(`h\n${'z'.repeat(50_000)}\nafter\n`, [1000], 1000);
    expect(got.map((r) => [r.line, r.fields ?? r.error])).toEqual([[1, ['h']], [2, expect.stringMatching(/longer than/)], [3, ['after']]]);
    expect(got[1].raw.length).toBeLessThanOrEqual(2000);
  });
});
