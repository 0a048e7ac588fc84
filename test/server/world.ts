// A store holding a small simulator world as the pipeline leaves it: posts and
// accounts (with NLP enrichment), escalations and orders imported through the import
// job from the simulator's CSV files, then the detect job's rings and scores. Plus one
// API key per role and a post/handle carrying an XSS payload.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import type { DetectAccount, DetectPost } from '../../analysis/graph/types';
import { isoWeek } from '../../analysis/time';
import { runDetect } from '../../jobs/detect';
import { importJob } from '../../jobs/import';
import type { JobContext } from '../../jobs/types';
import { buildServer } from '../../server/app';
import { createApiKey } from '../../queries/keys';
import { generateWorld, writeWorldFiles } from '../../sim/index';
import type { Account, Post, Role } from '../../storage/types';
import { makeFixture } from '../analysis/rings/fixture';
import { worldInput } from '../analysis/rings/world-input';
import { testStore } from '../helpers/store';

export type TestStore = Awaited<ReturnType<typeof testStore>>;

export const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;

export function jobCtx(store: TestStore, runId: string): JobContext {
  return { store, config: store.config, log: pino({ level: 'silent' }), progress: () => {}, signal: new AbortController().signal, runId };
}

export interface SeededWorld {
  store: TestStore;
  keys: Record<Role, string>;
  ringIds: string[];
  xssPostId: string;
  xssAccountId: string;
}

/**
 * `light` (default) uses the detection test fixture for posts and accounts (~500 posts,
 * seconds to seed); the full variant uses the small simulator world with NLP
 * enrichment (~5,000 posts, ~40 s on a busy 2-core machine).
 */
export async function seedWorld(opts: { seed?: number; full?: boolean } = {}): Promise<SeededWorld> {
  const store = await testStore();
  const world = generateWorld({ seed: opts.seed ?? 3, scale: 'small' });
  const input: { posts: DetectPost[]; accounts: DetectAccount[]; rings: string[][] } = opts.full
    ? { ...worldInput(world), rings: world.truth.rings.map((r) => r.members) }
    : fixtureInput();
  const now = new Date();
  const posts: Post[] = input.posts.map((p) => ({
    ...p,
    author: p.author ?? '',
    kind: p.platform === 'twitter' ? 'tweet' : p.platform === 'web' ? 'review' : 'submission',
    externalId: p._id.split(':').slice(1).join(':'),
    week: isoWeek(p.createdAt),
    source: 'test-world',
    fetchedAt: now,
    url: p.platform === 'reddit' ? `https://reddit.example/${p._id}` : undefined,
    enrichment: p.enrichment ? { version: 1, textHash: 'x', orderIds: [], money: [], people: [], organisations: [], enrichedAt: now, ...p.enrichment } : undefined,
  })) as Post[];
  const accounts: Account[] = input.accounts.map((a) => ({ ...a, firstSeenAt: now, lastSeenAt: now }));
  // One ring member gets an attacker-written handle and post.
  const member = input.rings[0][0];
  const xssAccount = accounts.find((a) => a._id === member) ?? accounts[0];
  xssAccount.handle = `evil${XSS}`;
  const xssPost = posts.find((p) => p.accountId === xssAccount._id) as Post;
  xssPost.text = `Great product ${XSS} buy now`;
  xssPost.author = xssAccount.handle;
  xssPost.url = 'javascript:alert(1)';
  await store.posts.upsertMany(posts);
  await store.accounts.upsertMany(accounts);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-world-'));
  const files = await writeWorldFiles(world, dir);
  const ctx = jobCtx(store, 'import');
  await importJob.run(ctx, { what: 'escalations', file: files.escalations });
  await importJob.run(ctx, { what: 'orders', file: files.orders });
  if (!opts.full) {
    // Cases naming ring members, opened after the ring's posts: detection links them.
    const last = Math.max(...posts.map((p) => p.createdAt.getTime()));
    await store.escalations.upsertMany(
      input.rings.map((ring, i) => {
        const handle = (accounts.find((a) => a._id === ring[1]) as Account).handle;
        const openedAt = new Date(last + (i + 1) * 86_400_000);
        return { _id: `CASE-RING-${i}`, openedAt, week: isoWeek(openedAt), region: 'UK', channel: 'email', customerId: `c${i}`, customerHandle: `@${handle}`, text: `refund for my order, ask @${handle}`, source: 'test', importedAt: now };
      }),
    );
  }
  await runDetect(jobCtx(store, 'detect-1'), { window: '400d' });
  const rings = await store.rings.find({}, { sort: { score: -1 }, projection: { _id: 1 } });
  const keys = {} as Record<Role, string>;
  for (const role of ['analyst', 'policy', 'admin'] as Role[]) keys[role] = (await createApiKey(store, { role, name: `test ${role}`, actor: 'test' })).key;
  return { store, keys, ringIds: rings.map((r) => r._id), xssPostId: xssPost._id, xssAccountId: xssAccount._id };
}

function fixtureInput() {
  const f = makeFixture({ seed: 5, organicAccounts: 150, organicPosts: 400, burstSize: 40, rings: 3 });
  return { posts: f.posts, accounts: f.accounts, rings: f.rings };
}

/** The API and dashboard on a loopback port over the world's store. */
export async function serveWorld(w: SeededWorld, log: Logger = pino({ level: 'silent' })): Promise<{ base: string; close: () => Promise<void> }> {
  const app = await buildServer({ store: w.store, config: w.store.config, log });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { base, close: () => app.close() };
}

/**
 * A seeded world served on a loopback port for the whole suite (beforeAll/afterAll);
 * read `.w` and `.base` inside tests.
 */
export function useServedWorld(opts: { log?: Logger; before?: (w: SeededWorld) => void | Promise<void> } = {}): { w: SeededWorld; base: string } {
  const served = {} as { w: SeededWorld; base: string; close?: () => Promise<void> };
  beforeAll(async () => {
    served.w = await seedWorld();
    await opts.before?.(served.w);
    Object.assign(served, await serveWorld(served.w, opts.log));
  }, 180_000);
  afterAll(async () => {
    await served.close?.();
    await served.w?.store.close();
  });
  return served;
}
