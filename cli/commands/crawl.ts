// `ringwatch crawl <platform>|all [--dry-run] [--max-requests N]` (platforms: crawlers/platforms/registry.ts)
import type { Command } from 'commander';
import { platformChoice, platformIds, platformLabels } from '../../crawlers/platforms/registry';
import { type CrawlParams, type CrawlResult, crawlJob, type PlatformResult } from '../../jobs/crawl';
import type { CliDeps } from '../context';
import { output, printTable } from '../output';

const COLUMNS = ['platform', 'requests', 'items', 'new', 'duplicates', 'deleted', 'refused', 'errors', '429s', 'retries', 'seconds', 'note'];

/** Why a platform's crawl ended early, if it did. */
function platformNote(s: PlatformResult): string {
  if (s.skipped) return `skipped: ${s.skipped}`;
  if (s.stoppedBy === 'budget') return 'stopped: --max-requests reached';
  if (s.stoppedBy === 'cap') return `stopped: ${s.cap}; the rest next run`;
  if (s.stoppedBy === 'signal') return 'cancelled: cursors kept; run again to resume';
  if (s.inaccessible) return `${s.inaccessible} not accessible (private or quarantined)`;
  return '';
}

export function summaryRows(result: CrawlResult): Record<string, unknown>[] {
  const rows = Object.entries(result.platforms).map(([platform, s]) => ({
    platform,
    requests: s.requests,
    items: s.items,
    new: s.new,
    duplicates: s.duplicates,
    deleted: s.deleted,
    refused: s.refused,
    errors: s.errors,
    '429s': s.rateLimited,
    retries: s.retries,
    seconds: Math.round(s.durationMs / 100) / 10,
    note: platformNote(s),
  }));
  if (rows.length > 1) {
    rows.push({
      platform: 'total',
      requests: result.requests,
      items: result.items,
      new: result.new,
      duplicates: result.duplicates,
      deleted: result.deleted,
      refused: result.refused,
      errors: result.errors,
      '429s': result.rateLimited,
      retries: result.retries,
      seconds: Math.round(result.durationMs / 100) / 10,
      note: '',
    });
  }
  return rows;
}

export function register(program: Command, deps: CliDeps) {
  program
    .command('crawl')
    .description(`crawl ${platformLabels('and/or')} as configured into the store; resumable (cursors in crawl_state), rate-limited`)
    .argument('<platform>', platformChoice())
    .option('--dry-run', 'fetch and count, print the cursors it would save, store nothing')
    .option('--max-requests <n>', 'stop after this many requests (all platforms together)', (v) => {
      const n = Number.parseInt(v, 10);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--max-requests must be a positive integer, got "${v}"`);
      return n;
    })
    .action(async (platform: string, opts: { dryRun?: boolean; maxRequests?: number }) => {
      if (![...platformIds(), 'all'].includes(platform)) throw new Error(`unknown platform "${platform}": use ${platformChoice()}`);
      const params: CrawlParams = { platform: platform as CrawlParams['platform'], dryRun: !!opts.dryRun, maxRequests: opts.maxRequests };
      const result = await deps.withStore((store) => deps.runJob(store, crawlJob, params, `crawl ${platform}`));
      output(program.opts().json, result, () => {
        printTable(summaryRows(result), COLUMNS);
        if (result.dryRun) {
          console.log('\ndry run: nothing was stored. Cursors it would save:');
          printTable(
            (result.cursors ?? []).map((c) => ({
              unit: c._id,
              cursor: c.after ?? c.nextToken ?? '(pass complete)',
              boundary: c.sinceId ?? '',
              backfillDone: c.backfillDone ? 'yes' : 'no',
            })),
          );
        }
      });
      for (const m of result.notices ?? []) process.stderr.write(`note: ${m}\n`);
      for (const m of result.errorMessages) process.stderr.write(`error: ${m}\n`);
      if (process.exitCode === 130) process.stderr.write('crawl cancelled: every stored page kept its cursor; run the same command again to resume\n');
      else if (result.errors > 0) process.exitCode = 1;
    });
}
