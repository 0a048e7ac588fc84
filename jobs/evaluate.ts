// The `evaluate` job: reads a label file (CSV with header `account,label`), looks up the
// stored account scores and reports AUC, average precision and precision/recall@k.
// With `trainFraction` it measures learning from labels honestly instead: detection runs
// again over the stored posts (the whole history unless since/until are given) with a
// seeded random share of the labels to learn from, and only the rest is evaluated
// (analysis/rings/evaluate evaluateHeldOut). Nothing is written to the store.
import { readFile } from 'node:fs/promises';
import { detectRings } from '../analysis/rings/detect';
import { type EvaluationReport, evaluateHeldOut, evaluateScores, type HeldOutReport, type LabelRow } from '../analysis/rings/evaluate';
import { loadDetectInput, resolveWindow } from '../queries/detection';
import { detectOptions } from './detect-options';
import { parseLabelsCsv } from './labels';
import type { Job, JobContext } from './types';

export interface EvaluateParams {
  labels: string;
  ks?: number[];
  /** Share of the labels to train on (0 < f < 1); the rest is evaluated. */
  trainFraction?: number;
  seed?: number;
  since?: string;
  until?: string;
  /** Co-share window of the re-run detection (default: config detect.coShareWindow). */
  coShareWindow?: string;
}

export async function runEvaluate(ctx: JobContext, params: EvaluateParams): Promise<EvaluationReport | HeldOutReport> {
  const labels = parseLabelsCsv(await readFile(params.labels, 'utf8'));
  if (params.trainFraction !== undefined) return runHeldOut(ctx, params, labels);
  const ids = [...new Set(labels.map((l) => l.account))];
  const scores = new Map<string, number>();
  ctx.progress(0, ids.length, 'reading scores');
  for (const [id, s] of await ctx.store.scores.getMany(ids)) scores.set(id, s.score);
  ctx.progress(ids.length, ids.length, 'reading scores');
  const report = evaluateScores(scores, labels, params.ks);
  ctx.log.info({ rocAuc: report.rocAuc, averagePrecision: report.averagePrecision, labelled: report.labelled }, 'evaluate finished');
  return report;
}

async function runHeldOut(ctx: JobContext, params: EvaluateParams, labels: LabelRow[]): Promise<HeldOutReport> {
  const fraction = params.trainFraction as number;
  if (!(fraction > 0 && fraction < 1)) throw new Error(`--train-fraction must be between 0 and 1 (exclusive), got ${fraction}`);
  const all = params.since === undefined && params.until === undefined;
  const { since, until, snapshot } = await resolveWindow(ctx.store, { all, since: params.since, until: params.until }, ctx.config.detect.window);
  ctx.progress(0, 2, `loading posts ${since.toISOString()} → ${until.toISOString()}`);
  const { posts, accounts } = await loadDetectInput(ctx.store, snapshot, since, until, ctx.signal);
  ctx.progress(1, 2, `detecting with ${Math.round(fraction * 100)} % of ${labels.length} labels to learn from`);
  const options = detectOptions(ctx.config.detect, { coShareWindow: params.coShareWindow });
  const { trainIds: _t, testIds: _e, ...report } = evaluateHeldOut((train) => detectRings({ posts, accounts, labels: train, options }), labels, fraction, params.seed, params.ks);
  ctx.progress(2, 2, 'done');
  ctx.log.info({ rocAuc: report.rocAuc, averagePrecision: report.averagePrecision, trainLabelled: report.trainLabelled, learned: report.learned }, 'evaluate (held out) finished');
  return report;
}

export const evaluateJob: Job<EvaluateParams, EvaluationReport | HeldOutReport> = {
  name: 'evaluate',
  // One or two whole detection pipelines: off the thread that serves (jobs/thread.ts).
  thread: import.meta.url,
  description: 'AUC, average precision and precision/recall@k of stored account scores against an account,label file; with trainFraction, of scores learned from that share of the labels, on the rest.',
  run: runEvaluate,
};
