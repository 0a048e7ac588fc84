// The `evaluate` job: reads a label file (CSV with header `account,label`), looks up the
// stored account scores and reports AUC, average precision and precision/recall@k.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { type EvaluationReport, evaluateScores, type LabelRow, parseLabel } from '../analysis/rings/evaluate';
import type { Job, JobContext } from './types';

export interface EvaluateParams {
  labels: string;
  ks?: number[];
}

/** Parses `account,label` CSV text; errors name the line. */
export function parseLabelsCsv(text: string): LabelRow[] {
  const rows = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  if (rows.length > 0 && (!('account' in rows[0]) || !('label' in rows[0]))) throw new Error('label file needs a header with "account" and "label" columns');
  return rows.map((r, i) => {
    if (!r.account) throw new Error(`line ${i + 2}: empty account`);
    try {
      return { account: r.account, label: parseLabel(r.label ?? '') };
    } catch (err) {
      throw new Error(`line ${i + 2}: ${(err as Error).message}`);
    }
  });
}

export async function runEvaluate(ctx: JobContext, params: EvaluateParams): Promise<EvaluationReport> {
  const labels = parseLabelsCsv(await readFile(params.labels, 'utf8'));
  const ids = [...new Set(labels.map((l) => l.account))];
  const scores = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 1000) {
    for (const a of await ctx.store.accounts.getMany(ids.slice(i, i + 1000), { projection: { _id: 1, 'suspicion.score': 1 } })) {
      if (a.suspicion?.score !== undefined) scores.set(a._id, a.suspicion.score);
    }
    ctx.progress(Math.min(ids.length, i + 1000), ids.length, 'reading scores');
  }
  const report = evaluateScores(scores, labels, params.ks);
  ctx.log.info({ rocAuc: report.rocAuc, averagePrecision: report.averagePrecision, labelled: report.labelled }, 'evaluate finished');
  return report;
}

export const evaluateJob: Job<EvaluateParams, EvaluationReport> = {
  name: 'evaluate',
  description: 'AUC, average precision and precision/recall@k of stored account scores against an account,label file.',
  run: runEvaluate,
};
