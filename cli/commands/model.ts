// `ringwatch model train|evaluate|score`: the escalation abuse model.
import type { Command } from 'commander';
import { modelEvaluateJob, modelScoreJob, modelTrainJob } from '../../jobs/model';
import type { CliDeps } from '../context';
import { output, printTable } from '../output';

const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
  return n;
};

export function register(program: Command, deps: CliDeps) {
  const model = program.command('model').description('escalation abuse model: logistic regression with L2, time-based split, calibrated probabilities');

  model
    .command('train')
    .description('train on labelled cases (abusive column), test on the latest weeks, store the model with its metrics')
    .option('--test-share <x>', 'share of labelled weeks held out for testing', num)
    .option('--l2 <x>', 'L2 penalty (default: chosen on the calibration weeks)', num)
    .option('--terms <n>', 'TF-IDF vocabulary size', num)
    .option('--calibration <kind>', 'platt | isotonic', 'platt')
    .action(async (opts: { testShare?: number; l2?: number; terms?: number; calibration?: 'platt' | 'isotonic' }) => {
      if (opts.calibration && !['platt', 'isotonic'].includes(opts.calibration)) throw new Error('--calibration must be platt or isotonic');
      const r = await deps.withStore((store) => deps.runJob(store, modelTrainJob, opts, 'model train'));
      output(program.opts().json, r, () => {
        const m = r as Record<string, unknown>;
        console.log(`model ${m.modelId}: trained on ${m.trainCases} cases, calibrated on ${m.calibrationCases}, tested on ${m.testCases} (held-out weeks)`);
        printTable(['rocAuc', 'prAuc', 'brier', 'accuracy', 'baselinePrAuc', 'baselineBrier', 'baselineAccuracy', 'l2'].filter((k) => k in m).map((k) => ({ metric: k, value: m[k] })));
      });
    });

  model
    .command('evaluate')
    .description('re-measure the latest model on the labelled cases of its test weeks')
    .action(async () => {
      const r = await deps.withStore((store) => deps.runJob(store, modelEvaluateJob, {}, 'model evaluate'));
      output(program.opts().json, r, () => {
        const m = r as unknown as Record<string, unknown> & { calibration: { bin: number; predicted: number; observed: number; count: number }[] };
        console.log(`model ${m.modelId} on ${m.testCases} held-out cases: ROC AUC ${Number(m.rocAuc).toFixed(3)}, PR AUC ${Number(m.prAuc).toFixed(3)}, Brier ${Number(m.brier).toFixed(4)}`);
        printTable(m.calibration.map((b) => ({ bin: `${(b.bin / 10).toFixed(1)}–${((b.bin + 1) / 10).toFixed(1)}`, predicted: b.predicted.toFixed(3), observed: b.observed.toFixed(3), cases: b.count })));
      });
    });

  model
    .command('score')
    .description('write abuse score, top contributing features, anomaly score and text analysis to every case')
    .action(async () => {
      const r = await deps.withStore((store) => deps.runJob(store, modelScoreJob, {}, 'model score'));
      output(program.opts().json, r, () => {
        const m = r as Record<string, unknown>;
        console.log(`scored ${m.scored} cases with ${m.modelId}; ${m.flagged} at or above ${m.threshold}`);
      });
    });
}
