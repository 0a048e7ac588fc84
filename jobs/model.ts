// The `model` jobs: train (fit + evaluate on held-out weeks, store in `models`), evaluate
// (the latest model against the labelled cases of its test range), score (write abuse
// score, top features, anomaly score and text analysis to every case).
import { randomUUID } from 'node:crypto';
import { type AbuseModelParams, scoreCases, trainAbuseModel, type TrainOptions } from '../analysis/escalations/model';
import { type CaseInput, featureContext, normaliseHandle, type OrderInput, type RingInfo } from '../analysis/escalations/features';
import { caseFeatures } from '../analysis/escalations/features';
import { applyCalibration } from '../analysis/escalations/calibration';
import { logit } from '../analysis/escalations/logistic';
import { caseTextSignals, type NlpFunctions } from '../analysis/escalations/text';
import { averagePrecision, brierScore, calibrationTable, rocAuc } from '../analysis/metrics';
import { createEnricher } from '../analysis/nlp/enrich';
import type { Store } from '../storage/store';
import type { Escalation, ModelRecord } from '../storage/types';
import { Type as T } from '@sinclair/typebox';
import { paramsSchema } from './params';
import type { Job, JobContext } from './types';

type Ctx = Pick<JobContext, 'store' | 'log' | 'progress' | 'signal'>;

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
export async function loadCases(ctx: Ctx): Promise<{ cases: CaseInput[]; analysisUpdates: { id: string; set: Partial<Escalation> }[] }> {
  const nlp = await nlpFor(ctx.store);
  const cases: CaseInput[] = [];
  const analysisUpdates: { id: string; set: Partial<Escalation> }[] = [];
  const total = await ctx.store.escalations.count();
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
  for await (const a of store.accounts.stream({ 'suspicion.score': { $gt: 0 } }, { projection: { handle: 1, suspicion: 1 } })) {
    const h = normaliseHandle(a.handle ?? '');
    if (!h) continue;
    suspicion.set(h, Math.max(suspicion.get(h) ?? 0, a.suspicion?.score ?? 0));
    if (a.suspicion?.ringId) ringMembers.add(h);
  }
  const ids = [...memberIds];
  for (let i = 0; i < ids.length; i += 1000) {
    for (const a of await store.accounts.getMany(ids.slice(i, i + 1000))) if (a.handle) ringMembers.add(normaliseHandle(a.handle));
  }
  return { suspicion, ringMembers };
}

async function writeAnalysis(store: Store, updates: { id: string; set: Partial<Escalation> }[]): Promise<void> {
  for (let i = 0; i < updates.length; i += 1000) await store.escalations.setMany(updates.slice(i, i + 1000));
}

export interface TrainParams extends TrainOptions {}

export async function runTrain(ctx: Ctx, params: TrainParams = {}) {
  const t0 = performance.now();
  const { cases, analysisUpdates } = await loadCases(ctx);
  await writeAnalysis(ctx.store, analysisUpdates);
  const orders = await loadOrders(ctx.store);
  const fctx = featureContext(orders, await loadRingInfo(ctx.store));
  const t1 = performance.now();
  const result = trainAbuseModel(cases, fctx, params);
  const trainMs = performance.now() - t1;
  const createdAt = new Date();
  const record: ModelRecord = {
    // Models are written once, never updated; the suffix keeps two trainings in one millisecond apart.
    _id: `${MODEL_KIND}:${createdAt.toISOString()}:${randomUUID().slice(0, 8)}`,
    kind: MODEL_KIND,
    createdAt,
    features: result.params.features,
    params: result.params as unknown as Record<string, unknown>,
    trainRange: result.trainRange,
    testRange: result.testRange,
    metrics: { ...result.metrics, trainCases: result.counts.train, calibrationCases: result.counts.calibration, testCases: result.counts.test, trainMs: Math.round(trainMs) },
    calibration: result.calibrationTable.map((b) => ({ bin: b.bin, predicted: b.predicted, observed: b.observed, count: b.count })),
  };
  await ctx.store.models.insertOne(record);
  ctx.log.info({ model: record._id, metrics: record.metrics }, 'abuse model trained');
  return { modelId: record._id, ...record.metrics, cases: cases.length, analysed: analysisUpdates.length, totalMs: Math.round(performance.now() - t0) };
}

export async function latestModel(store: Store): Promise<ModelRecord | null> {
  const [m] = await store.models.find({ kind: MODEL_KIND }, { sort: { createdAt: -1 }, limit: 1 });
  return m ?? null;
}

/** Re-measures the latest model on the labelled cases in its test range (e.g. after labels were corrected). */
export async function runEvaluate(ctx: Ctx) {
  const model = await latestModel(ctx.store);
  if (!model) throw new Error('no abuse model yet: run `ringwatch model train`');
  const params = model.params as unknown as AbuseModelParams;
  const { cases } = await loadCases(ctx);
  const fctx = featureContext(await loadOrders(ctx.store), await loadRingInfo(ctx.store));
  const rows = caseFeatures(cases, fctx, params.spec);
  const from = model.testRange.from.getTime();
  const to = model.testRange.to.getTime();
  const probs: number[] = [];
  const labels: number[] = [];
  cases.forEach((c, i) => {
    const t = c.openedAt.getTime();
    if (c.abusive === undefined || t < from || t > to) return;
    probs.push(applyCalibration(params.calibration, logit(params.logistic, rows[i])));
    labels.push(c.abusive ? 1 : 0);
  });
  const metrics = { rocAuc: rocAuc(probs, labels), prAuc: averagePrecision(probs, labels), brier: brierScore(probs, labels), testCases: labels.length };
  return { modelId: model._id, ...metrics, calibration: calibrationTable(probs, labels, 10) };
}

export async function runScore(ctx: Ctx) {
  const model = await latestModel(ctx.store);
  if (!model) throw new Error('no abuse model yet: run `ringwatch model train`');
  const params = model.params as unknown as AbuseModelParams;
  const { cases, analysisUpdates } = await loadCases(ctx);
  const fctx = featureContext(await loadOrders(ctx.store), await loadRingInfo(ctx.store));
  const scores = scoreCases(cases, fctx, params);
  const analysis = new Map(analysisUpdates.map((u) => [u.id, u.set]));
  let written = 0;
  let flagged = 0;
  for (let i = 0; i < scores.length; i += 1000) {
    const part = scores.slice(i, i + 1000).map((s) => {
      if (s.abuseScore >= params.threshold) flagged++;
      return {
        id: s.id,
        set: { ...(analysis.get(s.id) ?? {}), abuseScore: s.abuseScore, abuseTopFeatures: s.topFeatures, anomalyScore: s.anomalyScore, modelId: model._id },
      };
    });
    const r = await ctx.store.escalations.setMany(part);
    written += r.matched;
    ctx.progress(Math.min(scores.length, i + 1000), scores.length, 'scoring');
  }
  return { modelId: model._id, scored: written, flagged, threshold: params.threshold };
}

export const modelTrainJob: Job<TrainParams, Record<string, unknown>> = {
  name: 'model:train',
  description: 'Train the escalation abuse model on labelled cases (time split, calibrated) and store it',
  params: paramsSchema({
    testShare: T.Optional(T.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
    calibrationShare: T.Optional(T.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
    l2: T.Optional(T.Number({ minimum: 0, maximum: 1e6 })),
    terms: T.Optional(T.Integer({ minimum: 1, maximum: 100_000 })),
    calibration: T.Optional(T.Union([T.Literal('platt'), T.Literal('isotonic')])),
  }),
  run: (ctx, params) => runTrain(ctx, params ?? {}),
};

export const modelEvaluateJob: Job<Record<string, never>, Record<string, unknown>> = {
  name: 'model:evaluate',
  description: 'Evaluate the latest abuse model on its held-out weeks',
  params: paramsSchema({}),
  run: (ctx) => runEvaluate(ctx),
};

export const modelScoreJob: Job<Record<string, never>, Record<string, unknown>> = {
  name: 'model:score',
  description: 'Score every escalation case with the latest abuse model (abuse score, top features, anomaly score)',
  params: paramsSchema({}),
  run: (ctx) => runScore(ctx),
};
