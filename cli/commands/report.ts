// `ringwatch report weekly [--week W] [--out file.pdf|.html]`.
import type { Command } from 'commander';
import { weeklyReportJob } from '../../reports/job';
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
      if (opts.week && !/^\d{4}-W\d{2}$/.test(opts.week)) throw new Error(`--week must look like 2026-W47, got "${opts.week}"`);
      const result = await deps.withStore((store) => deps.runJob(store, weeklyReportJob, { week: opts.week, out: opts.out }, 'weekly report'));
      output(program.opts().json, result, () => process.stdout.write(`${result.files.join('\n')}\n`));
    });
}
