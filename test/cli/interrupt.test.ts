// Ctrl-C on `ringwatch schedule` as a terminal sends it: SIGINT to the whole foreground
// process group. The embedded store must not get it (own process group): the running
// crawl stops after its page, is recorded as cancelled, the store stops last, exit 130.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index';
import { type Simulator, startSimulator } from '../../sim';
import { isAlive, readStoreInfo } from '../../storage/embedded';
import { openStore } from '../../storage/store';
import { REDDIT_ENV, smallSubreddits } from '../crawlers/helpers';

const bin = path.resolve('bin/ringwatch.mjs');
let sim: Simulator;

beforeAll(async () => {
  // Slow answers, so that a crawl is still running when Ctrl-C comes.
  sim = await startSimulator({ seed: 4, scale: 'small', faults: { reddit: { delayMs: 600 } } });
});
afterAll(async () => {
  await sim?.close();
});

/** The process group of `pid` (field 5 of /proc/<pid>/stat). */
function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe('Ctrl-C on ringwatch schedule', () => {
  it('lets the running job finish as cancelled on a live store, stops the store last and exits 130', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-sigint-'));
    writeFileSync(
      path.join(dir, 'ringwatch.config.json'),
      JSON.stringify({
        reddit: { subreddits: smallSubreddits(sim, 4), comments: false, fetchAuthors: false },
        schedules: [{ job: 'crawl:reddit', cron: '* * * * * *' }],
      }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, ...REDDIT_ENV, RINGWATCH_DATA: dir, REDDIT_BASE_URL: sim.reddit.baseUrl, REDDIT_AUTH_URL: sim.reddit.authUrl, RINGWATCH_LOG_LEVEL: 'info' };
    delete env.MONGODB_URI;
    // Its own process group, like a terminal's foreground job: the group is what Ctrl-C signals.
    const child = spawn(process.execPath, [bin, 'schedule'], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = Date.now();
    while (!stderr.includes('"job":"crawl:reddit"') && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 100));
    expect(stderr).toContain('"job":"crawl:reddit"');
    await new Promise((r) => setTimeout(r, 1500));
    const storePid = readStoreInfo(dir)?.pid;
    expect(storePid).toBeDefined();
    // Not in the command's process group, so the terminal's SIGINT never reaches it. (FerretDB
    // that gets it stops accepting connections at once: the job's next one is refused.)
    expect(processGroup(storePid as number)).not.toBe(processGroup(child.pid as number));
    process.kill(-(child.pid as number), 'SIGINT');
    const code = await exited;

    expect(code, stderr.slice(-3000)).toBe(130);
    expect(stderr).not.toMatch(/ECONNREFUSED|connection .* closed|Topology is closed/i);
    expect(stderr).toMatch(/run\(s\) cancelled/);
    expect(isAlive(storePid as number)).toBe(false);

    const config = loadConfig({ cwd: dir, env: { RINGWATCH_DATA: dir, RINGWATCH_LOG_LEVEL: 'silent' } });
    const store = await openStore(config);
    try {
      const runs = await store.runs.find({ job: 'crawl:reddit' });
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.filter((r) => r.status === 'running')).toEqual([]);
      expect(runs.some((r) => r.status === 'cancelled')).toBe(true);
    } finally {
      await store.close();
    }
  }, 150_000);
});
