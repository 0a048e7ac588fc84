// The abuse model end to end, pure: time-based split, feature spec, logistic regression,
// calibration, metrics, scoring with top contributing features, and the anomaly score.
import { averagePrecision, brierScore, type CalibrationBin, calibrationTable, precisionAtK, rocAuc } from '../metrics';
import { isoWeek } from '../time';
import { anomalyScore, type RobustStats, robustStats } from './anomaly';
import { applyCalibration, type Calibration, fitIsotonic, fitPlatt } from './calibration';
import { BASE_FEATURES, BEHAVIOUR_FEATURES, type CaseInput, caseFeatures, type FeatureContext, type FeatureSpec, featureNames } from './features';
import { contributions, fitLogistic, type LogisticModel, logit, sigmoid } from './logistic';
import { fitVocabulary } from './tfidf';

export interface TrainOptions {
  /** Share of the labelled weeks (latest) held out for testing. */
  testShare?: number;
  /** Share of the training weeks (latest) used to fit the calibration. */
  calibrationShare?: number;
  /** L2 penalty; default: chosen from a grid by log-loss on the calibration weeks. */
  l2?: number;
  /** TF-IDF vocabulary size. */
  terms?: number;
  calibration?: 'platt' | 'isotonic';
}

export interface AbuseModelParams {
  features: string[];
  spec: FeatureSpec;
  logistic: LogisticModel;
  calibration: Calibration;
  anomaly: RobustStats;
  /** Probability at or above which a case counts as abusive in KPIs. */
  threshold: number;
}

export interface TrainResult {
  params: AbuseModelParams;
  trainRange: { from: Date; to: Date };
  testRange: { from: Date; to: Date };
  metrics: Record<string, number>;
  calibrationTable: CalibrationBin[];
  counts: { train: number; calibration: number; test: number };
}

function range(cases: readonly CaseInput[]): { from: Date; to: Date } {
  let from = Infinity;
  let to = -Infinity;
  for (const c of cases) {
    from = Math.min(from, c.openedAt.getTime());
    to = Math.max(to, c.openedAt.getTime());
  }
  return { from: new Date(from), to: new Date(to) };
}

/** Splits labelled cases by ISO week: the latest `share` of weeks (at least one) go last. */
export function splitByWeeks<T extends { openedAt: Date }>(cases: readonly T[], share: number): { early: T[]; late: T[] } {
  const weeks = [...new Set(cases.map((c) => isoWeek(c.openedAt)))].sort();
  if (weeks.length < 2) throw new Error(`need labelled cases in at least 2 ISO weeks for a time split, got ${weeks.length}`);
  const nLate = Math.min(weeks.length - 1, Math.max(1, Math.round(weeks.length * share)));
  const late = new Set(weeks.slice(weeks.length - nLate));
  const out = { early: [] as T[], late: [] as T[] };
  for (const c of cases) (late.has(isoWeek(c.openedAt)) ? out.late : out.early).push(c);
  return out;
}

/**
 * Trains on labelled cases. Features use every case (labelled or not) as history, so the
 * `all` list should hold all cases; only labelled ones are fitted and evaluated.
 */
export function trainAbuseModel(all: readonly CaseInput[], ctx: FeatureContext, opts: TrainOptions = {}): TrainResult {
  const labelled = all.filter((c) => c.abusive !== undefined);
  if (labelled.length < 20) throw new Error(`need at least 20 labelled cases to train, got ${labelled.length}`);
  const { early, late: test } = splitByWeeks(labelled, opts.testShare ?? 0.25);
  const { early: fit, late: cal } = splitByWeeks(early, opts.calibrationShare ?? 0.2);
  const spec: FeatureSpec = {
    channels: [...new Set(fit.map((c) => c.channel))].sort(),
    vocabulary: fitVocabulary(fit.map((c) => c.text ?? ''), opts.terms ?? 30),
  };
  const rows = caseFeatures(all, ctx, spec);
  const rowOf = new Map(all.map((c, i) => [c.id, rows[i]]));
  const X = (cs: CaseInput[]) => cs.map((c) => rowOf.get(c.id) as number[]);
  const y = (cs: CaseInput[]): number[] => cs.map((c) => (c.abusive ? 1 : 0));

  // λ chosen on the calibration weeks (log-loss), unless given: the right amount of
  // shrinkage depends on how many labelled cases there are.
  const grid = opts.l2 !== undefined ? [opts.l2] : [0.3, 1, 3, 10, 30, 100, 300, 1000];
  let logistic = fitLogistic(X(fit), y(fit), { l2: grid[0] });
  let bestLoss = grid.length > 1 ? logLoss(X(cal).map((x) => sigmoid(logit(logistic, x))), y(cal)) : 0;
  for (const l2 of grid.slice(1)) {
    const m = fitLogistic(X(fit), y(fit), { l2 });
    const loss = logLoss(X(cal).map((x) => sigmoid(logit(m, x))), y(cal));
    if (loss < bestLoss) {
      bestLoss = loss;
      logistic = m;
    }
  }
  const calScores = X(cal).map((x) => logit(logistic, x));
  const calibration: Calibration = (opts.calibration ?? 'platt') === 'platt' ? fitPlatt(calScores, y(cal)) : fitIsotonic(calScores, y(cal));

  const yTest = y(test);
  const raw = X(test).map((x) => logit(logistic, x));
  const probs = raw.map((s) => applyCalibration(calibration, s));
  const prevalence = y(fit).reduce((s, v) => s + v, 0) / fit.length;
  const majority = prevalence >= 0.5 ? 1 : 0;
  const accuracy = probs.filter((p, i) => (p >= 0.5 ? 1 : 0) === yTest[i]).length / yTest.length;
  const baselineAccuracy = yTest.filter((v) => v === majority).length / yTest.length;
  const k = Math.max(1, Math.round(yTest.length * 0.05));
  const metrics: Record<string, number> = {
    rocAuc: rocAuc(probs, yTest),
    rocAucUncalibrated: rocAuc(raw, yTest),
    prAuc: averagePrecision(probs, yTest),
    brier: brierScore(probs, yTest),
    accuracy,
    [`precisionAt${k}`]: precisionAtK(probs, yTest, k),
    baselineAccuracy,
    baselineBrier: brierScore(yTest.map(() => prevalence), yTest),
    baselinePrAuc: yTest.reduce((s, v) => s + v, 0) / yTest.length,
    trainPrevalence: prevalence,
    testPrevalence: yTest.reduce((s, v) => s + v, 0) / yTest.length,
    iterations: logistic.iterations,
    l2: logistic.l2,
  };
  for (const [key, v] of Object.entries(metrics)) if (!Number.isFinite(v)) delete metrics[key];

  const names = featureNames(spec);
  const behaviourIdx = BEHAVIOUR_FEATURES.map((f) => names.indexOf(f));
  const anomaly = robustStats(rows.map((r) => behaviourIdx.map((j) => r[j])));
  return {
    params: { features: names, spec, logistic, calibration, anomaly, threshold: 0.5 },
    trainRange: range(early),
    testRange: range(test),
    metrics,
    calibrationTable: calibrationTable(probs, yTest, 10),
    counts: { train: fit.length, calibration: cal.length, test: test.length },
  };
}

function logLoss(probs: readonly number[], labels: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, probs[i]));
    s -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return s / Math.max(1, probs.length);
}

export interface CaseScore {
  id: string;
  abuseScore: number;
  topFeatures: { feature: string; contribution: number }[];
  /** The customer's anomaly score (highest over their cases). */
  anomalyScore: number;
  anomalyFeature?: string;
}

/** Scores every case with a trained model; `all` gives the history as in training. */
export function scoreCases(all: readonly CaseInput[], ctx: FeatureContext, params: AbuseModelParams, top = 3): CaseScore[] {
  const rows = caseFeatures(all, ctx, params.spec);
  const names = params.features;
  const behaviourIdx = BEHAVIOUR_FEATURES.map((f) => names.indexOf(f));
  const perCustomer = new Map<string, { score: number; feature?: string }>();
  const anomalies = rows.map((r, i) => {
    const a = anomalyScore(behaviourIdx.map((j) => r[j]), params.anomaly);
    const cur = perCustomer.get(all[i].customerId);
    const feature = a.feature >= 0 ? BEHAVIOUR_FEATURES[a.feature] : undefined;
    if (!cur || a.score > cur.score) perCustomer.set(all[i].customerId, { score: a.score, feature });
    return a;
  });
  void anomalies;
  return all.map((c, i) => {
    const x = rows[i];
    const contrib = contributions(params.logistic, x);
    const order = contrib.map((_, j) => j).filter((j) => contrib[j] > 0).sort((a, b) => contrib[b] - contrib[a]).slice(0, top);
    const cust = perCustomer.get(c.customerId) ?? { score: 0 };
    return {
      id: c.id,
      abuseScore: applyCalibration(params.calibration, logit(params.logistic, x)),
      topFeatures: order.map((j) => ({ feature: names[j], contribution: Math.round(contrib[j] * 1000) / 1000 })),
      anomalyScore: cust.score,
      ...(cust.feature ? { anomalyFeature: cust.feature } : {}),
    };
  });
}

export { BASE_FEATURES };
