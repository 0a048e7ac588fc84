// Shared by the import and escalation tests: a job context on a test store, and the real
// PostgreSQL cluster from scripts/postgres.sh.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import type { JobContext } from '../../jobs/types';
import type { Store } from '../../storage/store';
import type { Config } from '../../config/index';

export function jobContext(store: Store & { config: Config }, runId = 'test-run'): JobContext {
  return {
    store,
    config: store.config,
    log: pino({ level: 'silent' }),
    progress: () => {},
    signal: new AbortController().signal,
    runId,
  };
}

/** Starts (or reuses) the throwaway PostgreSQL 15 cluster and returns its URL. */
export function startPostgres(): string {
  const script = path.join(import.meta.dirname, '../../scripts/postgres.sh');
  return execFileSync('bash', [script, 'start'], { encoding: 'utf8', timeout: 300_000 }).trim().split('\n').pop() as string;
}
