// `ringwatch kpi`: escalation KPIs per ISO week and region, as a table, CSV or JSON.
import { toDate } from '../../analysis/time';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { KpiDimension } from '../../analysis/escalations/kpi';
import { formatKpis, kpiJob } from '../../jobs/kpi';
import type { CliDeps } from '../context';

export function register(program: Command, deps: CliDeps) {
  program
    .command('kpi')
    .description('escalation KPIs per ISO week × region (and overall): volume, per 1,000 orders, abuse rate, FTDS, sentiment, median resolution time, top products, ring-linked cases')
    .option('--by <dims>', 'grouping: region,week | week | region', 'region,week')
    .option('--since <date>', 'only cases opened (and orders placed or delivered) from this date')
    .option('--format <f>', 'table | csv | json (default table; json with --json)')
    .option('--out <file>', 'write to a file instead of stdout (CSV for Tableau/QuickSight)')
    .action(async (opts: { by: string; since?: string; format?: string; out?: string }) => {
      const by = opts.by.split(',').map((s) => s.trim()) as KpiDimension[];
      for (const d of by) if (d !== 'week' && d !== 'region') throw new Error(`--by: unknown dimension "${d}" (week, region)`);
      const since = toDate(opts.since, '--since');
      const format = (opts.format ?? (program.opts().json ? 'json' : 'table')) as 'table' | 'csv' | 'json';
      if (!['table', 'csv', 'json'].includes(format)) throw new Error('--format must be table, csv or json');
      const r = await deps.withStore((store) => deps.runJob(store, kpiJob, { by, since }, 'kpi'));
      const text = formatKpis(r.kpis, format);
      if (opts.out) {
        writeFileSync(opts.out, text);
        console.error(`${r.kpis.length} KPI rows written to ${opts.out}`);
      } else {
        process.stdout.write(text);
      }
    });
}
