// A test's child process (tsx script): started with env, its exit awaited with everything it printed.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export function tsxChild(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.resolve(script)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function exited(p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  let out = '';
  p.stdout?.on('data', (d) => (out += d));
  p.stderr?.on('data', (d) => (out += d));
  return new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal, out })));
}
