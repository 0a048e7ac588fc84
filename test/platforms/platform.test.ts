// A platform is one folder (issue 16.2): the test-only platform in test/platforms/board/,
// registered through the same list as the built-in ones, is configured, crawled from a
// fixture API on 127.0.0.1 at the pace its own rate headers set, scheduled (in process
// and through Redis to a worker) and exported, with no edit anywhere else.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPosts } from '../../cli/commands/posts';
import { ConfigError, describeConfig, loadConfig } from '../../config/index';
import { platformIds, registerPlatform } from '../../crawlers/platforms/registry';
import { crawlJob } from '../../jobs/crawl';
import { enqueueJob, scheduleOnRedis } from '../../jobs/distributed/schedule';
import { startWorkers } from '../../jobs/distributed/worker';
import { jobRegistry } from '../../jobs/registry';
import { runJob } from '../../jobs/runner';
import { startScheduler } from '../../jobs/schedule';
import { ringGraphology } from '../../reports/gexf';
import { labelTables } from '../../reports/labels';
import type { RingReportData } from '../../reports/ring-data';
import { startRedis, type TestRedis } from '../helpers/redis';
import { testConfig, testStore } from '../helpers/store';
import { board } from './board/index';
import { type BoardServer, startBoardServer } from './board/server';
import type { BoardPost } from './board/source';

const TOKEN = 'board-test-token';
const log = pino({ level: 'silent' });

/** Two boards, 5 and 4 posts: 3 + 2 pages of 2. */
function posts(board: string, n: number, day: number): BoardPost[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${board}-${i}`, author: `user${i % 3}`, text: `post ${i} on ${board}`, created: new Date(Date.UTC(2026, 10, day, 10, i)).toISOString() }));
}

let server: BoardServer;
let unregister: () => void;
beforeAll(async () => {
  // Three requests a second: a crawl of 5 pages must wait for a second window.
  server = await startBoardServer({ token: TOKEN, boards: { deals: posts('deals', 5, 20), gadgets: posts('gadgets', 4, 21) }, limit: 3, windowMs: 1000 });
  unregister = registerPlatform(board);
});
afterAll(async () => {
  unregister?.();
  await server?.close();
});

function boardConfig(extra: { schedules?: { job: string; cron: string }[]; env?: Record<string, string> } = {}) {
  return testConfig({
    env: { BOARD_TOKEN: TOKEN, BOARD_BASE_URL: server.baseUrl, ...(extra.env ?? {}) },
    overrides: { board: { boards: ['deals', 'gadgets'] }, crawl: { maxRetries: 2 }, schedules: extra.schedules ?? [] } as never,
  });
}

const boardPostIds = async (store: Awaited<ReturnType<typeof testStore>>) => (await store.posts.find({ platform: 'board' })).map((p) => p._id).sort();
const ALL_IDS = [...posts('deals', 5, 20), ...posts('gadgets', 4, 21)].map((p) => `board:${p.id}`).sort();

describe('a platform is one folder', () => {
  it('its descriptor makes the configuration: section with defaults, its environment variable, its secret, its problems', () => {
    expect(platformIds()).toEqual(['reddit', 'twitter', 'web', 'board']);
    const config = boardConfig() as unknown as { board: { baseUrl: string; boards: string[]; rateWindowSec: number } };
    expect(config.board).toEqual({ baseUrl: server.baseUrl, boards: ['deals', 'gadgets'], rateWindowSec: 1 });
    const shown = describeConfig(config as never) as { secrets: Record<string, string> };
    expect(shown.secrets.BOARD_TOKEN).toBe('(set)');
    expect(JSON.stringify(shown)).not.toContain(TOKEN);
    // Its schema validates its section like any other, naming the key and where it came from.
    expect(() => loadConfig({ cwd: '/nonexistent', env: { BOARD_BASE_URL: 'not a url' } })).toThrow(ConfigError);
    expect(() => loadConfig({ cwd: '/nonexistent', env: { BOARD_BASE_URL: 'not a url' } })).toThrow(/board\.baseUrl \(from environment variable BOARD_BASE_URL\)/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-board-'));
    writeFileSync(path.join(dir, 'ringwatch.config.json'), JSON.stringify({ board: { boards: ['deals'], colour: 'red' } }));
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/unknown key "board\.colour" \(known in board: baseUrl, boards, rateWindowSec\)/);
  });

  it('crawl <id> and crawl all: stored once, resumed from the cursor, paced by its own rate headers (no 429)', async () => {
    const store = await testStore(boardConfig());
    try {
      const before = { ...server.counts };
      const first = await runJob(store, store.config, crawlJob, { platform: 'board' }, { trigger: 'cli', log });
      expect(await boardPostIds(store)).toEqual(ALL_IDS);
      expect(first.platforms.board).toMatchObject({ new: 9, errors: 0, rateLimited: 0 });
      // 5 pages at 3 a second: the gate read the RateLimit headers and waited for the next window.
      expect(server.counts.requests - before.requests).toBe(5);
      expect(server.counts.rateLimited).toBe(before.rateLimited);
      expect(server.counts.unauthorised).toBe(before.unauthorised);
      expect(first.platforms.board.durationMs).toBeGreaterThan(600);

      // `crawl all` includes it; nothing new on the boards, so nothing new stored.
      const again = await runJob(store, store.config, jobRegistry()['crawl:all'], {}, { trigger: 'cli', log });
      expect(again.platforms.board).toMatchObject({ new: 0, errors: 0 });
      expect(Object.keys(again.platforms)).toEqual(['reddit', 'twitter', 'web', 'board']);
      expect(again.platforms.reddit.skipped).toMatch(/Reddit needs REDDIT_CLIENT_ID/);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('says why it cannot run: asked by name that is an error, under crawl all it is skipped', async () => {
    const store = await testStore(testConfig({ overrides: { board: { boards: ['deals'] } } as never }));
    try {
      await expect(runJob(store, store.config, crawlJob, { platform: 'board' }, { trigger: 'cli', log })).rejects.toThrow('the test board needs BOARD_TOKEN');
      const all = await runJob(store, store.config, crawlJob, { platform: 'all' }, { trigger: 'cli', log });
      expect(all.platforms.board.skipped).toBe('the test board needs BOARD_TOKEN');
    } finally {
      await store.close();
    }
  }, 30_000);

  it('is scheduled in process: crawl:board runs on its cron', async () => {
    const store = await testStore(boardConfig({ schedules: [{ job: 'crawl:board', cron: '* * * * * *' }] }));
    const outcomes: string[] = [];
    const scheduler = startScheduler({ store, config: store.config, log, onRun: (r) => outcomes.push(`${r.schedule.job}:${r.status}`) });
    try {
      const deadline = Date.now() + 20_000;
      while (!outcomes.includes('crawl:board:succeeded') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await scheduler.stop();
    }
    try {
      expect(outcomes).toContain('crawl:board:succeeded');
      expect(await boardPostIds(store)).toEqual(ALL_IDS);
    } finally {
      await store.close();
    }
  }, 40_000);

  describe('through Redis', () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => redis?.dispose());

    it('is scheduled on its own queue crawl-board, and a worker serving that queue crawls it unit by unit', async () => {
      const prefix = `board${Date.now()}`;
      const config = boardConfig({ schedules: [{ job: 'crawl:all', cron: '0 3 * * *' }] });
      const scheduled = await scheduleOnRedis({ redisUrl: redis.url, config, log, prefix });
      expect(scheduled.schedulers.filter((s) => s.job === 'crawl:board').map((s) => s.queue)).toEqual(['crawl-board']);

      const store = await testStore(config);
      const workers = await startWorkers({ redisUrl: redis.url, prefix, queues: ['crawl-board'], concurrency: 2, store, config, log, pagesPerBatch: 1 });
      try {
        await enqueueJob(redis.url, 'crawl:board', {}, prefix);
        const deadline = Date.now() + 30_000;
        while ((await boardPostIds(store)).length < ALL_IDS.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        expect(await boardPostIds(store)).toEqual(ALL_IDS);
        // One plan job and unit jobs, each recorded as a run.
        const runs = await store.runs.find({});
        expect(runs.some((r) => r.job === 'crawl-plan')).toBe(true);
        expect(runs.filter((r) => r.job === 'crawl-unit').length).toBeGreaterThanOrEqual(2);
      } finally {
        await workers.close();
        await store.close();
      }
    }, 60_000);
  });

  it('is exported: posts export --platform board, its label and colour for the dashboard and the GEXF graph', async () => {
    const store = await testStore(boardConfig());
    try {
      await runJob(store, store.config, crawlJob, { platform: 'board' }, { trigger: 'cli', log });
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      const n = await exportPosts(store, { platform: 'board', format: 'ndjson' }, out);
      expect(n).toBe(9);
      const rows = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { id?: string; _id?: string; platform: string });
      expect(rows.every((r) => r.platform === 'board')).toBe(true);
      expect(rows.length).toBe(9);
    } finally {
      await store.close();
    }
    // /labels.json sends this table to the dashboard (platform filter, graph colours).
    expect(labelTables().platforms.board).toEqual({ label: 'the test board', colour: '#7b3fa0' });
    const ring = {
      ring: { _id: 'ring-1', score: 0.9 },
      members: [{ _id: 'board:user0' }],
      graph: { nodes: [{ id: 'board:user0', label: 'user0', platform: 'board', score: 0.9, posts: 3 }], edges: [] },
    } as unknown as RingReportData;
    expect(ringGraphology(ring).getNodeAttribute('board:user0', 'color')).toBe('#7b3fa0');
  }, 30_000);
});
