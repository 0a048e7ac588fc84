// What every command needs: configuration, a logger, the store, and a way to run
// a job with a progress bar and Ctrl-C handling. Commands stay thin on top of it.
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { type Config, loadConfig } from '../config/index';
import { createLogger } from '../config/logger';
import { runJob } from '../jobs/runner';
import type { Job } from '../jobs/types';
import { openStore, type Store } from '../storage/store';
import { progressBar } from './progress';

export interface GlobalOptions {
  config?: string;
  logLevel?: string;
  json?: boolean;
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
      if (!log) log = createLogger(deps.config().logLevel);
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
        process.stderr.write(`\n${job.name}: stopping after the current step (Ctrl-C again to quit now)\n`);
        controller.abort(new Error('cancelled by user'));
      };
      process.on('SIGINT', onSigint);
      try {
        return await runJob(store, deps.config(), job, params, {
          trigger: 'cli',
          log: deps.log(),
          signal: controller.signal,
          onProgress: bar.update,
        });
      } finally {
        bar.stop();
        process.off('SIGINT', onSigint);
      }
    },
  };
  return deps;
}
