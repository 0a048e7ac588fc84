// Orders and escalation cases: genuine customers (some sharing a handle with a social
// account), a few abusive ones, and ring operators who also order and complain.
import type { SimProduct } from '../catalogue';
import type { Rng } from '../rng';
import { type IssueKind, caseText, organicHandle } from '../text';
import { type RedditUser, type TwitterUser, type OrderRow, type EscalationRow, type TruthRing, type ScaleParams, REGIONS, CHANNELS, HOUR, DAY } from './types';
import { iso } from './common';

// ---------------------------------------------------------------- commerce

interface CommerceInput {
  params: ScaleParams;
  products: SimProduct[];
  start: number;
  now: number;
  rings: TruthRing[];
  redditUsers: RedditUser[];
  twitterUsers: TwitterUser[];
}

interface Customer {
  id: string;
  handle: string;
  region: string;
  abusive: boolean;
  ringId?: string;
  ringProducts?: string[];
}

function amazonOrderId(rng: Rng): string {
  return `${rng.int(111, 114)}-${rng.alnum(7, '0123456789')}-${rng.alnum(7, '0123456789')}`;
}

export function generateCommerce(rng: Rng, input: CommerceInput): { orders: OrderRow[]; escalations: EscalationRow[]; abusiveCustomers: string[] } {
  const { params, products, start, now, rings } = input;
  const customers: Customer[] = [];
  const customerIds = new Set<string>();
  const newCustomerId = () => {
    let id = `C${rng.alnum(7, '0123456789')}`;
    while (customerIds.has(id)) id = `C${rng.alnum(7, '0123456789')}`;
    customerIds.add(id);
    return id;
  };
  for (let i = 0; i < params.customers; i++) {
    // Some genuine customers share a handle with a genuine social account (hard negative).
    const handle = rng.chance(0.15) ? (rng.chance(0.5) ? rng.pick(input.redditUsers).name : rng.pick(input.twitterUsers).username) : organicHandle(rng);
    customers.push({ id: newCustomerId(), handle, region: rng.pick(REGIONS), abusive: rng.chance(0.015) });
  }
  for (const ring of rings) {
    for (const op of ring.operators) {
      if (!rng.chance(0.35)) continue;
      const handle = op.reddit ? op.reddit.slice('reddit:u/'.length) : (op.twitterUsername ?? op.web?.split(':').slice(2).join(':'));
      if (!handle) continue;
      customers.push({
        id: newCustomerId(),
        handle,
        region: rng.pick(REGIONS),
        abusive: rng.chance(0.15),
        ringId: ring.id,
        ringProducts: [...ring.targets, ...ring.victims],
      });
    }
  }
  const productById = new Map(products.map((p) => [p.id, p]));
  const popCum: number[] = [];
  let acc = 0;
  for (const p of products) {
    acc += p.popularity + 0.02;
    popCum.push(acc);
  }
  const pickPopular = () => {
    const r = rng.next() * acc;
    let i = 0;
    while (popCum[i] <= r) i++;
    return products[Math.min(i, products.length - 1)];
  };
  // First-attempt delivery success per region, with a dip in one region for a few weeks.
  const baseFtds = new Map(REGIONS.map((r) => [r, rng.float(0.82, 0.93)]));
  const dipRegion = rng.pick(REGIONS);
  const dipStart = start + rng.int(3, 6) * 7 * DAY;
  const orders: OrderRow[] = [];
  const escalations: EscalationRow[] = [];
  const abusive: string[] = [];
  let caseNo = 100000 + rng.int(0, 50000);
  const orderIds = new Set<string>();
  for (const c of customers) {
    if (c.abusive) abusive.push(c.id);
    const n = c.abusive ? rng.int(3, 7) : c.ringId ? rng.int(1, 3) : Math.max(1, rng.poisson(3));
    for (let i = 0; i < n; i++) {
      const p = c.ringProducts && rng.chance(0.7) ? (productById.get(rng.pick(c.ringProducts)) as SimProduct) : pickPopular();
      const ordered = Math.floor(rng.float(start - 5 * DAY, now - 3 * DAY));
      const promised = ordered + rng.int(2, 6) * DAY;
      let ftds = baseFtds.get(c.region) as number;
      if (c.region === dipRegion && ordered >= dipStart && ordered < dipStart + 3 * 7 * DAY) ftds -= 0.2;
      const lost = rng.chance(0.02);
      const firstOk = !lost && rng.chance(ftds);
      const attempts = lost ? rng.int(0, 1) : firstOk ? 1 : rng.int(2, 3);
      let delivered = lost ? 0 : promised + Math.round(rng.normal(-0.3, 0.8) * DAY) + (attempts - 1) * DAY;
      if (delivered && delivered < ordered + DAY) delivered = ordered + DAY;
      if (delivered > now) delivered = 0;
      let orderId = amazonOrderId(rng);
      while (orderIds.has(orderId)) orderId = amazonOrderId(rng);
      orderIds.add(orderId);
      const order: OrderRow = {
        order_id: orderId,
        region: c.region,
        ordered_at: iso(ordered),
        promised_at: iso(promised),
        delivered_at: delivered ? iso(delivered) : '',
        delivery_attempts: delivered ? attempts : Math.min(attempts, 1),
        first_attempt_success: delivered > 0 && attempts === 1,
        customer_id: c.id,
        product: p.id,
      };
      orders.push(order);
      // Who escalates what.
      let kind: IssueKind | undefined;
      if (c.abusive) {
        kind = rng.chance(0.65) ? 'not_received' : rng.pick(['refund', 'damaged', 'defective'] as IssueKind[]);
      } else if (c.ringId) {
        kind = rng.chance(0.6) ? rng.pick(['refund', 'defective', 'fake_reviews'] as IssueKind[]) : undefined;
      } else if (!delivered) {
        kind = rng.chance(0.6) ? 'not_received' : undefined;
      } else if (delivered > promised + DAY) {
        kind = rng.chance(0.5) ? 'late' : undefined;
      } else if (rng.chance(0.1)) {
        kind = rng.pick(['damaged', 'wrong_item', 'defective', 'refund'] as IssueKind[]);
      }
      if (!kind) continue;
      const hostile = {
        threat: c.abusive ? rng.chance(0.5) : rng.chance(0.03),
        profanity: c.abusive ? rng.chance(0.45) : rng.chance(0.04),
      };
      const openedBase = delivered || promised;
      const opened = Math.min(now - HOUR, Math.floor(openedBase + rng.float(0.2, 6) * DAY));
      const statusRoll = rng.next();
      const status =
        opened > now - 3 * DAY && statusRoll < 0.6
          ? 'open'
          : statusRoll < 0.08
            ? 'escalated'
            : statusRoll < 0.15
              ? 'open'
              : rng.chance(0.8)
                ? 'resolved'
                : 'closed';
      const resolved = status === 'resolved' || status === 'closed' ? Math.min(now, opened + Math.floor(rng.logNormal(1.5, 0.8) * DAY)) : 0;
      const refundable = ['not_received', 'refund', 'damaged', 'defective', 'wrong_item', 'fake_reviews'].includes(kind);
      const refund = !refundable
        ? rng.chance(0.2)
          ? Math.round(rng.float(5, 20))
          : 0
        : c.abusive
          ? Math.round(p.priceUsd * rng.float(1, 1.8) * 100) / 100
          : Math.round(p.priceUsd * (rng.chance(0.7) ? 1 : rng.float(0.2, 0.6)) * 100) / 100;
      // Labels are noisy, as in real queues: most abusive customers' cases are flagged, some
      // hostile-sounding genuine customers are flagged too, and a few flags are mistakes.
      const flagP = c.abusive ? 0.75 : c.ringId ? 0.4 : hostile.threat || hostile.profanity ? 0.3 : 0.02;
      const caseId = `CS-${caseNo++}`;
      escalations.push({
        case_id: caseId,
        opened_at: iso(opened),
        region: c.region,
        channel: rng.pick(CHANNELS),
        customer_id: c.id,
        customer_handle: c.handle,
        order_id: orderId,
        product: p.id,
        category: p.category,
        text: caseText(kind, p, orderId, rng, hostile),
        refund_amount: refund,
        status,
        resolved_at: resolved ? iso(resolved) : '',
        abusive: rng.chance(flagP),
      });
      if (c.ringId) (rings.find((r) => r.id === c.ringId) as TruthRing).caseIds.push(caseId);
    }
  }
  orders.sort((a, b) => (a.ordered_at < b.ordered_at ? -1 : a.ordered_at > b.ordered_at ? 1 : 0));
  escalations.sort((a, b) => (a.opened_at < b.opened_at ? -1 : a.opened_at > b.opened_at ? 1 : 0));
  return { orders, escalations, abusiveCustomers: abusive.sort() };
}
