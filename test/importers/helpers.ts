// Shared by the import and escalation tests: a job context on a test store, and the real
// PostgreSQL cluster from scripts/postgres.sh.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
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

/** Writes test input files into a fresh temporary folder: `lines` joined, gzipped when the name ends in .gz. */
export function inputFiles(prefix: string): (name: string, lines: string[]) => string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return (name, lines) => {
    const file = path.join(dir, name);
    const text = `${lines.join('\n')}\n`;
    writeFileSync(file, name.endsWith('.gz') ? gzipSync(text) : text);
    return file;
  };
}
