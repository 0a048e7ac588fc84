// `npm run bench -- crawl`: the crawlers against the simulator with the platforms' real
// limits scaled down in time (Reddit 600 per 10 min → 600 per 12 s; X search 450 per 15 min
// → 450 per 9 s). Reports quota utilisation (requests made / requests allowed in the time
// taken), self-caused 429s, posts stored per second and crawler CPU per 1,000 posts (this
// process: crawler + store client; the simulator and FerretDB run in other processes).
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config/index';
import { crawlSource } from '../crawlers/engine';
import { RedditSource } from '../crawlers/platforms/reddit/source';
import type { Source } from '../crawlers/source';
import { TwitterSource } from '../crawlers/platforms/twitter/source';
import { startEmbedded } from '../storage/embedded';
import { openStore } from '../storage/store';
import type { BenchRow } from './types';

interface SimInfo {
  reddit: string;
  redditAuth: string;
  twitter: string;
  subreddits: string[];
  brands: string[];
}
type LogRow = { t: number; status: number; platform: string; endpoint: string };

async function startSim(opts: Record<string, unknown>): Promise<{ child: ChildProcess; info: SimInfo; log(): Promise<LogRow[]> }> {
  const child = fork(path.join(import.meta.dirname, 'crawl-sim.ts'), [JSON.stringify(opts)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const info = await new Promise<SimInfo>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
    });
    child.on('exit', (c) => reject(new Error(`simulator exited with ${c}`)));
  });
  const log = () =>
    new Promise<LogRow[]>((resolve) => {
      child.once('message', (m) => resolve(m as LogRow[]));
      child.send('stats');
    });
  return { child, info, log };
}

export async function benchCrawl(): Promise<BenchRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-bench-crawl-'));
  const embedded = await startEmbedded({ dataDir: dir });
  const rows: BenchRow[] = [];
  const log = pino({ level: 'silent' });
  const cases: { name: string; limit: number; windowMs: number; sim: Record<string, unknown>; source: (info: SimInfo, cfgDir: string) => Source; budget: number }[] = [
    {
      name: 'reddit 600/10min ÷50',
      limit: 600,
      windowMs: 12_000,
      budget: 700,
      sim: { seed: 1, scale: 'small', rateLimits: { reddit: { limit: 600, windowMs: 12_000 } } },
      source: (info, cfgDir) => {
        const config = loadConfig({ cwd: cfgDir, env: { RINGWATCH_DATA: cfgDir }, overrides: { reddit: { baseUrl: info.reddit, authUrl: info.redditAuth, subreddits: info.subreddits, rateWindowSec: 12 } } });
        // Small pages: a run cut by its request budget drops little unfinished work.
        return new RedditSource({ config, pageSize: 25, credentials: { clientId: 'sim-reddit-client', clientSecret: 'sim-reddit-secret', username: 'sim_user', password: 'sim-password' } });
      },
    },
    {
      name: 'x search 450/15min ÷100',
      limit: 450,
      windowMs: 9000,
      budget: 2000,
      // The medium world: its ten searches end after 1,348 pages (three windows); the small
      // world's run out of work after 74 requests.
      sim: { seed: 1, scale: 'medium', rateLimits: { twitter: { windowMs: 9000 } } },
      source: (info, cfgDir) => {
        const config = loadConfig({ cwd: cfgDir, env: { RINGWATCH_DATA: cfgDir }, overrides: { twitter: { baseUrl: info.twitter, rateWindowSec: 9 } } });
        return new TwitterSource({ config, bearerToken: 'sim-x-bearer-token', queries: ['the', 'and', 'for', 'this', 'with', 'my', 'is', 'it', 'to', 'of'] });
      },
    },
  ];
  try {
    for (const c of cases) {
      console.error(`bench crawl: ${c.name}: starting the simulator`);
      const sim = await startSim(c.sim);
      console.error(`bench crawl: ${c.name}: crawling ${c.budget} requests`);
      const cfgDir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-bench-cfg-'));
      const config = loadConfig({ cwd: cfgDir, env: { RINGWATCH_DATA: cfgDir } });
      const store = await openStore(config, { uri: embedded.uri, database: `bench_crawl_${rows.length}` });
      try {
        const cpu0 = process.cpuUsage();
        const report = await crawlSource(c.source(sim.info, cfgDir), { store, log, signal: new AbortController().signal, budget: { max: c.budget, used: 0 }, concurrency: 3 });
        const cpu = process.cpuUsage(cpu0);
        console.error(`bench crawl: ${c.name}: ${report.requests} requests, ${report.new} posts in ${report.durationMs} ms`);
        const reqs = (await sim.log()).filter((r) => r.endpoint !== 'GET /robots.txt');
        const span = reqs[reqs.length - 1].t - reqs[0].t;
        const allowed = (span / c.windowMs) * c.limit;
        const note = `${reqs.length} requests in ${(span / 1000).toFixed(1)} s, window ${c.windowMs / 1000} s`;
        rows.push({ suite: 'crawl', case: `${c.name}: quota utilisation`, n: reqs.length, value: (100 * (reqs.length - 1)) / allowed, unit: '%', note });
        rows.push({ suite: 'crawl', case: `${c.name}: self-caused 429s`, n: reqs.length, value: reqs.filter((r) => r.status === 429).length, unit: '429s' });
        rows.push({ suite: 'crawl', case: `${c.name}: posts stored`, n: report.new, value: report.new / (report.durationMs / 1000), unit: 'posts/s' });
        rows.push({ suite: 'crawl', case: `${c.name}: crawler CPU`, n: report.items, value: ((cpu.user + cpu.system) / 1000 / Math.max(1, report.items)) * 1000, unit: 'ms/1000 posts', note: 'crawler + store client, this process' });
      } finally {
        await store.close();
        sim.child.kill('SIGTERM');
        rmSync(cfgDir, { recursive: true, force: true });
      }
    }
  } finally {
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
