// The in-process scheduler (`ringwatch schedule`): each configured schedule runs its job
// on a cron expression with croner; a job never overlaps itself (croner `protect` per
// schedule, and a per-job-name guard across schedules naming the same job); every run is
// recorded in `runs` through the runner.
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { type Config, ConfigError, type Schedule } from '../config/index';
import type { Store } from '../storage/store';
import { type AnyJob, jobRegistry } from './registry';
import { checkJobParams } from './params';
import { runJob } from './runner';

export interface ScheduledRun {
  schedule: Schedule;
  status: 'succeeded' | 'failed' | 'skipped' | 'cancelled';
  runId?: string;
  error?: string;
  startedAt: Date;
  finishedAt: Date;
}

export interface SchedulerOptions {
  store: Store;
  config: Config;
  log: Logger;
  schedules?: Schedule[];
  registry?: Record<string, AnyJob>;
  onRun?: (run: ScheduledRun) => void;
}

export interface Scheduler {
  entries: { schedule: Schedule; next: Date | null }[];
  /** Stops the timers and waits for running jobs to finish (they are asked to stop). */
  stop(): Promise<void>;
}

/** Checks every schedule (job name, cron expression and, given the config, its params) before anything starts; reports all problems at once. */
export function validateSchedules(schedules: Schedule[], registry: Record<string, AnyJob> = jobRegistry(), config?: Config): void {
  const problems: string[] = [];
  schedules.forEach((s, i) => {
    if (!registry[s.job]) problems.push(`  schedules[${i}].job: unknown job "${s.job}" (known: ${Object.keys(registry).sort().join(', ')})`);
    else if (config) {
      try {
        checkJobParams(registry[s.job], s.params ?? {}, { config, trigger: 'schedule' });
      } catch (err) {
        problems.push(`  schedules[${i}].params (${s.job}): ${(err as Error).message}`);
      }
    }
    try {
      new Cron(s.cron, { paused: true }).stop();
    } catch (err) {
      problems.push(`  schedules[${i}].cron (${s.job}): invalid cron "${s.cron}": ${(err as Error).message}`);
    }
  });
  if (problems.length > 0) throw new ConfigError(`invalid schedules (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.join('\n')}`);
}

export function startScheduler(opts: SchedulerOptions): Scheduler {
  const schedules = opts.schedules ?? opts.config.schedules;
  const registry = opts.registry ?? jobRegistry();
  validateSchedules(schedules, registry, opts.config);
  const running = new Map<string, Promise<unknown>>();
  const controller = new AbortController();
  const crons = schedules.map((schedule) => {
    const job = registry[schedule.job];
    return new Cron(schedule.cron, { name: `${schedule.job} ${schedule.cron}`, protect: true }, async () => {
      const startedAt = new Date();
      if (running.has(schedule.job)) {
        opts.log.warn({ job: schedule.job }, 'skipped: the previous run of this job is still going');
        opts.onRun?.({ schedule, status: 'skipped', startedAt, finishedAt: new Date() });
        return;
      }
      const p = runJob(opts.store, opts.config, job, { ...(schedule.params ?? {}) }, { trigger: 'schedule', log: opts.log, signal: controller.signal });
      running.set(schedule.job, p);
      try {
        const r = await p;
        opts.onRun?.({ schedule, status: controller.signal.aborted ? 'cancelled' : 'succeeded', runId: r.runId, startedAt, finishedAt: new Date() });
      } catch (err) {
        if (controller.signal.aborted) {
          opts.onRun?.({ schedule, status: 'cancelled', error: (err as Error).message, startedAt, finishedAt: new Date() });
          return;
        }
        opts.log.error({ job: schedule.job, err: (err as Error).message }, 'scheduled run failed');
        opts.onRun?.({ schedule, status: 'failed', error: (err as Error).message, startedAt, finishedAt: new Date() });
      } finally {
        running.delete(schedule.job);
      }
    });
  });
  return {
    entries: crons.map((c, i) => ({ schedule: schedules[i], next: c.nextRun() })),
    async stop() {
      for (const c of crons) c.stop();
      controller.abort(new Error('scheduler stopping'));
      await Promise.allSettled([...running.values()]);
    },
  };
}
