// `ringwatch enrich`, `ringwatch detect`, `ringwatch evaluate`: the analysis stages.
import type { Command } from 'commander';
import { coverageNote, detectJob } from '../../jobs/detect';
import { enrichJob } from '../../jobs/enrich';
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
    .action(async (opts: { window?: string; since?: string; until?: string; all?: boolean; resolution?: number; seed?: number }) => {
      if (opts.all && (opts.window || opts.since || opts.until)) throw new Error('--all reads the whole history: leave out --window, --since and --until');
      for (const [name, v] of [['since', opts.since], ['until', opts.until]] as const) {
        if (v && Number.isNaN(Date.parse(v))) throw new Error(`--${name} "${v}" is not a date (use e.g. 2026-11-01 or 2026-11-01T12:00:00Z)`);
      }
      const r = await deps.withStore((store) => deps.runJob(store, detectJob, opts, 'detect'));
      const coverage = coverageNote(r);
      output(program.opts().json, { ...r, coverage }, () => {
        const dates = new Set(['since', 'until', 'storeOldest', 'storeNewest']);
        const rows = Object.entries(r)
          .filter(([, v]) => typeof v === 'number')
          .map(([k, v]) => ({ stat: k, value: dates.has(k) ? (v ? new Date(v as number).toISOString() : '') : v }));
        printTable(rows);
        console.log(`\n${coverage}.`);
        console.log('\nNext: `ringwatch rings list` to review the rings, `ringwatch accounts list` for scored accounts.');
      });
    });

  program
    .command('evaluate')
    .description('AUC, average precision and precision@k of the stored account scores against a label file')
    .requiredOption('--labels <csv>', 'CSV with header account,label (label 1/0, true/false, yes/no)')
    .option('--k <list>', 'comma-separated k values for precision@k', '10,50,100')
    .action(async (opts: { labels: string; k: string }) => {
      const ks = opts.k.split(',').map((s) => int(s.trim()));
      const r = await deps.withStore((store) => deps.runJob(store, evaluateJob, { labels: opts.labels, ks }, 'evaluate'));
      output(program.opts().json, r, () => {
        console.log(`labelled accounts: ${r.labelled} (${r.positives} positive, ${r.unscored} never scored, counted as 0)`);
        console.log(`ROC AUC ${r.rocAuc.toFixed(3)}   average precision ${r.averagePrecision.toFixed(3)}`);
        printTable(r.atK.map((x) => ({ k: x.k, precision: x.precision, recall: x.recall })));
      });
    });
}
