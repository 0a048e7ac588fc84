// The store (embedded FerretDB, its own instance here) restarting in the middle of an import
// and of a crawl: the job fails or waits cleanly, and a re-run completes with nothing lost
// and nothing doubled (same documents as an uninterrupted run).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../config/index';
import { crawlJobFor } from '../../jobs/crawl';
import { importJob } from '../../jobs/import';
import { runJob } from '../../jobs/runner';
import { DEFAULT_REDDIT_CLIENTS, DEFAULT_REDDIT_LOGINS, generateWorld, type Simulator, startSimulator, writeWorldFiles } from '../../sim/index';
import { type EmbeddedStore, startEmbedded } from '../../storage/embedded';
import { openStore, type Store } from '../../storage/store';
import type { Escalation } from '../../storage/types';
import { crawlSnapshot, silent } from './cluster';

const world = generateWorld({ seed: 21, scale: 'small' });

describe('store restart mid-job', () => {
  let dir: string;
  let embedded: EmbeddedStore;
  let sim: Simulator;
  let config: Config;
  let escalationsCsv: string;
  const opened: Store[] = [];

  const open = async (database: string) => {
    const s = await openStore(config, { uri: embedded.uri, database });
    opened.push(s);
    return s;
  };
  /** Stops the store, keeps it down for `downMs`, starts it again on the same port and data. */
  const restart = async (downMs: number) => {
    const { port } = embedded;
    await embedded.stop();
    await new Promise((r) => setTimeout(r, downMs));
    embedded = await startEmbedded({ dataDir: path.join(dir, 'store'), port });
  };
  /** Settles within `ms` either way: the job must not hang. */
  const settled = <T>(p: Promise<T>, ms: number) =>
    Promise.race([
      p.then(
        (v) => ({ ok: true as const, v }),
        (e: Error) => ({ ok: false as const, e }),
      ),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`job still running ${ms} ms after the store came back`)), ms)),
    ]);
  const until = async (cond: () => Promise<boolean>) => {
    for (let i = 0; i < 400 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 25));
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-store-restart-'));
    embedded = await startEmbedded({ dataDir: path.join(dir, 'store') });
    sim = await startSimulator({ world, rateLimits: { reddit: { limit: 100_000, windowMs: 60_000 } } });
    const files = await writeWorldFiles(world, path.join(dir, 'files'));
    // Ten times the world's cases (new case ids), so that the import runs long enough to be cut.
    const [header, ...rows] = parse(readFileSync(files.escalations, 'utf8')) as string[][];
    escalationsCsv = path.join(dir, 'files', 'escalations-x10.csv');
    writeFileSync(escalationsCsv, stringify([header, ...Array.from({ length: 10 }, (_, k) => rows.map(([id, ...rest]) => [`${id}-${k}`, ...rest])).flat()]));
    config = loadConfig({
      cwd: dir,
      env: {
        RINGWATCH_DATA: dir,
        RINGWATCH_LOG_LEVEL: 'silent',
        REDDIT_BASE_URL: sim.reddit.baseUrl,
        REDDIT_AUTH_URL: sim.reddit.authUrl,
        REDDIT_CLIENT_ID: DEFAULT_REDDIT_CLIENTS[0].id,
        REDDIT_CLIENT_SECRET: DEFAULT_REDDIT_CLIENTS[0].secret,
        REDDIT_USERNAME: DEFAULT_REDDIT_LOGINS[0].username,
        REDDIT_PASSWORD: DEFAULT_REDDIT_LOGINS[0].password,
      },
      overrides: {
        reddit: { subreddits: ['gadgets', 'dogs'], comments: true, fetchAuthors: true, userAgent: 'test:ringwatch-faults:v1 (by /u/sim_user)' },
        crawl: { maxRetries: 3, requestTimeoutMs: 3000, concurrency: 2, deletionSyncDays: 0 },
      },
    });
  });
  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => {});
    await sim?.close();
    await embedded?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mid-import: the import fails or waits, a re-run leaves exactly the uninterrupted import’s cases', async () => {
    const ref = await open('ref_import');
    await runJob(ref, config, importJob, { what: 'escalations', file: escalationsCsv, rejects: path.join(dir, 'ref.rejects.csv') }, { trigger: 'cli', log: silent });
    const store = await open('cut_import');
    let cut!: () => void;
    const readSome = new Promise<void>((r) => {
      cut = r;
    });
    const first = runJob(store, config, importJob, { what: 'escalations', file: escalationsCsv, rejects: path.join(dir, 'cut.rejects.csv') }, { trigger: 'cli', log: silent, onProgress: (done) => done >= 1000 && cut() });
    await readSome;
    await restart(1500);
    const outcome = await settled(first, 60_000);
    if (!outcome.ok) expect(outcome.e.message.length).toBeGreaterThan(0);
    // It was cut mid-way: the reference holds more than a thousand rows' worth.
    expect(await ref.escalations.count({})).toBeGreaterThan(2000);
    const again = await open('cut_import');
    await runJob(again, config, importJob, { what: 'escalations', file: escalationsCsv, rejects: path.join(dir, 'cut.rejects.csv') }, { trigger: 'cli', log: silent });
    const refDocs = await (await open('ref_import')).escalations.find({}, { sort: { _id: 1 } });
    const got = await again.escalations.find({}, { sort: { _id: 1 } });
    const strip = ({ importedAt: _i, ...rest }: Escalation) => rest;
    expect(got.length).toBe(refDocs.length);
    expect(got.map(strip)).toEqual(refDocs.map(strip));
  });

  it('mid-crawl: the crawl fails or waits, a re-run leaves exactly the uninterrupted crawl’s posts, accounts and cursors', async () => {
    const ref = await open('ref_crawl');
    await runJob(ref, config, crawlJobFor('reddit'), {}, { trigger: 'cli', log: silent });
    const store = await open('cut_crawl');
    const first = runJob(store, config, crawlJobFor('reddit'), {}, { trigger: 'cli', log: silent });
    await until(async () => (await store.posts.count({}).catch(() => 0)) > 0);
    expect(await store.posts.count({})).toBeLessThan(await ref.posts.count({}));
    await restart(1500);
    await settled(first, 60_000);
    const again = await open('cut_crawl');
    await runJob(again, config, crawlJobFor('reddit'), {}, { trigger: 'cli', log: silent });
    const want = await crawlSnapshot(await open('ref_crawl'));
    const got = await crawlSnapshot(again);
    expect(got.posts.length).toBe(want.posts.length);
    expect(got).toEqual(want);
  });
});
