// The API's in-memory views (storage/live) against the store they mirror: the same
// answers as the store for any list query, this process's writes visible on the next
// request, another process's writes within the sync lag, bulk changes reloaded in the
// background without stopping the answers.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAX_LAG_MS, APPLY_LIMIT } from '../../storage/live/sync';
import { createApiKey } from '../../queries/keys';
import { sleep } from '../../crawlers/rate-gate';
import type { Account, Post } from '../../storage/types';
import { type SeededWorld, seedWorld, serveWorld } from './world';

const run = promisify(execFile);
let w: SeededWorld;
let base: string;
let close: () => Promise<void>;

async function get(p: string, key = w.keys.analyst) {
  const res = await fetch(`${base}${p}`, { headers: { 'x-api-key': key } });
  return { status: res.status, json: (await res.json()) as any };
}

async function listAll(params: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const qs = new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) });
    const r = await get(`/api/accounts?${qs}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    ids.push(...r.json.items.map((a: Account) => a._id));
    cursor = r.json.nextCursor;
  } while (cursor);
  return ids;
}

function otherProcess(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'live-writer.ts'), inject('storeUri'), w.store.describe().database, ...args]);
}

const scored = (id: string, handle: string, score: number): Account => ({
  _id: id, platform: 'test', handle, firstSeenAt: new Date(), lastSeenAt: new Date(),
  suspicion: { score, indicators: [], evidencePosts: [], detectedAt: new Date(), runId: 'live-test' },
});

beforeAll(async () => {
  w = await seedWorld();
  ({ base, close } = await serveWorld(w));
}, 180_000);

afterAll(async () => {
  await close?.();
  await w?.store.close();
});

describe('live views', () => {
  it('list the same accounts, in the same order, as the store for any filter, sort and page size', async () => {
    const rings = w.ringIds;
    // The store's accounts with their latest scores (storage/scores.ts), filtered and sorted as the store would.
    const stored = await w.store.scores.attach(await w.store.accounts.find({}));
    const field = { score: (a: Account) => a.suspicion?.score ?? 0, handle: (a: Account) => a.handle, lastSeen: (a: Account) => a.lastSeenAt.getTime() } as const;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          platform: fc.option(fc.constantFrom('reddit', 'twitter', 'web'), { nil: undefined }),
          minScore: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
          ring: fc.option(fc.constantFrom(...rings), { nil: undefined }),
          handle: fc.option(fc.constantFrom('a', 'E', 'er', 'evil<', 'zz'), { nil: undefined }),
          sort: fc.constantFrom('score', 'handle', 'lastSeen') as fc.Arbitrary<keyof typeof field>,
          order: fc.constantFrom('asc', 'desc'),
          limit: fc.integer({ min: 1, max: 120 }),
        }),
        async (q) => {
          const params: Record<string, string> = { sort: q.sort, order: q.order, limit: String(q.limit) };
          if (q.minScore !== undefined) params.minScore = String(q.minScore);
          if (q.platform) params.platform = q.platform;
          if (q.ring) params.ring = q.ring;
          if (q.handle) params.handle = q.handle;
          const by = field[q.sort];
          const sign = q.order === 'asc' ? 1 : -1;
          const expected = stored
            .filter((a) => a.suspicion && (q.minScore === undefined || a.suspicion.score >= q.minScore))
            .filter((a) => (!q.platform || a.platform === q.platform) && (!q.ring || a.suspicion?.ringId === q.ring))
            .filter((a) => !q.handle || a.handle.toLowerCase().includes(q.handle.toLowerCase()))
            .sort((x, y) => (by(x) < by(y) ? -sign : by(x) > by(y) ? sign : x._id < y._id ? -1 : x._id > y._id ? 1 : 0))
            .map((a) => a._id);
          expect(await listAll(params)).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("shows this process's writes on the next request: new account, its post, a deletion", async () => {
    const a = scored('test:live-own', 'live_own_writer', 0.9991);
    await w.store.accounts.upsertMany([a]);
    expect((await get('/api/accounts?handle=live_own')).json.items.map((x: Account) => x._id)).toEqual([a._id]);
    const post = { _id: 'test:live-own-post', platform: 'test', kind: 'review', externalId: 'p', accountId: a._id, author: a.handle, createdAt: new Date(), fetchedAt: new Date(), week: '2026-W48', text: 'fresh text', source: 'test' } as Post;
    await w.store.posts.upsertMany([post]);
    const page = await get(`/api/accounts/${encodeURIComponent(a._id)}`);
    expect(page.status).toBe(200);
    expect(page.json.posts.map((p: Post) => p.text)).toEqual(['fresh text']);
    await w.store.posts.deleteMany({ _id: post._id });
    await w.store.accounts.deleteMany({ _id: a._id });
    expect((await get(`/api/accounts/${encodeURIComponent(a._id)}`)).status).toBe(404);
    expect((await get('/api/accounts?handle=live_own')).json.items).toEqual([]);
  });

  it("shows another process's writes once the sync lag has passed; its revocation stops a key", async () => {
    const a = scored('test:live-other', 'live_other_writer', 0.5);
    await otherProcess('account', JSON.stringify(a));
    await sleep(MAX_LAG_MS + 20);
    expect((await get('/api/accounts?handle=live_other')).json.items.map((x: Account) => x._id)).toEqual([a._id]);
    const created = await createApiKey(w.store, { role: 'analyst', name: 'revoked elsewhere', actor: 'test' });
    expect((await get('/api/me', created.key)).status).toBe(200);
    await otherProcess('revoke', created.id);
    await sleep(MAX_LAG_MS + 20);
    expect((await get('/api/me', created.key)).status).toBe(401);
    await w.store.accounts.deleteMany({ _id: a._id });
  }, 60_000);

  it('a bulk change reloads the view in the background: requests go on being answered, then see all of it', async () => {
    const bulk = Array.from({ length: APPLY_LIMIT + 50 }, (_, i) => scored(`test:bulk${i}`, `bulk_account_${i}`, 0.42));
    await w.store.accounts.upsertMany(bulk);
    expect((await get('/api/accounts?handle=bulk_account_&limit=5')).status).toBe(200);
    await expect.poll(async () => (await listAll({ handle: 'bulk_account_', limit: '500' })).length, { timeout: 30_000 }).toBe(bulk.length);
    await w.store.accounts.deleteMany({ platform: 'test' });
    await expect.poll(async () => (await listAll({ handle: 'bulk_account_', limit: '500' })).length, { timeout: 30_000 }).toBe(0);
  }, 90_000);
});
