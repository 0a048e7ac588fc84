// A small ringwatch cluster on loopback for the fault tests: a real Redis, the platform
// simulator, a database on the test store, and `ringwatch worker` child processes (the real
// CLI) that can be killed. Plus the reference: the same crawl run in-process, uninterrupted.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import pino from 'pino';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../config/index';
import { redisConnection } from '../../jobs/distributed/queues';
import { crawlJobFor } from '../../jobs/crawl';
import { runJob } from '../../jobs/runner';
import { DEFAULT_REDDIT_CLIENTS, DEFAULT_REDDIT_LOGINS, type Simulator, type SimulatorOptions, startSimulator } from '../../sim/index';
import { openStore, type Store } from '../../storage/store';
import { startRedis, type TestRedis } from '../helpers/redis';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'ringwatch.mjs');
export const silent = pino({ level: 'silent' });

export interface CrawlSettings {
  subreddits: string[];
  comments?: boolean;
  fetchAuthors?: boolean;
  /** The platform's window in seconds (the simulator's). */
  rateWindowSec: number;
}

export interface Cluster {
  redis: TestRedis;
  sim: Simulator;
  dir: string;
  prefix: string;
  /** Env and config for a process crawling with the given Reddit client (0 or 1). */
  env(database: string, client?: number): NodeJS.ProcessEnv;
  config(database: string, client?: number): Config;
  store(database: string): Promise<Store>;
  /** Starts a `ringwatch worker` (the real CLI) on `database` and waits until it serves. */
  spawnWorker(database: string, args?: string[]): Promise<ChildProcess>;
  /** The unit jobs and plan jobs still to do on a queue. */
  pending(queue?: string): Promise<number>;
  waitIdle(timeoutMs: number, queue?: string): Promise<void>;
  /**
   * Starts the crawl in this process, uninterrupted, into `database` (the reference);
   * resolves once its store is open, with the crawl's completion.
   */
  reference(database: string, client?: number): Promise<{ done: Promise<void> }>;
  close(): Promise<void>;
}

export const newDatabase = () => `f_${randomBytes(5).toString('hex')}`;

export async function startCluster(simOpts: SimulatorOptions, crawl: CrawlSettings): Promise<Cluster> {
  const redis = await startRedis();
  const sim = await startSimulator(simOpts);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-faults-'));
  const configFile = path.join(dir, 'ringwatch.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      reddit: {
        subreddits: crawl.subreddits,
        comments: crawl.comments ?? false,
        fetchAuthors: crawl.fetchAuthors ?? true,
        userAgent: 'test:ringwatch-faults:v1 (by /u/sim_user)',
        rateWindowSec: crawl.rateWindowSec,
      },
      crawl: { maxRetries: 8, requestTimeoutMs: 3000, concurrency: 2, deletionSyncDays: 0 },
    }),
  );
  const storeUri = inject('storeUri');
  const prefix = `rw${randomBytes(3).toString('hex')}`;
  const children = new Set<ChildProcess>();
  const queues = new Map<string, Queue>();
  const conn = redisConnection(redis.url);

  const env = (database: string, client = 0): NodeJS.ProcessEnv => ({
    ...process.env,
    RINGWATCH_CONFIG: configFile,
    RINGWATCH_DATA: dir,
    RINGWATCH_DB: database,
    RINGWATCH_LOG_LEVEL: 'warn',
    RINGWATCH_REDIS_PREFIX: prefix,
    MONGODB_URI: storeUri,
    REDIS_URL: redis.url,
    REDDIT_BASE_URL: sim.reddit.baseUrl,
    REDDIT_AUTH_URL: sim.reddit.authUrl,
    REDDIT_CLIENT_ID: DEFAULT_REDDIT_CLIENTS[client].id,
    REDDIT_CLIENT_SECRET: DEFAULT_REDDIT_CLIENTS[client].secret,
    REDDIT_USERNAME: DEFAULT_REDDIT_LOGINS[0].username,
    REDDIT_PASSWORD: DEFAULT_REDDIT_LOGINS[0].password,
  });
  const config = (database: string, client = 0) => loadConfig({ cwd: dir, env: env(database, client) });
  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: conn, prefix });
      queues.set(name, q);
    }
    return q;
  };

  const cluster: Cluster = {
    redis,
    sim,
    dir,
    prefix,
    env,
    config,
    store: (database) => openStore(config(database), { uri: storeUri, database }),
    async spawnWorker(database, args = []) {
      const child = spawn(process.execPath, [BIN, 'worker', '--queues', 'crawl-reddit', '--lock-ms', '1500', ...args], {
        cwd: dir,
        env: env(database),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.add(child);
      child.once('exit', () => children.delete(child));
      let err = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker did not start within 90 s: ${err}`)), 90_000);
        child.stderr?.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('serving')) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`worker exited (${code}): ${err}`));
        });
      });
      // Keep draining stderr so the child never blocks on a full pipe.
      child.stderr?.removeAllListeners('data');
      child.stderr?.on('data', (d: Buffer) => {
        if (process.env.RINGWATCH_TEST_VERBOSE) process.stderr.write(d);
      });
      return child;
    },
    async pending(name = 'crawl-reddit') {
      const c = await queue(name).getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      return Object.values(c).reduce((a, b) => a + b, 0);
    },
    async waitIdle(timeoutMs, name = 'crawl-reddit') {
      const end = Date.now() + timeoutMs;
      // Idle twice in a row: a unit between batches is briefly neither waiting nor active.
      let idle = 0;
      while (Date.now() < end) {
        idle = (await cluster.pending(name)) === 0 ? idle + 1 : 0;
        if (idle >= 3) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`queue ${name} not idle after ${timeoutMs} ms (${await cluster.pending(name)} pending)`);
    },
    async reference(database, client = 1) {
      const cfg = config(database, client);
      const store = await openStore(cfg, { uri: storeUri, database });
      const done = runJob(store, cfg, crawlJobFor('reddit'), {}, { trigger: 'cli', log: silent }).finally(() => store.close());
      done.catch(() => {});
      return { done: done.then(() => {}) };
    },
    async close() {
      for (const c of children) c.kill('SIGKILL');
      await Promise.all([...queues.values()].map((q) => q.close()));
      conn.disconnect();
      await sim.close();
      redis.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** What a crawl leaves in the store, without the fields that record when it ran. */
export async function crawlSnapshot(store: Store) {
  const posts = (await store.posts.find({}, { sort: { _id: 1 } })).map(({ fetchedAt: _f, ...p }) => p);
  const accounts = (await store.accounts.find({}, { sort: { _id: 1 } })).map(({ firstSeenAt: _a, lastSeenAt: _b, ...a }) => a);
  const cursors = (await store.crawlState.find({}, { sort: { _id: 1 } })).map((c) => ({ _id: c._id, sinceId: c.sinceId, lastCreatedAt: c.lastCreatedAt, backfillDone: c.backfillDone, after: c.after ?? null }));
  return { posts, accounts, cursors };
}

export async function dropDatabase(store: Store) {
  await (store as Store & { dropAll?: (o: { recreate: boolean }) => Promise<void> }).dropAll?.({ recreate: false }).catch(() => {});
  await store.close();
}
