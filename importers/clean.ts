// Cleaning and standardisation of imported values: text, dates, amounts, canonical names,
// PII masking. Pure: values in, values out. Every rule is explicit so that an analyst can
// predict what a raw cell becomes (docs/escalations.md lists them).
import { createHmac } from 'node:crypto';

// ---------------------------------------------------------------- text

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', hellip: '…', euro: '€', pound: '£',
  yen: '¥', cent: '¢', copy: '©', reg: '®', trade: '™', eacute: 'é', egrave: 'è',
  agrave: 'à', ccedil: 'ç', uuml: 'ü', ouml: 'ö', auml: 'ä', szlig: 'ß', ntilde: 'ñ',
};

/** Decodes HTML character references (named subset, decimal, hex); unknown names stay as written. */
export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/**
 * Entities decoded, Unicode NFC, control characters dropped, runs of whitespace (including
 * non-breaking and zero-width spaces) collapsed to one space, trimmed. Line structure is
 * not kept: case texts are read as one paragraph.
 */
export function normaliseText(raw: string): string {
  return decodeHtmlEntities(raw)
    .normalize('NFC')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is what this line is for
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/[\s\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g, ' ')
    .trim();
}

/** A cell as a cleaned string, or undefined when empty (null, "", whitespace, "NULL", "N/A"). */
export function cell(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  const s = normaliseText(String(value));
  if (s === '' || /^(null|n\/a|na|none|-)$/i.test(s)) return undefined;
  return s;
}

// ---------------------------------------------------------------- dates

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};

function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): Date | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms);
  const date = new Date(t);
  // Rejects Feb 30 and friends instead of rolling over into the next month.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date;
}

function hour12(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  if (h < 1 || h > 12) return Number.NaN;
  const pm = ampm.toLowerCase() === 'pm';
  return (h % 12) + (pm ? 12 : 0);
}

function twoDigitYear(y: string): number {
  const n = Number(y);
  // 00–69 → 2000s, 70–99 → 1900s (the POSIX strptime rule).
  return y.length === 2 ? (n < 70 ? 2000 + n : 1900 + n) : n;
}

const TIME = String.raw`(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]m)?)?`;
const RE_ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RE_ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const RE_ISO_ZONED = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s*(?:Z|[+-]\d{2}:?\d{2})$/i;
const RE_US = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})${TIME}$`, 'i');
const RE_MONTH_NAME = new RegExp(String.raw`^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})${TIME}$`, 'i');
const RE_DAY_MONTH_NAME = new RegExp(String.raw`^(\d{1,2}) ([a-z]{3,9})\.? (\d{4})${TIME}$`, 'i');

/**
 * Parses a date cell to a UTC instant. Rules, in order:
 *  - a Date (SQL drivers) is taken as is;
 *  - ISO 8601 with `Z` or an offset → that instant;
 *  - ISO 8601 without offset, and `YYYY-MM-DD` → read as UTC;
 *  - `M/D/YYYY` or `M/D/YY` with optional `h:mm[:ss] [AM|PM]` → US order, always month first
 *    (13/01/2026 is rejected, never guessed as day-first), read as UTC;
 *  - `Jan 5, 2026` / `5 January 2026` with optional time → UTC;
 *  - 10-digit epoch seconds or 13-digit epoch milliseconds.
 * Anything else, and impossible dates (Feb 30), → null.
 */
export function parseDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  const s = cell(value);
  if (!s) return null;
  let m = RE_ISO_DATE.exec(s);
  if (m) return utc(+m[1], +m[2], +m[3]);
  m = RE_ISO_LOCAL.exec(s);
  if (m) {
    const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
    return utc(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, ms);
  }
  if (RE_ISO_ZONED.test(s)) {
    const [datePart] = s.split(/[T ]/);
    const [y, mo, d] = datePart.split('-').map(Number);
    if (!utc(y, mo, d)) return null;
    const t = Date.parse(s.replace(' ', 'T').replace(/\s+/g, '').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(t) ? null : new Date(t);
  }
  m = RE_US.exec(s);
  if (m) return withTime(twoDigitYear(m[3]), +m[1], +m[2], m.slice(4));
  m = RE_MONTH_NAME.exec(s);
  if (m) {
    const mo = MONTHS[m[1].toLowerCase().slice(0, m[1].length === 4 ? 4 : 3)] ?? MONTHS[m[1].toLowerCase().slice(0, 3)];
    return mo ? withTime(+m[3], mo, +m[2], m.slice(4)) : null;
  }
  m = RE_DAY_MONTH_NAME.exec(s);
  if (m) {
    const mo = MONTHS[m[2].toLowerCase().slice(0, 3)];
    return mo ? withTime(+m[3], mo, +m[1], m.slice(4)) : null;
  }
  if (/^\d{10}$/.test(s)) return new Date(Number(s) * 1000);
  if (/^\d{13}$/.test(s)) return new Date(Number(s));
  return null;
}

function withTime(y: number, mo: number, d: number, t: (string | undefined)[]): Date | null {
  const [h, mi, sec, ampm] = t;
  if (h === undefined) {
    return ampm ? null : utc(y, mo, d);
  }
  const hh = hour12(Number(h), ampm);
  if (!Number.isFinite(hh)) return null;
  return utc(y, mo, d, hh, Number(mi), sec ? Number(sec) : 0);
}

// ---------------------------------------------------------------- amounts

const CURRENCY_SYMBOLS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR' };

export interface Amount {
  amount: number;
  /** ISO 4217 code when the cell names one ("USD 12", "12 €"). */
  currency?: string;
}

/**
 * Parses a money cell. Rules: a currency symbol or 3-letter code may lead or trail; a
 * leading "-" or surrounding parentheses mean negative. Separators: when both "." and ","
 * occur, the last one is the decimal mark ("1,234.50", "1.234,50"); a lone separator
 * followed by exactly three digits is a thousands mark ("1,234", "1.234"), otherwise it
 * is the decimal mark ("12,5", "12.50"); repeated lone separators are thousands marks.
 */
export function parseAmount(value: unknown): Amount | null {
  if (typeof value === 'number') return Number.isFinite(value) ? { amount: value } : null;
  const s0 = cell(value);
  if (!s0) return null;
  let s = s0.replace(/\s+/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  let currency: string | undefined;
  const code = /^([A-Z]{3})|([A-Z]{3})$/.exec(s);
  if (code) {
    currency = code[1] ?? code[2];
    s = code[1] ? s.slice(3) : s.slice(0, -3);
  }
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1);
  }
  const sym = /^([$€£¥₹])|([$€£¥₹])$/.exec(s);
  if (sym) {
    currency ??= CURRENCY_SYMBOLS[sym[1] ?? sym[2]];
    s = sym[1] ? s.slice(1) : s.slice(0, -1);
  }
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1);
  }
  if (!/^\d[\d.,]*$/.test(s) || /[.,]$/.test(s)) return null;
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  let normalised: string;
  if (lastDot >= 0 && lastComma >= 0) {
    const dec = lastDot > lastComma ? '.' : ',';
    const thou = dec === '.' ? ',' : '.';
    const [intPart, frac, extra] = s.split(dec);
    if (extra !== undefined) return null;
    if (!validGroups(intPart, thou)) return null;
    normalised = `${intPart.split(thou).join('')}.${frac}`;
  } else if (lastDot >= 0 || lastComma >= 0) {
    const sep = lastDot >= 0 ? '.' : ',';
    const parts = s.split(sep);
    if (parts.length > 2) {
      if (!validGroups(s, sep)) return null;
      normalised = parts.join('');
    } else if (parts[1].length === 3) {
      normalised = parts.join('');
    } else {
      normalised = `${parts[0]}.${parts[1]}`;
    }
  } else {
    normalised = s;
  }
  const n = Number(normalised);
  if (!Number.isFinite(n)) return null;
  return { amount: negative ? -n : n, ...(currency ? { currency } : {}) };
}

function validGroups(intPart: string, sep: string): boolean {
  const groups = intPart.split(sep);
  if (groups.length === 1) return true;
  return groups[0].length >= 1 && groups[0].length <= 3 && groups.slice(1).every((g) => g.length === 3);
}

// ---------------------------------------------------------------- canonical names, booleans, numbers

/** Names compare lower-cased with runs of space, "_" and "-" as one space: "NA_East" = "na-east" = "NA East". */
function nameKey(s: string): string {
  return s.toLowerCase().replace(/[_\s-]+/g, ' ').trim();
}

/** Looks up a raw name in a mapping table (see nameKey); canonical values map to themselves. */
export function canonical(raw: string | undefined, map: Record<string, string>): string | undefined {
  if (!raw) return undefined;
  const key = nameKey(raw);
  for (const [k, v] of Object.entries(map)) if (nameKey(k) === key) return v;
  for (const v of Object.values(map)) if (nameKey(v) === key) return v;
  return undefined;
}

/** true/false/1/0/yes/no/y/n/t/f; undefined for empty; null for anything else. */
export function parseBool(value: unknown): boolean | null | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  const s = cell(value)?.toLowerCase();
  if (s === undefined) return undefined;
  if (/^(true|1|yes|y|t)$/.test(s)) return true;
  if (/^(false|0|no|n|f)$/.test(s)) return false;
  return null;
}

/** A whole number cell; undefined for empty; null when not an integer. */
export function parseInteger(value: unknown): number | null | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  const s = cell(value);
  if (s === undefined) return undefined;
  return /^-?\d+$/.test(s) ? Number(s) : null;
}

// ---------------------------------------------------------------- PII

/** Luhn checksum over the digits of `digits`. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// 13–19 digits, contiguous or in groups separated by single spaces or dashes.
const CARD = /(?<!\d[ -]?)\d(?:[ -]?\d){12,18}(?![\d-])/g;
// International (+cc …), NANP ((555) 123-4567, 555-123-4567, 555.123.4567), and national
// numbers with a trunk 0 (07700 900123, 030 1234 5678).
const PHONE_INTL = /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\w)/g;
const PHONE_NANP = /(?<![\w-]|\d )(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])/g;
const PHONE_TRUNK = /(?<![\w-]|\d )0\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}(?![\w-])/g;

export interface MaskResult {
  text: string;
  masked: { email: number; phone: number; card: number };
}

/**
 * Replaces e-mail addresses by "[email]", card-like numbers that pass the Luhn check by
 * "[card]" and phone numbers by "[phone]". Order ids in the usual 3-7-7 digit form are
 * neither cards nor phones and stay readable.
 */
export function maskPii(text: string): MaskResult {
  const masked = { email: 0, phone: 0, card: 0 };
  let out = text.replace(EMAIL, () => {
    masked.email++;
    return '[email]';
  });
  out = out.replace(CARD, (m) => {
    const digits = m.replace(/\D/g, '');
    // 13 digits starting with 1 are epoch milliseconds (2001–2033), never a card: the only
    // 13-digit cards are Visa's, which start with 4.
    if (!luhnValid(digits) || /^1\d{12}$/.test(digits)) return m;
    masked.card++;
    return '[card]';
  });
  const phone = (m: string) => {
    const n = m.replace(/\D/g, '').length;
    if (n < 7 || n > 15) return m;
    masked.phone++;
    return '[phone]';
  };
  out = out.replace(PHONE_INTL, phone).replace(PHONE_NANP, phone).replace(PHONE_TRUNK, phone);
  return { text: out, masked };
}

/** A spreadsheet must not run attacker-written text as a formula (CSV injection): such a cell is quoted with a leading "'". */
export const csvSafe = (v: string | number) => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/** Customer id as stored when hashing is on: "h:" + first 32 hex of HMAC-SHA256(key, id). */
export function hashCustomerId(id: string, key: string): string {
  return `h:${createHmac('sha256', key).update(id).digest('hex').slice(0, 32)}`;
}
