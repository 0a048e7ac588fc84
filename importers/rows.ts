// One raw row (CSV, NDJSON or SQL) → a cleaned Escalation or Order, or the reason it is
// refused. Column names follow DESIGN.md §5; header spellings are matched loosely
// ("Case ID", "case_id", "caseId" are the same column).
import type { Escalation, Order } from '../storage/types';
import { isoWeek } from '../analysis/time';
import {
  canonical,
  cell,
  hashCustomerId,
  maskPii,
  normaliseText,
  parseAmount,
  parseBool,
  parseDate,
  parseInteger,
} from './clean';

export interface CleaningOptions {
  regionMap: Record<string, string>;
  channelMap: Record<string, string>;
  hashCustomerIds: boolean;
  piiMasking: boolean;
  /** HMAC key for customer ids; required when hashCustomerIds is on. */
  hashKey?: string;
  /** Import source name stored on each document. */
  source: string;
  importedAt: Date;
}

export type RowResult<T> = { ok: true; doc: T; masked?: number } | { ok: false; reason: string };

/** Keys computed so far: every row of a source has the same few names (bounded, for hostile NDJSON). */
const KEYS = new Map<string, string>();

/** "Case ID" / "caseId" / "case_id" → "case_id". */
export function columnKey(name: string): string {
  let key = KEYS.get(name);
  if (key !== undefined) return key;
  key = name
    .replace(/^\ufeff/, '')
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  if (KEYS.size < 10_000) KEYS.set(name, key);
  return key;
}

export function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[columnKey(k)] = v;
  return out;
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

function customerKey(raw: string, opts: CleaningOptions): string {
  if (!opts.hashCustomerIds) return raw;
  if (!opts.hashKey) throw new Error('escalations.hashCustomerIds is on but RINGWATCH_HASH_KEY is not set');
  return hashCustomerId(raw, opts.hashKey);
}

const MAX_TEXT = 20_000;

export function cleanEscalationRow(raw: Record<string, unknown>, opts: CleaningOptions): RowResult<Escalation> {
  const row = normaliseRow(raw);
  const id = cell(row.case_id);
  if (!id) return fail('case_id is empty');
  const openedRaw = cell(row.opened_at);
  if (!openedRaw && !(row.opened_at instanceof Date)) return fail('opened_at is empty');
  const openedAt = parseDate(row.opened_at);
  if (!openedAt) return fail(`opened_at "${openedRaw}" is not a date (ISO 8601, YYYY-MM-DD, M/D/YYYY)`);
  const regionRaw = cell(row.region);
  if (!regionRaw) return fail('region is empty');
  const region = canonical(regionRaw, opts.regionMap);
  if (!region) return fail(`region "${regionRaw}" is not in escalations.regionMap`);
  const channelRaw = cell(row.channel);
  const channel = canonical(channelRaw, opts.channelMap) ?? (channelRaw ? 'other' : 'unknown');
  const customerRaw = cell(row.customer_id);
  if (!customerRaw) return fail('customer_id is empty');

  let refundAmount: number | undefined;
  const refundCell = cell(row.refund_amount);
  if (refundCell !== undefined || typeof row.refund_amount === 'number') {
    const amt = parseAmount(row.refund_amount);
    if (!amt) return fail(`refund_amount "${refundCell}" is not an amount`);
    if (amt.amount < 0) return fail(`refund_amount ${amt.amount} is negative`);
    refundAmount = Math.round(amt.amount * 100) / 100;
  }
  let resolvedAt: Date | undefined;
  if (cell(row.resolved_at) !== undefined || row.resolved_at instanceof Date) {
    const d = parseDate(row.resolved_at);
    if (!d) return fail(`resolved_at "${cell(row.resolved_at)}" is not a date`);
    if (d.getTime() < openedAt.getTime()) return fail(`resolved_at ${d.toISOString()} is before opened_at ${openedAt.toISOString()}`);
    resolvedAt = d;
  }
  let abusive: boolean | undefined;
  const ab = parseBool(row.abusive);
  if (ab === null) return fail(`abusive "${cell(row.abusive)}" is not a boolean (true/false/1/0/yes/no)`);
  if (ab !== undefined) abusive = ab;

  let text = cell(row.text);
  let masked = 0;
  if (text) {
    if (text.length > MAX_TEXT) text = text.slice(0, MAX_TEXT);
    if (opts.piiMasking) {
      const r = maskPii(text);
      text = r.text;
      masked = r.masked.email + r.masked.phone + r.masked.card;
    }
  }
  const handle = cell(row.customer_handle);
  const doc: Escalation = {
    _id: id,
    openedAt,
    week: isoWeek(openedAt),
    region,
    channel,
    customerId: customerKey(customerRaw, opts),
    ...(handle ? { customerHandle: handle } : {}),
    ...optional('orderId', cell(row.order_id)),
    ...optional('product', cell(row.product)),
    ...optional('category', cell(row.category)),
    ...optional('text', text),
    ...optional('refundAmount', refundAmount),
    ...optional('status', cell(row.status)?.toLowerCase()),
    ...optional('resolvedAt', resolvedAt),
    ...optional('abusive', abusive),
    source: opts.source,
    importedAt: opts.importedAt,
  };
  return { ok: true, doc, masked };
}

export function cleanOrderRow(raw: Record<string, unknown>, opts: CleaningOptions): RowResult<Order> {
  const row = normaliseRow(raw);
  const id = cell(row.order_id);
  if (!id) return fail('order_id is empty');
  const regionRaw = cell(row.region);
  if (!regionRaw) return fail('region is empty');
  const region = canonical(regionRaw, opts.regionMap);
  if (!region) return fail(`region "${regionRaw}" is not in escalations.regionMap`);
  if (cell(row.ordered_at) === undefined && !(row.ordered_at instanceof Date)) return fail('ordered_at is empty');
  const orderedAt = parseDate(row.ordered_at);
  if (!orderedAt) return fail(`ordered_at "${cell(row.ordered_at)}" is not a date`);
  const dates: Record<string, Date> = {};
  for (const col of ['promised_at', 'delivered_at'] as const) {
    if (cell(row[col]) === undefined && !(row[col] instanceof Date)) continue;
    const d = parseDate(row[col]);
    if (!d) return fail(`${col} "${cell(row[col])}" is not a date`);
    if (d.getTime() < orderedAt.getTime()) return fail(`${col} ${d.toISOString()} is before ordered_at ${orderedAt.toISOString()}`);
    dates[col] = d;
  }
  const attempts = parseInteger(row.delivery_attempts);
  if (attempts === null || (attempts !== undefined && attempts < 0)) {
    return fail(`delivery_attempts "${cell(row.delivery_attempts)}" is not a whole number ≥ 0`);
  }
  let first = parseBool(row.first_attempt_success);
  if (first === null) return fail(`first_attempt_success "${cell(row.first_attempt_success)}" is not a boolean`);
  const delivered = dates.delivered_at;
  if (first === undefined && delivered && attempts !== undefined) first = attempts === 1;
  if (first === true && !delivered) return fail('first_attempt_success is true but delivered_at is empty');
  if (first === true && attempts !== undefined && attempts !== 1) {
    return fail(`first_attempt_success is true but delivery_attempts is ${attempts}`);
  }
  const customer = cell(row.customer_id);
  const doc: Order = {
    _id: id,
    region,
    orderedAt,
    ...optional('promisedAt', dates.promised_at),
    ...optional('deliveredAt', delivered),
    ...optional('deliveryAttempts', attempts),
    ...optional('firstAttemptSuccess', first),
    week: isoWeek(delivered ?? orderedAt),
    ...optional('customerId', customer ? customerKey(customer, opts) : undefined),
    source: opts.source,
    importedAt: opts.importedAt,
  };
  return { ok: true, doc };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

// ---------------------------------------------------------------- duplicate cases

const STATUS_RANK = ['new', 'open', 'pending', 'in_progress', 'in progress', 'escalated', 'resolved', 'closed'];

function statusRank(s: string | undefined): number {
  if (s === undefined) return -1;
  const i = STATUS_RANK.indexOf(s);
  return i;
}

/**
 * Merges two records of the same case so that merging is idempotent (merge(m, a) = m for
 * any a already merged into m), which makes re-imports change nothing:
 * openedAt earliest, resolvedAt latest, status the furthest along (open < … < closed),
 * refund the largest, abusive true if any record says so, texts kept once each in order
 * of arrival, every other field the first non-empty value seen.
 */
export function mergeEscalations(a: Escalation, b: Escalation): Escalation {
  const out: Escalation = { ...b, ...stripUndefined(a) };
  if (b.openedAt.getTime() < a.openedAt.getTime()) {
    out.openedAt = b.openedAt;
    out.week = b.week;
  }
  if (a.resolvedAt || b.resolvedAt) {
    const ra = a.resolvedAt?.getTime() ?? -Infinity;
    const rb = b.resolvedAt?.getTime() ?? -Infinity;
    out.resolvedAt = ra >= rb ? a.resolvedAt : b.resolvedAt;
  }
  if (a.status !== undefined || b.status !== undefined) {
    const ra = statusRank(a.status);
    const rb = statusRank(b.status);
    out.status = rb > ra || (rb === ra && (b.status ?? '') > (a.status ?? '')) ? b.status : a.status;
  }
  if (a.refundAmount !== undefined || b.refundAmount !== undefined) {
    out.refundAmount = Math.max(a.refundAmount ?? 0, b.refundAmount ?? 0);
  }
  if (a.abusive !== undefined || b.abusive !== undefined) out.abusive = a.abusive === true || b.abusive === true;
  if (a.text && b.text) out.text = joinTexts(a.text, b.text);
  return out;
}

const TEXT_SEP = ' ¶ ';

function joinTexts(a: string, b: string): string {
  const parts = a.split(TEXT_SEP);
  for (const p of b.split(TEXT_SEP)) if (!parts.includes(p)) parts.push(p);
  return parts.join(TEXT_SEP);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export { normaliseText };
