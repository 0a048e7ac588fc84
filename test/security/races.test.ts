// Lost updates on the embedded FerretDB (issue 14.1): two real API servers, each on its
// own store connection, take concurrent conflicting reviews of one ring; key revocation
// races lastUsedAt writes; runs are written by progress and the end at once; a killed
// run is marked stale.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { markStaleRuns, runJob } from '../../jobs/runner';
import { buildServer } from '../../server/app';
import { createApiKey, revokeApiKey, touchApiKey } from '../../queries/keys';
import { openStore, type Store } from '../../storage/store';
import type { Ring } from '../../storage/types';
import { type SeededWorld, seedWorld } from '../server/world';

let w: SeededWorld;
let other: Store;
const servers: { base: string; close: () => Promise<void> }[] = [];

beforeAll(async () => {
  w = await seedWorld();
  // A second connection to the same database, as a second `ringwatch serve` process has.
  other = await openStore(w.store.config, { uri: inject('storeUri'), database: w.store.describe().database });
  for (const store of [w.store, other]) {
    const app = await buildServer({ store, config: w.store.config, log: pino({ level: 'silent' }) });
    servers.push({ base: await app.listen({ host: '127.0.0.1', port: 0 }), close: () => app.close() });
  }
}, 180_000);

afterAll(async () => {
  for (const s of servers) await s.close();
  await other?.close();
  await w?.store.close();
});

async function review(base: string, ringId: string, body: unknown): Promise<{ status: number; json: { ring?: Ring; message?: string } }> {
  const res = await fetch(`${base}/api/rings/${ringId}/review`, { method: 'PATCH', headers: { 'x-api-key': w.keys.policy, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

describe('conflicting reviews on two servers', () => {
  it('gives each version exactly one 200; the ring and the audit log hold exactly the winners', async () => {
    const ringId = w.ringIds[2];
    const start = (await w.store.rings.get(ringId)) as Ring;
    const ROUNDS = 8;
    const PER_SERVER = 3;
    const winners: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const version = ((await w.store.rings.get(ringId)) as Ring).version;
      const edits = servers.flatMap((s, si) => Array.from({ length: PER_SERVER }, (_, i) => ({ base: s.base, note: `round ${round} server ${si} edit ${i}` })));
      const answers = await Promise.all(edits.map((e) => review(e.base, ringId, { version, note: e.note })));
      const ok = answers.flatMap((a, i) => (a.status === 200 ? [edits[i].note] : []));
      expect(ok, `round ${round}: ${answers.map((a) => a.status).join(' ')}`).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409)).toHaveLength(edits.length - 1);
      winners.push(...ok);
    }
    const ring = (await w.store.rings.get(ringId)) as Ring;
    expect(ring.version).toBe(start.version + ROUNDS);
    expect((ring.notes ?? []).map((n) => n.text)).toEqual([...(start.notes ?? []).map((n) => n.text), ...winners]);
    const audit = await w.store.audit.find({ target: `ring:${ringId}`, action: 'ring.review' }, { sort: { at: 1, _id: 1 } });
    expect(audit.map((a) => (a.after as { notes: { text: string }[] }).notes[0].text)).toEqual(winners);
    expect(audit.map((a) => (a.after as { version: number }).version)).toEqual(winners.map((_, i) => start.version + i + 1));
  }, 120_000);

  it('keeps every review saved while detection rewrites the same rings from the other connection', async () => {
    const { writeDetection } = await import('../../queries/detection');
    const rings = await w.store.rings.find({});
    // What a detection run writes for rings it finds again (only the detection-owned fields change).
    const result = { accounts: [], rings: rings.map((r) => ({ ...r, score: r.score })) } as unknown as Parameters<typeof writeDetection>[1];
    let detecting = true;
    const writer = (async () => {
      for (let i = 0; i < 15; i++) await writeDetection(other, result, `detect-race-${i}`, new Date(), { since: new Date(0), until: new Date() });
      detecting = false;
    })();
    const saved = new Map<string, string[]>();
    let n = 0;
    await Promise.all(servers.map(async (s, si) => {
      while (detecting) {
        const ring = rings[n++ % rings.length]._id;
        const version = ((await w.store.rings.get(ring)) as Ring).version;
        const note = `during detect ${si}:${n}`;
        if ((await review(s.base, ring, { version, note })).status === 200) saved.set(ring, [...(saved.get(ring) ?? []), note]);
      }
    }));
    await writer;
    expect([...saved.values()].flat().length).toBeGreaterThan(5);
    for (const [ringId, notes] of saved) {
      const ring = (await w.store.rings.get(ringId)) as Ring;
      const stored = (ring.notes ?? []).map((x) => x.text);
      for (const note of notes) expect(stored, ringId).toContain(note);
      expect(ring.runId).toBe('detect-race-14');
    }
  }, 180_000);
});

describe('API keys', () => {
  it('a revocation is never undone by a concurrent lastUsedAt write from another process', async () => {
    for (let i = 0; i < 6; i++) {
      const { id } = await createApiKey(w.store, { role: 'analyst', name: `race ${i}`, actor: 'test' });
      await Promise.all([
        ...Array.from({ length: 4 }, (_, j) => touchApiKey(other, id, new Date(Date.now() + j))),
        revokeApiKey(w.store, id, 'test'),
      ]);
      expect((await w.store.apiKeys.get(id))?.revokedAt, `key ${i}`).toBeInstanceOf(Date);
    }
  });
});

describe('runs', () => {
  it('a job that reports progress as it ends is recorded as finished (8 of 8)', async () => {
    const job = { name: 'quick', description: 'reports progress, then ends', run: async (ctx: { progress: (d: number, t?: number) => void }) => { ctx.progress(1, 1); return { n: 1 }; } };
    const runs = await Promise.all(Array.from({ length: 8 }, () => runJob(w.store, w.store.config, job, {}, { trigger: 'api', log: pino({ level: 'silent' }) })));
    await new Promise((r) => setTimeout(r, 300));
    for (const r of runs) expect((await w.store.runs.get(r.runId))?.status).toBe('succeeded');
  });

  it('marks a run whose process was killed -9 stale when the next server starts', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-run-'));
    const p = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/security/run-child.ts')], {
      env: { ...process.env, STORE_URI: inject('storeUri'), STORE_DB: w.store.describe().database, CHILD_DIR: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const runId = await new Promise<string>((resolve) => p.stdout?.on('data', (d) => resolve(String(d).trim())));
    expect((await w.store.runs.get(runId))?.status).toBe('running');
    // Still alive: not stale.
    expect(await markStaleRuns(w.store)).not.toContain(runId);
    p.kill('SIGKILL');
    await new Promise((r) => p.on('exit', r));
    const app = await buildServer({ store: w.store, config: w.store.config, log: pino({ level: 'silent' }) });
    let run = await w.store.runs.get(runId);
    for (let i = 0; i < 150 && run?.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      run = await w.store.runs.get(runId);
    }
    await app.close();
    expect(run).toMatchObject({ status: 'stale', error: expect.stringMatching(/stale: its process \(pid \d+/) });
  }, 60_000);
});
