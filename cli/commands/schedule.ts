// `ringwatch schedule`: runs config.schedules in this process until Ctrl-C / SIGTERM.
import type { Command } from 'commander';
import { ConfigError } from '../../config/index';
import { startScheduler, validateSchedules } from '../../jobs/schedule';
import type { CliDeps } from '../context';
import { scheduleThroughRedis } from './worker';
import { output, printTable } from '../output';
import { signalExitCode, untilSignal } from '../signals';
import { writeLines } from '../terminal';

export function register(program: Command, deps: CliDeps) {
  program
    .command('schedule')
    .description('run the configured schedules (config "schedules": [{job, cron, params}]) in one process; a job never overlaps itself; runs are recorded in `runs`')
    .option('--check', 'validate the schedules and print the next run times, then exit')
    .option('--now', 'with REDIS_URL: also queue every scheduled job once, now')
    .action(async (opts: { check?: boolean; now?: boolean }) => {
      const config = deps.config();
      if (config.schedules.length === 0) throw new ConfigError('no schedules configured: add "schedules": [{"job": "crawl:all", "cron": "*/15 * * * *"}] to the configuration');
      validateSchedules(config.schedules);
      if (opts.check) {
        const { Cron } = await import('croner');
        const rows = config.schedules.map((s) => ({ job: s.job, cron: s.cron, next: new Cron(s.cron, { paused: true }).nextRun()?.toISOString() ?? '' }));
        output(program.opts().json, rows, () => printTable(rows));
        return;
      }
      // With REDIS_URL the schedules go to BullMQ and `ringwatch worker` processes run them.
      if (await scheduleThroughRedis(program, deps, opts)) return;
      let signal: NodeJS.Signals | undefined;
      await deps.withStore(async (store) => {
        const log = deps.log();
        let cancelled = 0;
        const scheduler = startScheduler({
          store,
          config,
          log,
          onRun: (r) => {
            if (r.status === 'cancelled') cancelled++;
            log.info({ job: r.schedule.job, status: r.status, runId: r.runId, error: r.error }, 'scheduled run finished');
          },
        });
        const rows = scheduler.entries.map((e) => ({ job: e.schedule.job, cron: e.schedule.cron, next: e.next?.toISOString() ?? '' }));
        output(program.opts().json, rows, () => printTable(rows));
        writeLines('scheduler running; Ctrl-C to stop');
        signal = await untilSignal();
        writeLines('stopping: waiting for running jobs to finish (the store stops after them)');
        await scheduler.stop();
        writeLines(`scheduler stopped${cancelled > 0 ? `; ${cancelled} run(s) cancelled` : ''}`);
      });
      // Stopped by a signal, like any interrupted command.
      if (signal) process.exitCode = signalExitCode(signal);
    });
}
