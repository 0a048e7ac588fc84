// What every command needs: configuration, a logger, the store, and a way to run
// a job with a progress bar and Ctrl-C handling. Commands stay thin on top of it.
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { type Config, loadConfig } from '../config/index';
import { createLogger } from '../config/logger';
import { runJob } from '../jobs/runner';
import type { Job } from '../jobs/types';
import { openStore, type Store } from '../storage/store';
import { prettyDestination } from './log-pretty';
import { progressBar } from './progress';
import { Interrupted } from './errors';
import { writeLines } from './terminal';

export interface GlobalOptions {
  config?: string;
  logLevel?: string;
  logFormat?: 'pretty' | 'json';
  json?: boolean;
}

/** Log lines as JSON for pipes and files, readable lines on a terminal (unless asked otherwise). */
export function logFormat(given: string | undefined, stderrIsTTY = process.stderr.isTTY === true): 'pretty' | 'json' {
  if (given === undefined) return stderrIsTTY ? 'pretty' : 'json';
  if (given !== 'pretty' && given !== 'json') throw new Error(`--log-format must be pretty or json, not "${given}"`);
  return given;
}

export interface CliDeps {
  config(): Config;
  log(): Logger;
  /** Opens the store (starting the embedded one if needed), runs `fn`, always closes it. */
  withStore<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** Runs a job with a progress bar, recorded in `runs`; Ctrl-C cancels it cleanly. */
  runJob<P extends object, R extends object>(
    store: Store,
    job: Job<P, R>,
    params: P,
    label?: string,
  ): Promise<R & { runId: string }>;
}

export function createDeps(program: Command): CliDeps {
  let config: Config | undefined;
  let log: Logger | undefined;
  const globals = () => program.opts<GlobalOptions>();
  const deps: CliDeps = {
    config() {
      if (!config) {
        const g = globals();
        config = loadConfig({ file: g.config, overrides: g.logLevel ? { logLevel: g.logLevel as Config['logLevel'] } : undefined });
      }
      return config;
    },
    log() {
      if (!log) {
        const level = deps.config().logLevel;
        log = logFormat(globals().logFormat) === 'json' ? createLogger(level) : createLogger(level, prettyDestination());
      }
      return log;
    },
    async withStore(fn) {
      const store = await openStore(deps.config());
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    },
    async runJob(store, job, params, label) {
      const controller = new AbortController();
      const bar = progressBar(label ?? job.name);
      const onSigint = () => {
        if (controller.signal.aborted) process.exit(130);
        writeLines(`${job.name}: stopping after the current step (Ctrl-C again to quit now)`);
        controller.abort(new Error('cancelled by user'));
      };
      process.on('SIGINT', onSigint);
      try {
        const result = await runJob(store, deps.config(), job, params, {
          trigger: 'cli',
          log: deps.log(),
          signal: controller.signal,
          onProgress: bar.update,
        });
        // Stopped early but returned what it did (a crawl keeps its cursors): the command
        // prints it and exits 130.
        if (controller.signal.aborted) process.exitCode = 130;
        return result;
      } catch (err) {
        if (controller.signal.aborted) throw new Interrupted(`${job.name} cancelled (${(err as Error).message}); the run is recorded as cancelled`);
        throw err;
      } finally {
        bar.stop();
        process.off('SIGINT', onSigint);
      }
    },
  };
  return deps;
}
