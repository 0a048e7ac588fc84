// Kill and resume: a crawler process SIGKILLed mid-crawl and started again ends with the
// same store as an uninterrupted crawl: nothing missing, nothing twice.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim';
import { testStore } from '../helpers/store';
import { expectedReddit, smallSubreddits, storedPosts } from './helpers';

let sim: Simulator;
beforeAll(async () => {
  // 120 requests a second: the crawl takes a few seconds, long enough to be killed in the middle.
  sim = await startSimulator({ seed: 21, scale: 'small', rateLimits: { reddit: { limit: 120, windowMs: 1000 } } });
});
afterAll(async () => {
  await sim?.close();
});

function child(db: string, subs: string[], dir: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.resolve('test/crawlers/crawl-child.ts')], {
    env: { ...process.env, STORE_URI: inject('storeUri'), STORE_DB: db, SIM_REDDIT: sim.reddit.baseUrl, SIM_REDDIT_AUTH: sim.reddit.authUrl, SUBS: subs.join(','), CHILD_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finished(p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  let out = '';
  p.stdout?.on('data', (d) => {
    out += d;
  });
  p.stderr?.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal, out })));
}

describe('kill and resume', () => {
  it('SIGKILL mid-crawl, restart: the store equals an uninterrupted crawl', async () => {
    const store = await testStore();
    const subs = smallSubreddits(sim, 3);
    try {
      const db = store.describe().database;
      const first = child(db, subs, store.config.dataDir);
      const firstDone = finished(first);
      // Kill once some pages are stored and cursors are mid-listing.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const mid = await store.crawlState.count({ after: { $ne: null } });
        if (mid > 0 && (await store.posts.count({})) > 30) break;
        if (Date.now() > deadline) throw new Error('the child never got going');
        await new Promise((r) => setTimeout(r, 50));
      }
      first.kill('SIGKILL');
      const killed = await firstDone;
      expect(killed.signal).toBe('SIGKILL');
      const partial = (await storedPosts(store, 'reddit')).size;
      const expected = expectedReddit(sim, subs);
      expect(partial).toBeLessThan(expected.size);

      const second = await finished(child(db, subs, store.config.dataDir));
      expect(second.code, second.out).toBe(0);
      expect(JSON.parse(second.out.trim().split('\n').pop() as string).errors).toEqual([]);
      // The uninterrupted crawl stores exactly the world's items (reddit.test.ts); so must this one.
      expect(await storedPosts(store, 'reddit')).toEqual(expected);
      for (const s of subs) expect((await store.crawlState.get(`reddit:r/${s}:new`))?.backfillDone).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});
