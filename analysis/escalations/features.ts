// Features of one case from the case itself and its customer's history up to the moment
// the case was opened (never later: a feature must be knowable when the case arrives).
import type { CaseTextSignals } from './text';
import { tfidfVector, type Vocabulary } from './tfidf';

export interface CaseInput {
  id: string;
  customerId: string;
  customerHandle?: string;
  openedAt: Date;
  orderId?: string;
  refundAmount?: number;
  channel: string;
  text?: string;
  abusive?: boolean;
  signals: CaseTextSignals;
}

export interface OrderInput {
  id: string;
  customerId?: string;
  orderedAt: Date;
  deliveredAt?: Date;
  firstAttemptSuccess?: boolean;
}

export interface RingInfo {
  /** Normalised handle → highest suspicion score of an account with that handle. */
  suspicion: Map<string, number>;
  /** Normalised handles of members of detected rings. */
  ringMembers: Set<string>;
}

/** "@Name", "u/Name", "reddit:u/Name" → "name". */
export function normaliseHandle(h: string): string {
  return h.trim().toLowerCase().replace(/^[a-z]+:/, '').replace(/^(?:\/?u\/|@)/, '');
}

export const BASE_FEATURES = [
  'prior_escalations',
  'refunds_30d',
  'refund_amount_30d',
  'refunds_90d',
  'refund_amount_90d',
  'refund_amount',
  'not_received_claim',
  'inr_first_attempt',
  'prior_inr_first_attempt',
  'claim_to_order_ratio',
  'days_since_order',
  'order_missing',
  'days_since_delivery',
  'undelivered',
  'sentiment',
  'threat',
  'profanity',
  'pressure',
  'ring_member',
  'handle_suspicion',
  'text_length_log',
] as const;

/** Behaviour features used for the anomaly score (a subset of the base features). */
export const BEHAVIOUR_FEATURES = [
  'prior_escalations', 'refunds_90d', 'refund_amount_90d', 'prior_inr_first_attempt', 'claim_to_order_ratio', 'threat', 'profanity',
] as const;

export interface FeatureSpec {
  channels: string[];
  vocabulary: Vocabulary;
}

export function featureNames(spec: FeatureSpec): string[] {
  return [...BASE_FEATURES, ...spec.channels.map((c) => `channel_${c}`), ...spec.vocabulary.terms.map((t) => `term_${t}`)];
}

const DAY = 86_400_000;

export interface FeatureContext {
  orders: Map<string, OrderInput>;
  /** Customer id → their orders' times, ascending. */
  customerOrderTimes: Map<string, number[]>;
  ring: RingInfo;
}

export function featureContext(orders: Iterable<OrderInput>, ring: RingInfo): FeatureContext {
  const byId = new Map<string, OrderInput>();
  const times = new Map<string, number[]>();
  for (const o of orders) {
    byId.set(o.id, o);
    if (o.customerId) {
      const list = times.get(o.customerId);
      if (list) list.push(o.orderedAt.getTime());
      else times.set(o.customerId, [o.orderedAt.getTime()]);
    }
  }
  for (const list of times.values()) list.sort((a, b) => a - b);
  return { orders: byId, customerOrderTimes: times, ring };
}

/** Number of values ≤ t in an ascending list. */
function countUpTo(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function inrAgainstFirstAttempt(c: CaseInput, ctx: FeatureContext): boolean {
  if (!c.signals.notReceived || !c.orderId) return false;
  const o = ctx.orders.get(c.orderId);
  return !!o?.deliveredAt && o.firstAttemptSuccess === true;
}

/**
 * Feature rows for all cases, in the order given. History comes from the other cases of
 * the same customer opened strictly before each case.
 */
export function caseFeatures(cases: readonly CaseInput[], ctx: FeatureContext, spec: FeatureSpec): number[][] {
  const byCustomer = new Map<string, number[]>();
  cases.forEach((c, i) => {
    const list = byCustomer.get(c.customerId);
    if (list) list.push(i);
    else byCustomer.set(c.customerId, [i]);
  });
  const rows: number[][] = new Array(cases.length);
  for (const idx of byCustomer.values()) {
    idx.sort((a, b) => cases[a].openedAt.getTime() - cases[b].openedAt.getTime());
    const inr = idx.map((i) => inrAgainstFirstAttempt(cases[i], ctx));
    for (let k = 0; k < idx.length; k++) {
      const c = cases[idx[k]];
      const t = c.openedAt.getTime();
      let prior = 0;
      let r30 = 0;
      let a30 = 0;
      let r90 = 0;
      let a90 = 0;
      let priorInr = 0;
      for (let m = 0; m < k; m++) {
        const p = cases[idx[m]];
        const pt = p.openedAt.getTime();
        if (pt >= t) continue;
        prior++;
        if (inr[m]) priorInr++;
        const amt = p.refundAmount ?? 0;
        if (amt > 0 && t - pt <= 90 * DAY) {
          r90++;
          a90 += amt;
          if (t - pt <= 30 * DAY) {
            r30++;
            a30 += amt;
          }
        }
      }
      const order = c.orderId ? ctx.orders.get(c.orderId) : undefined;
      const ordersSoFar = countUpTo(ctx.customerOrderTimes.get(c.customerId) ?? [], t);
      const handle = c.customerHandle ? normaliseHandle(c.customerHandle) : undefined;
      const base: Record<(typeof BASE_FEATURES)[number], number> = {
        prior_escalations: prior,
        refunds_30d: r30,
        refund_amount_30d: Math.log1p(a30),
        refunds_90d: r90,
        refund_amount_90d: Math.log1p(a90),
        refund_amount: Math.log1p(c.refundAmount ?? 0),
        not_received_claim: c.signals.notReceived ? 1 : 0,
        inr_first_attempt: inr[k] ? 1 : 0,
        prior_inr_first_attempt: priorInr,
        claim_to_order_ratio: (prior + 1) / Math.max(1, ordersSoFar),
        days_since_order: order ? Math.min(120, Math.max(0, (t - order.orderedAt.getTime()) / DAY)) : 0,
        order_missing: order ? 0 : 1,
        days_since_delivery: order?.deliveredAt ? Math.min(120, Math.max(0, (t - order.deliveredAt.getTime()) / DAY)) : 0,
        undelivered: order && !order.deliveredAt ? 1 : 0,
        sentiment: c.signals.sentiment,
        threat: c.signals.threat,
        profanity: c.signals.profanity,
        pressure: c.signals.pressure,
        ring_member: handle && ctx.ring.ringMembers.has(handle) ? 1 : 0,
        handle_suspicion: handle ? (ctx.ring.suspicion.get(handle) ?? 0) : 0,
        text_length_log: Math.log1p(c.text?.length ?? 0),
      };
      rows[idx[k]] = [
        ...BASE_FEATURES.map((f) => base[f]),
        ...spec.channels.map((ch) => (c.channel === ch ? 1 : 0)),
        ...tfidfVector(c.text, spec.vocabulary),
      ];
    }
  }
  return rows;
}
