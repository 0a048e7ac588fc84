// The abuse model's inputs and its latest record, read from the store: every case with
// its text signals, the orders, what detection found (ring members, suspicion by
// handle), and the newest trained model.
import { type CaseInput, normaliseHandle, type OrderInput, type RingInfo } from '../analysis/escalations/features';
import { caseTextSignals, type NlpFunctions } from '../analysis/escalations/text';
import { createEnricher } from '../analysis/nlp/enrich';
import type { Store } from '../storage/store';
import type { Escalation, ModelRecord } from '../storage/types';

/** What reading the cases needs: the store, progress for the terminal, a stop signal. */
export interface LoadContext {
  store: Store;
  progress: (done: number, total?: number, message?: string) => void;
  signal: AbortSignal;
}

export const MODEL_KIND = 'abuse-logistic' as const;

async function nlpFor(store: Store): Promise<NlpFunctions> {
  const catalogue = (await store.products.find({})).filter((p) => !p.candidate);
  const enricher = createEnricher(catalogue);
  return {
    analyse(text) {
      const e = enricher.enrich(text);
      return { sentiment: e.sentiment, products: e.products.map((p) => p.productId), orderIds: e.orderIds, handles: e.mentions };
    },
  };
}

/** Every case with its text signals. Sentiment and entities are reused from a stored analysis (cleared by the importer when the text changes). */
export async function loadCases(ctx: LoadContext): Promise<{ cases: CaseInput[]; analysisUpdates: { id: string; set: Partial<Escalation> }[] }> {
  const nlp = await nlpFor(ctx.store);
  const cases: CaseInput[] = [];
  const analysisUpdates: { id: string; set: Partial<Escalation> }[] = [];
  // For progress only: from the collection's metadata (a count scans every case on FerretDB).
  const total = await ctx.store.escalations.estimatedCount();
  const projection = { openedAt: 1, customerId: 1, customerHandle: 1, orderId: 1, refundAmount: 1, channel: 1, text: 1, abusive: 1, analysis: 1 } as const;
  for await (const e of ctx.store.escalations.stream({}, { projection })) {
    const stored = e.analysis;
    const reuse: NlpFunctions = stored
      ? { analyse: () => ({ sentiment: stored.sentiment, products: stored.products, orderIds: stored.orderIds, handles: stored.handles }) }
      : nlp;
    const signals = caseTextSignals(e.text, reuse);
    if (!stored || stored.threat !== signals.threat || stored.profanity !== signals.profanity) {
      analysisUpdates.push({
        id: e._id,
        set: { analysis: { sentiment: signals.sentiment, threat: signals.threat, profanity: signals.profanity, products: signals.products, orderIds: signals.orderIds, handles: signals.handles } },
      });
    }
    cases.push({
      id: e._id, customerId: e.customerId, customerHandle: e.customerHandle, openedAt: e.openedAt, orderId: e.orderId,
      refundAmount: e.refundAmount, channel: e.channel, text: e.text, abusive: e.abusive, signals,
    });
    if (cases.length % 1000 === 0) {
      ctx.progress(cases.length, total, 'text analysis');
      if (ctx.signal.aborted) throw new Error('model cancelled');
    }
  }
  return { cases, analysisUpdates };
}

export async function loadOrders(store: Store): Promise<OrderInput[]> {
  const out: OrderInput[] = [];
  for await (const o of store.orders.stream({}, { projection: { customerId: 1, orderedAt: 1, deliveredAt: 1, firstAttemptSuccess: 1 } })) {
    out.push({ id: o._id, customerId: o.customerId, orderedAt: o.orderedAt, deliveredAt: o.deliveredAt, firstAttemptSuccess: o.firstAttemptSuccess });
  }
  return out;
}

/** Handles of ring members and of suspicious accounts, from `ringwatch detect`'s output. */
export async function loadRingInfo(store: Store): Promise<RingInfo> {
  const suspicion = new Map<string, number>();
  const ringMembers = new Set<string>();
  const memberIds = new Set<string>();
  for await (const r of store.rings.stream({ status: { $ne: 'dismissed' } }, { projection: { members: 1 } })) {
    for (const m of r.members ?? []) memberIds.add(m);
  }
  const scored = new Map<string, { score: number; ringId?: string }>();
  for await (const s of store.scores.summaries()) if (s.score > 0) scored.set(s.accountId, s);
  for await (const a of store.accounts.stream({}, { projection: { _id: 1, handle: 1 } })) {
    const s = scored.get(a._id);
    const h = s && normaliseHandle(a.handle ?? '');
    if (!s || !h) continue;
    suspicion.set(h, Math.max(suspicion.get(h) ?? 0, s.score));
    if (s.ringId) ringMembers.add(h);
  }
  for (const a of await store.accounts.getMany([...memberIds], { projection: { handle: 1 } })) if (a.handle) ringMembers.add(normaliseHandle(a.handle));
  return { suspicion, ringMembers };
}

export async function latestModel(store: Store): Promise<ModelRecord | null> {
  const [m] = await store.models.find({ kind: MODEL_KIND }, { sort: { createdAt: -1 }, limit: 1 });
  return m ?? null;
}
