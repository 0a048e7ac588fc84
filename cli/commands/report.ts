// `ringwatch report weekly [--week W] [--out file.pdf|.html]`.
import type { Command } from 'commander';
import { isoWeekProblem } from '../../analysis/time';
import { weeklyReportJob } from '../../jobs/report';
import { UsageError } from '../errors';
import type { CliDeps } from '../context';
import { output } from '../output';

export function register(program: Command, deps: CliDeps) {
  const report = program.command('report').description('reports for leadership');
  report
    .command('weekly')
    .description('weekly executive report: KPIs week over week, trends, top rings, abusive patterns (HTML and PDF)')
    .option('--week <week>', 'ISO week, e.g. 2026-W47 (default: the latest week with cases)')
    .option('--out <file>', 'one file, .html or .pdf (default: both into reports.outDir)')
    .action(async (opts: { week?: string; out?: string }) => {
      const problem = opts.week === undefined ? null : isoWeekProblem(opts.week);
      if (problem) throw new UsageError(`--week: ${problem}`);
      const result = await deps.withStore((store) => deps.runJob(store, weeklyReportJob, { week: opts.week, out: opts.out }, 'weekly report'));
      output(program.opts().json, result, () => process.stdout.write(`${result.files.join('\n')}\n`));
      if (result.empty) process.stderr.write(`note: ${result.emptyNote}\n`);
    });
}
