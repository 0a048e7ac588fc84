// Calendar helpers shared by every stage that stores or groups by ISO week.

/** ISO 8601 week of a date in UTC, e.g. "2026-W47". */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  // Thursday decides the ISO year (ISO 8601 §2.2.10).
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** ISO years have 52 or 53 weeks: 53 when 28 December (always in the last week) is in week 53. */
export function isoWeeksInYear(year: number): 52 | 53 {
  return isoWeek(new Date(Date.UTC(year, 11, 28))).endsWith('W53') ? 53 : 52;
}

/** Why `week` is not an ISO week ("2026-W47"), or null when it is one. */
export function isoWeekProblem(week: string): string | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) return `"${week}" is not an ISO week (expected e.g. 2026-W47)`;
  const year = Number(m[1]);
  const w = Number(m[2]);
  const last = isoWeeksInYear(year);
  if (w < 1 || w > last) return `"${week}" is not an ISO week: ${year} has weeks W01 to W${last}`;
  return null;
}

/** Monday 00:00 UTC of an ISO week string; throws on anything that is not one (W00, W54, W53 of a 52-week year). */
export function isoWeekStart(week: string): Date {
  const problem = isoWeekProblem(week);
  if (problem) throw new Error(problem);
  const [year, w] = week.split('-W').map(Number);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const jan4Day = jan4.getUTCDay() || 7;
  const monday = new Date(jan4.getTime() - (jan4Day - 1) * 86_400_000);
  return new Date(monday.getTime() + (w - 1) * 7 * 86_400_000);
}

/** Parses "72h", "30m", "7d", "45s" into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: "${text}" (expected e.g. 72h, 30m, 7d)`);
  const unit = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}

type ErrorClass = new (message: string) => Error;

/**
 * The one reader of a date someone gave (a CLI option, an API parameter, a job param): what
 * `new Date` reads (ISO 8601 dates and date-times) or a Date; undefined stays undefined. A
 * bad one is a `fail` error (the API passes BadRequest) naming the parameter and its text.
 */
export function toDate(v: string | Date, name: string, fail?: ErrorClass): Date;
export function toDate(v: string | Date | undefined, name: string, fail?: ErrorClass): Date | undefined;
export function toDate(v: string | Date | undefined, name: string, fail: ErrorClass = Error): Date | undefined {
  if (v === undefined) return undefined;
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) throw new fail(`${name} "${String(v)}" is not a date (use e.g. 2026-11-01 or 2026-11-01T12:00:00Z)`);
  return d;
}
