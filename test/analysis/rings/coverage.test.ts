// Detect covers what was imported (issue 11.3): a plain run says what it left out and the
// flag that includes it; --all scores every account; exports say when they mix runs; a
// re-run with another window never rewrites a ring a reviewer confirmed or dismissed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedRunsWarning } from '../../../cli/commands/accounts';
import { coverageNote, runDetect } from '../../../jobs/detect';
import { AccountView } from '../../../storage/live/accounts';
import { testStore } from '../../helpers/store';
import { makeFixture } from './fixture';
import { ctxFor, seedStore } from './store-fixture';
import { scoredAccounts, summaries } from '../../helpers/scores';

type S = Awaited<ReturnType<typeof testStore>>;


describe('detect coverage and reviewed rings', () => {
  let store: S;
  // 30 days of posts: the default 72 h window holds a small part of them.
  const f = makeFixture({ seed: 11, organicAccounts: 120, organicPosts: 300, burstSize: 30, rings: 2 });
  const posters = new Set(f.posts.map((p) => p.accountId)).size;
  beforeAll(async () => {
    store = await testStore();
    await seedStore(store, f);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('a plain run says what it left out and how to include it; --all scores every account', async () => {
    const plain = await runDetect(ctxFor(store, 'run-plain'), {});
    expect(plain.until).toBe(Math.max(...f.posts.map((p) => p.createdAt.getTime())));
    expect(plain.posts).toBeLessThan(f.posts.length);
    expect(plain.postsOutside).toBe(f.posts.length - plain.posts);
    // Accounts that posted only outside the window (accounts without any post cannot be scored).
    expect(plain.accountsNotScored).toBe(posters - plain.accounts);
    expect(plain.accountsNotScored).toBeGreaterThan(0);
    const oldest = new Date(Math.min(...f.posts.map((p) => p.createdAt.getTime()))).toISOString().slice(0, 10);
    const note = coverageNote(plain);
    expect(note).toContain(`${plain.postsOutside} stored posts outside the window`);
    expect(note).toContain(`use --since ${oldest} or --all`);

    const logged = (await store.changes.heads()).accounts ?? 0;
    const all = await runDetect(ctxFor(store, 'run-all'), { all: true });
    // One change-log entry for the run's account scores, naming every scored account.
    expect((await store.changes.heads()).accounts).toBe(logged + 1);
    const ofRun = (await summaries(store)).filter((s) => s.runId === 'run-all').map((s) => s.accountId);
    expect((await store.changes.since('accounts', logged, logged + 1)).ids).toEqual(new Set(ofRun));
    expect(all.posts).toBe(f.posts.length);
    expect(all.postsOutside).toBe(0);
    expect(all.accountsNotScored).toBe(0);
    expect(ofRun.length).toBe(posters);
    expect(coverageNote(all)).not.toContain('--all');
  });

  it('an export of scores from several runs says so, in the CLI and the API list', async () => {
    await runDetect(ctxFor(store, 'run-wide'), { all: true });
    expect(mixedRunsWarning(await scoredAccounts(store))).toBeNull();
    const view = new AccountView(store);
    await view.reload();
    expect(view.scoreRuns()).toEqual([{ runId: 'run-wide', accounts: posters }]);

    const narrow = await runDetect(ctxFor(store, 'run-narrow'), { window: '5d' });
    const scored = await scoredAccounts(store);
    const warning = mixedRunsWarning(scored);
    expect(warning).toContain('2 detect runs');
    expect(warning).toContain(`${narrow.accounts} from run-narrow`);
    expect(warning).toContain(`${posters - narrow.accounts} from run-wide`);
    await view.reload();
    expect(view.scoreRuns().map((r) => r.runId).sort()).toEqual(['run-narrow', 'run-wide']);
    const page = view.list({ sort: 'score', order: 'desc', limit: 500 });
    expect(new Set(page.items.map((i) => i.suspicion.runId))).toEqual(new Set(['run-narrow', 'run-wide']));
  });

  it('a re-run with another window does not rewrite a confirmed ring: the re-score is a new, audited version', async () => {
    await runDetect(ctxFor(store, 'run-a'), { all: true });
    const rings = await store.rings.find({}, { sort: { _id: 1 } });
    expect(rings.length).toBeGreaterThanOrEqual(2);
    const [confirmed, dismissed] = rings;
    await store.rings.setMany([
      { id: confirmed._id, set: { status: 'confirmed', statusReason: 'template text', version: 3 } },
      { id: dismissed._id, set: { status: 'dismissed', statusReason: 'a fan club', version: 3 } },
    ]);
    const reviewed = await store.rings.find({}, { sort: { _id: 1 } });

    // A window that ends before the last ring posts: the rings come out different.
    const lastRingPost = Math.max(...f.posts.filter((p) => f.rings.flat().includes(p.accountId)).map((p) => p.createdAt.getTime()));
    const until = new Date(lastRingPost - 2 * 86_400_000).toISOString();
    const b = await runDetect(ctxFor(store, 'run-b'), { since: '2026-09-01', until });
    expect(b.versionedRings).toBeGreaterThanOrEqual(1);

    const versions = await store.ringVersions.find({ runId: 'run-b' });
    expect(versions.length).toBe(b.versionedRings);
    for (const v of versions) {
      const before = reviewed.find((r) => r._id === v.ringId);
      const after = await store.rings.get(v.ringId);
      if (!before || !after) throw new Error(`ring ${v.ringId} missing`);
      // Everything the reviewer saw is as it was; only the pointer to the new version is added
      // (and the store's revision counter for atomic updates, storage/claims.ts, moves on).
      const { rescored, _rev: _after, ...kept } = after as typeof after & { _rev?: number };
      const { _rev: _before, ...seen } = before as typeof before & { _rev?: number };
      expect(kept).toEqual(seen);
      expect(rescored).toMatchObject({ runId: 'run-b', versionId: `${v.ringId}:run-b`, score: v.detected.score, members: v.detected.members.length });
      expect(v.statusAtRun).toBe(before.status);
      expect(v.window.until.toISOString()).toBe(until);
      const audit = await store.audit.find({ target: `ring:${v.ringId}`, action: 'ring.rescored' });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actor: 'detect:run-b', before: { score: before.score, members: before.members.length } });
    }
    // The window really changed what was found for at least one of them.
    expect(versions.some((v) => JSON.stringify(v.detected.evidencePosts) !== JSON.stringify(reviewed.find((r) => r._id === v.ringId)?.evidencePosts) || v.detected.score !== reviewed.find((r) => r._id === v.ringId)?.score)).toBe(true);
  });
});
