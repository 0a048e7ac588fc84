import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDetect } from '../../../jobs/detect';
import type { Account, Escalation } from '../../../storage/types';
import { testStore } from '../../helpers/store';
import { makeFixture } from './fixture';
import { ctxFor, seedStore } from './store-fixture';
import { summaries } from '../../helpers/scores';

type S = Awaited<ReturnType<typeof testStore>>;


describe('detect job on the store', () => {
  let store: S;
  const f = makeFixture({ seed: 5, organicAccounts: 150, organicPosts: 400, burstSize: 40, rings: 2 });
  beforeAll(async () => {
    store = await testStore();
    const now = new Date();
    await seedStore(store, f, now);
    const member = f.accounts.find((a) => a._id === f.rings[0][0]) as Account;
    const esc: Escalation = {
      _id: 'CASE-1',
      openedAt: new Date(f.posts[f.posts.length - 1].createdAt.getTime() + 86_400_000),
      week: '2026-W45',
      region: 'UK',
      channel: 'email',
      customerId: 'c1',
      customerHandle: `@${member.handle}`,
      source: 'test',
      importedAt: now,
    };
    await store.escalations.upsertMany([esc]);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('scores accounts, stores rings and links, and keeps the review state on a re-run', async () => {
    const stats = await runDetect(ctxFor(store, 'run-1'), { window: '60d' });
    expect(stats.posts).toBe(f.posts.length);
    expect(stats.rings).toBe(2);
    expect(stats.newRings).toBe(2);

    const scored = (await summaries(store)).filter((s) => s.runId === 'run-1').length;
    expect(scored).toBe(new Set(f.posts.map((p) => p.accountId)).size); // every account that posted in the window
    const member = await store.scores.get(f.rings[0][0]);
    expect(member?.ringId).toMatch(/^ring_/);
    expect(member?.score).toBeGreaterThan(0.5);

    const rings = await store.rings.find({});
    expect(rings).toHaveLength(2);
    const linked = rings.find((r) => r.members.includes(f.rings[0][0]));
    expect(linked?.links.map((l) => l.caseId)).toEqual(['CASE-1']);
    expect(linked?.status).toBe('new');

    // The policy team starts reviewing the ring; then a re-run with a member gone updates
    // the detected fields (a confirmed or dismissed ring is versioned instead: coverage.test.ts).
    const id = linked?._id as string;
    await store.rings.setMany([{ id, set: { status: 'in_review', statusReason: 'template text', assignee: 'ana', notes: [{ at: new Date(), by: 'ana', text: 'ok' }], version: 4 } }]);
    await store.posts.deleteMany({ accountId: f.rings[0][1] });
    const again = await runDetect(ctxFor(store, 'run-2'), { since: '2026-01-01', until: '2027-01-01' });
    expect(again.rings).toBe(2);
    expect(again.newRings).toBe(0);
    expect(again.updatedRings).toBe(2);
    const after = await store.rings.get(id);
    expect(after).toMatchObject({ status: 'in_review', statusReason: 'template text', assignee: 'ana', version: 4, runId: 'run-2' });
    expect(after?.notes).toHaveLength(1);
    expect(after?.members).not.toContain(f.rings[0][1]);
  });
});
