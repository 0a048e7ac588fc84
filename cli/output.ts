// Data goes to stdout: a table for people, JSON with --json for scripts.

export function printJson(data: unknown): void {
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

export type Row = Record<string, unknown>;

/** A plain aligned text table; numbers right-aligned. */
export function formatTable(rows: Row[], columns?: string[]): string {
  if (rows.length === 0) return '(none)';
  const cols = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    if (v instanceof Date) return v.toISOString();
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v).replace(/[\r\n\t]+/g, ' ');
  };
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  // Columns are capped at 60 characters, except the last: nothing follows it, so it is never cut.
  const widths = cols.map((c, i) => {
    const w = Math.max(c.length, ...cells.map((r) => r[i].length));
    return i === cols.length - 1 ? w : Math.min(60, w);
  });
  const numeric = cols.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === 'number'));
  const fmt = (vals: string[]) =>
    vals
      .map((v, i) => {
        const t = v.length > widths[i] ? cut(v, widths[i]) : v;
        return numeric[i] ? t.padStart(widths[i]) : t.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [fmt(cols), fmt(widths.map((w) => '-'.repeat(w))), ...cells.map(fmt)].join('\n');
}

/** `v` in at most `width` characters, cut at a word boundary when there is one. */
function cut(v: string, width: number): string {
  const head = v.slice(0, width - 1);
  const space = head.lastIndexOf(' ');
  return `${space > width / 2 ? head.slice(0, space) : head}…`;
}

export function printTable(rows: Row[], columns?: string[]): void {
  process.stdout.write(`${formatTable(rows, columns)}\n`);
}

/** Prints `data` as JSON when --json was given, else through `human`. */
export function output(json: boolean | undefined, data: unknown, human: () => void): void {
  if (json) printJson(data);
  else human();
}
