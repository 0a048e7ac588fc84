// Account scores as one insert-only collection per detect run (storage/scores.ts), on the
// real embedded FerretDB: the latest complete run is what every reader sees, accounts a
// run did not score keep their previous score, a half-written run (killed mid-insert) is
// never read and its debris is removed by the next run, old runs are pruned.
import { deflateRawSync } from 'node:zlib';
import { Binary } from 'mongodb';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { markStaleRuns } from '../../jobs/runner';
import type { Store } from '../../storage/store';
import type { Account } from '../../storage/types';
import { exited, tsxChild } from '../helpers/child';
import { testStore } from '../helpers/store';
import { scoreRows } from './scores-rows';

async function scoreCollections(store: Store): Promise<string[]> {
  const db = store.accounts.collection.db;
  return (await db.listCollections({}, { nameOnly: true }).toArray())
    .map((c) => c.name)
    .filter((n) => n.startsWith('scores_'))
    .sort();
}

async function latestScores(store: Store): Promise<Map<string, { score: number; runId: string; ringId?: string }>> {
  const out = new Map<string, { score: number; runId: string; ringId?: string }>();
  for await (const s of store.scores.summaries()) out.set(s.accountId, { score: s.score, runId: s.runId, ...(s.ringId ? { ringId: s.ringId } : {}) });
  return out;
}

function child(store: Store & { config: { dataDir: string } }, runId: string, n: number, score: number) {
  return tsxChild('test/storage/scores-child.ts', {
    STORE_URI: inject('storeUri'),
    STORE_DB: store.describe().database,
    CHILD_DIR: store.config.dataDir,
    RUN_ID: runId,
    N: String(n),
    SCORE: String(score),
  });
}

describe('account scores per run', () => {
  let store: Store & { config: { dataDir: string } };
  beforeEach(async () => {
    store = await testStore();
  });
  afterEach(async () => store.close());

  it('reads the latest run; accounts it did not score keep the previous run’s score', async () => {
    expect((await store.scores.latest()).run).toBeNull();
    expect(await latestScores(store)).toEqual(new Map());
    await store.scores.write('run-a', scoreRows(4, 'run-a', 0.2));
    // run-b scores acc:2 … acc:5: acc:0 and acc:1 are outside its window.
    const w = await store.scores.write('run-b', scoreRows(4, 'run-b', 0.7, 2));
    expect(w).toMatchObject({ written: 4, carried: 2 });
    const latest = await latestScores(store);
    expect([...latest.keys()].sort()).toEqual(['acc:0', 'acc:1', 'acc:2', 'acc:3', 'acc:4', 'acc:5']);
    expect(latest.get('acc:0')).toEqual({ score: 0.2, runId: 'run-a', ringId: 'ring_0' });
    expect(latest.get('acc:3')).toEqual({ score: 0.7, runId: 'run-b', ringId: 'ring_3' });
    // Full scores, by id, with indicators and evidence; attach puts them on account documents.
    const full = await store.scores.get('acc:4');
    expect(full).toMatchObject({ score: 0.7, runId: 'run-b', evidencePosts: ['post:4', 'post:5'] });
    expect(full?.indicators[0]).toMatchObject({ name: 'co_review', explanation: 'reviewed with 4 others' });
    expect(full?.detectedAt).toEqual(new Date('2026-11-30T12:00:00Z'));
    const one: Account = { _id: 'acc:1', platform: 'test', handle: 'one', firstSeenAt: new Date(0), lastSeenAt: new Date(0) };
    const [a] = await store.scores.attach([one]);
    expect(a.suspicion).toMatchObject({ score: 0.2, runId: 'run-a' });
    // The run's accounts are named in the change log, so the API's views re-read them.
    const head = (await store.changes.heads()).accounts;
    expect((await store.changes.since('accounts', head - 1, head)).ids).toEqual(new Set(['acc:2', 'acc:3', 'acc:4', 'acc:5']));
  });

  it('stores 1,000 scores a document; reads a run stored one document per account (earlier versions) and carries it over', async () => {
    await store.scores.write('run-p', scoreRows(2500, 'run-p', 0.4));
    const db = store.accounts.collection.db;
    const [packed] = await scoreCollections(store);
    expect(await db.collection(packed).countDocuments({})).toBe(3);
    // A few ids: only their chunks are read (by the run's id lists); many: every chunk.
    const few = await store.scores.getMany(['acc:2499', 'nobody']);
    expect([...few.keys()]).toEqual(['acc:2499']);
    expect(few.get('acc:2499')).toMatchObject({ score: 0.4, evidencePosts: ['post:2499', 'post:2500'] });
    expect([...(await store.scores.getMany(['acc:2499', 'acc:7', 'acc:1000', 'nobody'])).keys()]).toEqual(['acc:2499', 'acc:7', 'acc:1000']);
    // A run as the earlier version stored it: one document per account, no `packed` in its entry.
    const at = new Date('2026-11-29T12:00:00Z');
    const old = (id: string, score: number) => ({ _id: id, score, runId: 'run-old', detectedAt: at, detail: JSON.stringify({ indicators: [], evidencePosts: [`post:${id}`] }) });
    await db.collection('scores_run-old_abc123').insertMany([old('acc:0', 0.9), old('acc:1', 0.8), old('old:2', 0.7)] as never[]);
    const entry = { runId: 'run-old', collection: 'scores_run-old_abc123', startedAt: at, complete: true, accounts: 3 };
    await db.collection('meta').updateOne({ _id: 'scores' as never }, { $set: { latest: entry, runs: [entry] } });
    expect(await latestScores(store)).toEqual(new Map([['acc:0', { score: 0.9, runId: 'run-old' }], ['acc:1', { score: 0.8, runId: 'run-old' }], ['old:2', { score: 0.7, runId: 'run-old' }]]));
    expect((await store.scores.get('old:2'))?.evidencePosts).toEqual(['post:old:2']);
    // The next run scores acc:0 only: the two others are carried over from the old run.
    expect(await store.scores.write('run-q', scoreRows(1, 'run-q', 0.1))).toMatchObject({ written: 1, carried: 2 });
    const latest = await latestScores(store);
    expect(latest.get('acc:0')).toMatchObject({ score: 0.1, runId: 'run-q' });
    expect(latest.get('old:2')).toEqual({ score: 0.7, runId: 'run-old' });
    expect(latest.size).toBe(3);
  });

  it('reads packed runs in the earlier form (summary, each detail and the id lists as JSON strings) and carries them over', async () => {
    const db = store.accounts.collection.db;
    const at = new Date('2026-11-30T12:00:00Z');
    const detail = (id: string) => JSON.stringify({ indicators: [{ name: 'x', value: 1, score: 0.5, explanation: `of ${id}` }], evidencePosts: [`post:${id}`] });
    const ids = ['acc:0', 'acc:1', 'prev:2'];
    const chunk = {
      _id: 'c:0',
      n: 3,
      summary: JSON.stringify(ids.map((id, i) => [id, 0.9 - i / 10, i === 0 ? 'ring-a' : 0, 'run-prev', at.getTime()])),
      detail: new Binary(deflateRawSync(JSON.stringify(ids.map(detail)))),
    };
    await db.collection('scores_run-prev_abc123').insertOne(chunk as never);
    await db.collection('meta').insertOne({ _id: 'ids:scores_run-prev_abc123:0', ids: JSON.stringify(ids) } as never);
    const entry = { runId: 'run-prev', collection: 'scores_run-prev_abc123', startedAt: at, complete: true, accounts: 3, packed: 1, idChunks: 1 };
    await db.collection('meta').updateOne({ _id: 'scores' as never }, { $set: { latest: entry, runs: [entry] } });
    expect(await store.scores.get('acc:0')).toEqual({ score: 0.9, ringId: 'ring-a', runId: 'run-prev', detectedAt: at, indicators: [{ name: 'x', value: 1, score: 0.5, explanation: 'of acc:0' }], evidencePosts: ['post:acc:0'] });
    expect(await latestScores(store)).toEqual(new Map([['acc:0', { score: 0.9, runId: 'run-prev', ringId: 'ring-a' }], ['acc:1', { score: 0.8, runId: 'run-prev' }], ['prev:2', { score: 0.7, runId: 'run-prev' }]]));
    // The next run scores acc:0 only; the two others are carried over in the current form, details intact.
    expect(await store.scores.write('run-r', scoreRows(1, 'run-r', 0.1))).toMatchObject({ written: 1, carried: 2 });
    expect((await store.scores.get('prev:2'))?.indicators).toEqual([{ name: 'x', value: 1, score: 0.5, explanation: 'of prev:2' }]);
    expect((await store.scores.get('acc:0'))?.runId).toBe('run-r');
  });

  it('a run that stopped half-way is never read; the next run converges and removes its debris', async () => {
    await store.scores.write('run-1', scoreRows(50, 'run-1', 0.1));
    const before = await latestScores(store);
    const draft = await store.scores.begin('run-2');
    await draft.add(scoreRows(20, 'run-2', 0.9));
    // As after a crash here: 20 of 50 inserted, never committed.
    expect(await latestScores(store)).toEqual(before);
    expect((await store.scores.get('acc:3'))?.score).toBe(0.1);
    await store.runs.insertOne({ _id: 'run-2', job: 'detect', params: {}, status: 'failed', trigger: 'cli', startedAt: new Date(), stats: {} });
    await store.scores.write('run-3', scoreRows(50, 'run-3', 0.9));
    const after = await latestScores(store);
    expect(after.size).toBe(50);
    expect(new Set([...after.values()].map((s) => `${s.runId}:${s.score}`))).toEqual(new Set(['run-3:0.9']));
    expect(await scoreCollections(store)).not.toContain(draft.collection);
    expect((await scoreCollections(store)).length).toBe(2);
  });

  it('keeps the latest and three earlier runs, and drops collections nothing lists', async () => {
    const db = store.accounts.collection.db;
    await db.collection('scores_debris_x').insertOne({ _id: 'acc:0' } as never);
    for (let r = 1; r <= 6; r++) await store.scores.write(`run-${r}`, scoreRows(5, `run-${r}`, r / 10));
    const names = await scoreCollections(store);
    expect(names.length).toBe(4);
    expect(names.some((n) => n.startsWith('scores_run-6_'))).toBe(true);
    expect(names.some((n) => n.startsWith('scores_run-2_'))).toBe(false);
    expect(names).not.toContain('scores_debris_x');
    expect((await store.scores.get('acc:0'))?.score).toBe(0.6);
    // Each kept run's id list (what the next run reads to carry scores over) stays; dropped runs' go.
    const lists = (await db.collection('meta').find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)).filter((id) => id.startsWith('ids:'));
    expect(lists.map((id) => id.replace(/^ids:(.+):\d+$/, '$1')).sort()).toEqual(names);
  });

  it('SIGKILL during the inserts: readers keep the previous run, a re-run equals an uninterrupted one', async () => {
    const N = 20_000;
    await store.scores.write('run-old', scoreRows(N, 'run-old', 0.3));
    const before = await latestScores(store);
    const p = child(store, 'run-killed', N, 0.8);
    const done = exited(p);
    // Kill once the run's own collection holds some but not all of its scores (chunks of 1,000).
    let partial = 0;
    let collection: string | undefined;
    for (let t = Date.now(); Date.now() - t < 120_000; ) {
      const meta = (await store.accounts.collection.db.collection('meta').findOne({ _id: 'scores' as never })) as {
        runs?: { runId: string; collection: string }[];
      } | null;
      collection = meta?.runs?.find((r) => r.runId === 'run-killed')?.collection;
      partial = collection ? await store.accounts.collection.db.collection(collection).countDocuments({}) : 0;
      if (partial >= 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    p.kill('SIGKILL');
    const first = await done;
    expect(first.signal, first.out).toBe('SIGKILL');
    expect(first.out).not.toContain('committed');
    const atKill = collection ? await store.accounts.collection.db.collection(collection).countDocuments({}) : 0;
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(N / 1000);
    expect(await latestScores(store)).toEqual(before);

    await markStaleRuns(store);
    await store.scores.write('run-again', scoreRows(N, 'run-again', 0.8));
    const clean = await testStore();
    try {
      await clean.scores.write('run-old', scoreRows(N, 'run-old', 0.3));
      await clean.scores.write('run-again', scoreRows(N, 'run-again', 0.8));
      expect(await latestScores(store)).toEqual(await latestScores(clean));
      expect(await store.scores.getMany(['acc:0', 'acc:5999', 'acc:19999'])).toEqual(await clean.scores.getMany(['acc:0', 'acc:5999', 'acc:19999']));
      expect([...(await store.scores.getMany(['acc:0', 'acc:5999', 'acc:19999'])).values()].map((x) => [x.score, x.runId])).toEqual([[0.8, 'run-again'], [0.8, 'run-again'], [0.8, 'run-again']]);
    } finally {
      await clean.close();
    }
    expect(await scoreCollections(store)).not.toContain(collection);
  }, 240_000);
});
