// The `model` jobs: train (fit + evaluate on held-out weeks, store in `models`), evaluate
// (the latest model against the labelled cases of its test range), score (write abuse
// score, top features, anomaly score and text analysis to every case).
import { randomUUID } from 'node:crypto';
import { type AbuseModelParams, scoreCases, trainAbuseModel, type TrainOptions } from '../analysis/escalations/abuse-model';
import { caseFeatures, featureContext } from '../analysis/escalations/features';
import { applyCalibration } from '../analysis/escalations/calibration';
import { logit } from '../analysis/escalations/logistic';
import { averagePrecision, brierScore, calibrationTable, rocAuc } from '../analysis/metrics';
import { latestModel, loadCases, loadOrders, loadRingInfo, MODEL_KIND } from '../queries/cases';
import type { ModelRecord } from '../storage/types';
import { Type as T } from '@sinclair/typebox';
import { paramsSchema } from './params';
import type { Job, JobContext } from './types';

type Ctx = Pick<JobContext, 'store' | 'log' | 'progress' | 'signal'>;

export interface TrainParams extends TrainOptions {}

export async function runTrain(ctx: Ctx, params: TrainParams = {}) {
  const t0 = performance.now();
  const { cases, analysisUpdates } = await loadCases(ctx);
  await ctx.store.escalations.setMany(analysisUpdates);
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
  let flagged = 0;
  const updates = scores.map((s) => {
    if (s.abuseScore >= params.threshold) flagged++;
    return {
      id: s.id,
      set: { ...(analysis.get(s.id) ?? {}), abuseScore: s.abuseScore, abuseTopFeatures: s.topFeatures, anomalyScore: s.anomalyScore, modelId: model._id },
    };
  });
  const written = (await ctx.store.escalations.setMany(updates, { progress: (done) => ctx.progress(done, scores.length, 'scoring') })).matched;
  return { modelId: model._id, scored: written, flagged, threshold: params.threshold };
}

export const modelTrainJob: Job<TrainParams, Record<string, unknown>> = {
  name: 'model:train',
  queue: 'detect',
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
  queue: 'detect',
  description: 'Score every escalation case with the latest abuse model (abuse score, top features, anomaly score)',
  params: paramsSchema({}),
  run: (ctx) => runScore(ctx),
};
