// `ringwatch evaluate --labels <csv>`: account scores against a label list. Accounts in
// the labels but never scored count with score 0 (detection did not flag them), so an
// incomplete run cannot look better than it is; scored accounts without a label are ignored.
import { averagePrecision, precisionAtK, recallAtK, rocAuc } from '../metrics';
import { hashUnit } from '../scoring/combiner';

export interface LabelRow {
  account: string;
  label: boolean;
}

export interface EvaluationReport {
  labelled: number;
  positives: number;
  /** Labelled accounts detection never scored (scored as 0). */
  unscored: number;
  rocAuc: number;
  averagePrecision: number;
  /** k → precision@k and recall@k. */
  atK: { k: number; precision: number; recall: number }[];
}

const TRUE = new Set(['1', 'true', 'yes', 'y', 'ring', 'fake', 'positive', 'suspicious']);
const FALSE = new Set(['0', 'false', 'no', 'n', 'organic', 'genuine', 'negative', 'benign']);

/** Parses one label value; throws on anything that is not clearly 0/1. */
export function parseLabel(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new Error(`label "${value}" is not 0/1, true/false or yes/no`);
}

export function evaluateScores(scores: ReadonlyMap<string, number>, labels: readonly LabelRow[], ks: readonly number[] = [10, 50, 100]): EvaluationReport {
  const seen = new Map<string, boolean>();
  for (const l of labels) seen.set(l.account, l.label);
  const s: number[] = [];
  const y: boolean[] = [];
  let unscored = 0;
  for (const [account, label] of seen) {
    const score = scores.get(account);
    if (score === undefined) unscored++;
    s.push(score ?? 0);
    y.push(label);
  }
  const positives = y.filter(Boolean).length;
  return {
    labelled: y.length,
    positives,
    unscored,
    rocAuc: rocAuc(s, y),
    averagePrecision: averagePrecision(s, y),
    atK: ks.filter((k) => k > 0).map((k) => ({ k, precision: precisionAtK(s, y, k), recall: recallAtK(s, y, k) })),
  };
}

export interface HeldOutReport extends EvaluationReport {
  trainFraction: number;
  seed: number;
  /** Labelled accounts used for training (never evaluated). */
  trainLabelled: number;
  trainPositives: number;
  /** False when the training part had too few labels of a class: the unsupervised score stood. */
  learned: boolean;
  /** The unsupervised score on the same evaluated part. */
  unsupervised: { rocAuc: number; averagePrecision: number };
}

/**
 * Honest evaluation of learning from labels: a seeded random `fraction` of the labelled
 * accounts trains the combiner (scoring/combiner), the rest is evaluated. `detect` is
 * handed the training labels only, so no label of the evaluated part can reach a score.
 */
export function evaluateHeldOut(
  detect: (trainLabels: ReadonlyMap<string, boolean>) => { accounts: readonly { accountId: string; score: number; unsupervised?: number }[] },
  labels: readonly LabelRow[],
  fraction: number,
  seed = 42,
  ks: readonly number[] = [10, 50, 100],
): HeldOutReport & { trainIds: string[]; testIds: string[] } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`train fraction must be between 0 and 1 (exclusive), got ${fraction}`);
  const train = new Map<string, boolean>();
  const test: LabelRow[] = [];
  for (const l of labels) {
    if (hashUnit(l.account, seed) < fraction) train.set(l.account, l.label);
    else test.push(l);
  }
  const result = detect(train);
  const scores = new Map<string, number>();
  const unsupervised = new Map<string, number>();
  for (const a of result.accounts) {
    if (train.has(a.accountId)) continue;
    scores.set(a.accountId, a.score);
    unsupervised.set(a.accountId, a.unsupervised ?? a.score);
  }
  const report = evaluateScores(scores, test, ks);
  const plain = evaluateScores(unsupervised, test, ks);
  return {
    ...report,
    trainFraction: fraction,
    seed,
    trainLabelled: train.size,
    trainPositives: [...train.values()].filter(Boolean).length,
    learned: result.accounts.some((a) => a.unsupervised !== undefined),
    unsupervised: { rocAuc: plain.rocAuc, averagePrecision: plain.averagePrecision },
    trainIds: [...train.keys()],
    testIds: [...new Set(test.map((l) => l.account))],
  };
}
