// Running the real `ringwatch` process from tests: on a pseudo-terminal (util-linux
// `script`) or on pipes, asynchronously (a simulator in the test process keeps answering).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { Simulator } from '../../sim';
import { REDDIT_ENV } from '../crawlers/helpers';

export const bin = path.resolve('bin/ringwatch.mjs');

/** Runs the CLI on a pseudo-terminal; resolves with everything the terminal received. */
export function onTty(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; out: string }> {
  const cmd = [process.execPath, bin, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** What the screen shows line by line: escape sequences removed, each \r starting over. */
export function screenSegments(raw: string): string[] {
  // "\x1b[1G" (column 1) is how the bar goes back to the start of its line: a carriage return.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is removed
  const plain = raw.replace(/\x1b\[[01]?G/g, '\r').replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
  return plain.split(/\r\n|\n|\r/).filter((s) => s.trim() !== '');
}

/** Runs the CLI with pipes; `during` may act on the running process (e.g. send it SIGINT). */
export function onPipes(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  during?: (child: ChildProcess, stderr: () => string) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    during?.(child, () => stderr);
  });
}

/** A data dir holding `config`, and an environment pointing the CLI at the simulator and the shared test store. */
export function simCli(sim: Simulator, config: Record<string, unknown>, logLevel = 'info'): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-cli-sim-'));
  writeFileSync(path.join(dir, 'ringwatch.config.json'), JSON.stringify(config));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...REDDIT_ENV,
    RINGWATCH_DATA: dir,
    RINGWATCH_DB: `t_cli_${Math.random().toString(36).slice(2, 8)}`,
    MONGODB_URI: inject('storeUri'),
    REDDIT_BASE_URL: sim.reddit.baseUrl,
    REDDIT_AUTH_URL: sim.reddit.authUrl,
    TWITTER_BASE_URL: sim.twitter.baseUrl,
    RINGWATCH_LOG_LEVEL: logLevel,
  };
  return { dir, env };
}
