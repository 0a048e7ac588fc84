// What a person at a terminal sees: log lines readable and never inside a progress bar,
// JSON when stderr is a pipe or when asked for. A real pseudo-terminal (util-linux
// `script`) runs a real crawl of the simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim';
import { smallSubreddits } from '../crawlers/helpers';
import { onPipes, onTty, screenSegments, simCli } from './helpers';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: 4, scale: 'small' });
});
afterAll(async () => {
  await sim?.close();
});

function crawlEnv() {
  return simCli(sim, { reddit: { subreddits: smallSubreddits(sim, 2), comments: false, fetchAuthors: false } }, 'debug');
}

describe('logs on a terminal', () => {
  it('are one readable line each, in local time, never torn into a progress bar', async () => {
    const { dir, env } = crawlEnv();
    const r = await onTty(['crawl', 'reddit'], env, dir);
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expect(r.out).not.toContain('{"level"');
    const segments = screenSegments(r.out);
    const logLines = segments.filter((s) => /\b(DEBUG|INFO|WARN|ERROR)\b/.test(s));
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} (DEBUG|INFO |WARN |ERROR) \S/);
    // Local time: the hour of the first line is this machine's hour (±1 for a run across the hour).
    const hour = Number(logLines[0].slice(0, 2));
    expect([new Date().getHours(), (new Date().getHours() + 23) % 24]).toContain(hour);
    expect(logLines.some((l) => /INFO {2}crawled .*platform=reddit/.test(l))).toBe(true);
    // The bar is still drawn, and the summary table follows.
    expect(segments.some((s) => s.startsWith('crawl reddit'))).toBe(true);
  }, 120_000);

  it('are JSON when asked for with --log-format json', async () => {
    const { dir, env } = crawlEnv();
    const r = await onTty(['--log-format', 'json', 'crawl', 'reddit'], env, dir);
    expect(r.code, r.out.slice(-2000)).toBe(0);
    expect(r.out).toContain('{"level":30');
  }, 120_000);
});

describe('logs into a pipe', () => {
  it('are JSON lines, one record each', async () => {
    const { dir, env } = crawlEnv();
    const r = await onPipes(['crawl', 'reddit'], env, dir);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.map((l) => JSON.parse(l).msg)).toContain('crawled');
  }, 120_000);
});
