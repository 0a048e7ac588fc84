// `ringwatch evaluate --labels <csv>`: account scores against a label list. Accounts in
// the labels but never scored count with score 0 (detection did not flag them), so an
// incomplete run cannot look better than it is; scored accounts without a label are ignored.
import { averagePrecision, precisionAtK, recallAtK, rocAuc } from '../metrics';

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
