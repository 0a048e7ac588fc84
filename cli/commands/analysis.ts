// `ringwatch enrich`, `ringwatch detect`, `ringwatch evaluate`: the analysis stages.
import { toDate } from '../../analysis/time';
import { UsageError } from '../errors';
import type { Command } from 'commander';
import { coverageNote, detectJob } from '../../jobs/detect';
import { coShareWindowMsOf } from '../../jobs/detect-options';
import { evaluateJob } from '../../jobs/evaluate';
import type { CliDeps } from '../context';
import { output, printTable } from '../output';

const int = (v: string) => {
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n)) throw new Error(`not an integer: ${v}`);
  return n;
};

export function register(program: Command, deps: CliDeps) {
  program
    .command('enrich')
    .description('NLP enrichment of new or changed posts: products, accounts, codes, sentiment, near-duplicate fingerprints (incremental; a re-run with nothing new is a no-op)')
    .option('--workers <n>', 'worker threads (default: one per core)', int)
    .option('--force', 're-enrich every post (e.g. after a catalogue change)')
    .action(async (opts: { workers?: number; force?: boolean }) => {
      // Loaded here, not with the module: the NLP models (compromise, wink) take ≈ 1 s to load,
      // which `detect` and `evaluate` would pay at every start.
      const { enrichJob } = await import('../../jobs/enrich');
      const r = await deps.withStore((store) => deps.runJob(store, enrichJob, { workers: opts.workers, force: opts.force }, 'enrich'));
      output(program.opts().json, r, () =>
        console.log(`enriched ${r.enriched} of ${r.scanned} posts (${r.skipped} already current), ${r.candidatesAdded} candidate products added, ${r.rejected} rejected, ${(r.ms / 1000).toFixed(1)} s`),
      );
    });

  program
    .command('detect')
    .description('build the account graph for a window, find communities (Louvain), score rings and accounts, link rings to escalation cases')
    .option('--window <duration>', 'window length ending at --until, e.g. 72h, 14d (default: config detect.window)')
    .option('--since <date>', 'window start (ISO date); overrides --window')
    .option('--until <date>', 'window end (ISO date; default: the newest stored post)')
    .option('--all', 'the whole stored history (e.g. after importing a historical data set); the co-action window still bounds the graph pairs')
    .option('--resolution <r>', 'Louvain resolution (higher: smaller communities)', Number.parseFloat)
    .option('--seed <n>', 'random seed for Louvain (same input and seed, same rings)', int)
    .option('--co-share-window <duration>', 'accounts sharing one object (URL, retweeted post, hashtag …) within this of each other co-share, e.g. 10s, 60s, 10m (default: config detect.coShareWindow, 10s as CooRTweet)')
    .option('--labels <csv>', 'account,label file to learn account scores from, beside confirmed / dismissed rings (needs 20 of each class)')
    .action(async (opts: { window?: string; since?: string; until?: string; all?: boolean; resolution?: number; seed?: number; coShareWindow?: string; labels?: string }) => {
      if (opts.all && (opts.window || opts.since || opts.until)) throw new Error('--all reads the whole history: leave out --window, --since and --until');
      toDate(opts.since, '--since');
      toDate(opts.until, '--until');
      const r = await deps.withStore((store) => deps.runJob(store, detectJob, opts, 'detect'));
      const coverage = coverageNote(r);
      output(program.opts().json, { ...r, coverage }, () => {
        const dates = new Set(['since', 'until', 'storeOldest', 'storeNewest']);
        const rows = Object.entries(r)
          .filter(([, v]) => typeof v === 'number')
          .map(([k, v]) => ({ stat: k, value: dates.has(k) ? (v ? new Date(v as number).toISOString() : '') : v }));
        printTable(rows);
        console.log(`\n${coverage}.`);
        if (r.timeResolutionMs >= 86_400_000) console.log('Timestamps are dates only: co-reviews are reviews of one product on the same date.');
        console.log(r.learnedScores ? `Account scores learned from ${r.labelledAccounts} labelled accounts (confirmed / dismissed rings, --labels).` : r.labelledAccounts > 0 ? `Only ${r.labelledAccounts} labelled accounts (20 of each class needed): account scores are unsupervised.` : 'Account scores are unsupervised (no confirmed or dismissed rings yet).');
        console.log('\nNext: `ringwatch rings list` to review the rings, `ringwatch accounts list` for scored accounts.');
      });
    });

  program
    .command('evaluate')
    .description('AUC, average precision and precision@k of the stored account scores against a label file')
    .requiredOption('--labels <csv>', 'CSV with header account,label (label 1/0, true/false, yes/no)')
    .option('--k <list>', 'comma-separated k values for precision@k', '10,50,100')
    .option('--train-fraction <f>', 'learn from this random share of the labels (0 < f < 1) and evaluate on the rest; re-runs detection, writes nothing')
    .option('--seed <n>', 'seed of the train / evaluate split', '42')
    .option('--since <date>', 'with --train-fraction: first post date to read (default: the whole history)')
    .option('--until <date>', 'with --train-fraction: last post date to read')
    .option('--co-share-window <duration>', 'with --train-fraction: the co-share window of the re-run detection (default: config detect.coShareWindow)')
    .action(async (opts: { labels: string; k: string; trainFraction?: string; seed: string; since?: string; until?: string; coShareWindow?: string }) => {
      const ks = opts.k.split(',').map((s) => int(s.trim()));
      const trainFraction = opts.trainFraction === undefined ? undefined : Number(opts.trainFraction);
      if (trainFraction !== undefined && !(trainFraction > 0 && trainFraction < 1)) throw new UsageError(`--train-fraction must be a number between 0 and 1 (exclusive), got "${opts.trainFraction}"`);
      if (opts.coShareWindow !== undefined && trainFraction === undefined) throw new UsageError('--co-share-window changes a detection: give it with --train-fraction (or to `ringwatch detect`)');
      if (opts.coShareWindow !== undefined) coShareWindowMsOf(opts.coShareWindow, '--co-share-window');
      const params = { labels: opts.labels, ks, trainFraction, seed: int(opts.seed), since: opts.since, until: opts.until, coShareWindow: opts.coShareWindow };
      const r = await deps.withStore((store) => deps.runJob(store, evaluateJob, params, 'evaluate'));
      output(program.opts().json, r, () => {
        if ('trainFraction' in r) {
          console.log(`trained on ${r.trainLabelled} labelled accounts (${r.trainPositives} positive, ${Math.round(r.trainFraction * 100)} %, seed ${r.seed})${r.learned ? '' : ' — too few of a class: the unsupervised score stood'}`);
          console.log(`evaluated on the other ${r.labelled} (${r.positives} positive); unsupervised on the same: ROC AUC ${r.unsupervised.rocAuc.toFixed(3)}, AP ${r.unsupervised.averagePrecision.toFixed(3)}`);
        }
        console.log(`labelled accounts: ${r.labelled} (${r.positives} positive, ${r.unscored} never scored, counted as 0)`);
        console.log(`ROC AUC ${r.rocAuc.toFixed(3)}   average precision ${r.averagePrecision.toFixed(3)}`);
        printTable(r.atK.map((x) => ({ k: x.k, precision: x.precision, recall: x.recall })));
      });
    });
}
