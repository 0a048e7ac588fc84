// Repository.update (storage/claims.ts) against the real embedded FerretDB, from several
// processes at once: FerretDB 1.24 updates are not atomic (an unguarded read-modify-write
// loses edits, a conditional update can succeed twice); claimed revisions must not.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { LEASE_MS } from '../../storage/claims';
import type { Repository } from '../../storage/repository';
import { testStore } from '../helpers/store';

type Doc = { _id: string; entries: string[]; version: number; winners: Record<string, string>; _rev?: number };
let store: Awaited<ReturnType<typeof testStore>>;
let repo: Repository<Doc>;

beforeAll(async () => {
  store = await testStore();
  repo = store.crawlState as unknown as Repository<Doc>;
});
afterAll(async () => {
  await store?.close();
});

function child(env: Record<string, string>): Promise<{ tag: string; won: number[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ringwatch-claims-'));
  const p: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/storage/claims-child.ts')], {
    env: { ...process.env, STORE_URI: inject('storeUri'), STORE_DB: store.describe().database, CHILD_DIR: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout?.on('data', (d) => (out += d));
  p.stderr?.on('data', (d) => (err += d));
  return new Promise((resolve, reject) =>
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string)) : reject(new Error(`child exited ${code}: ${err}`)))),
  );
}

const PROCESSES = 3;
const EDITS = 15;

describe('Repository.update: read-modify-write across processes', () => {
  it(`loses none of ${PROCESSES} processes × ${EDITS} concurrent appends to one document`, async () => {
    await repo.insertOne({ _id: 'append', entries: [], version: 1, winners: {} });
    const runs = await Promise.all(Array.from({ length: PROCESSES }, (_, p) => child({ MODE: 'append', DOC: 'append', TAG: `p${p}`, EDITS: String(EDITS) })));
    const doc = (await repo.get('append')) as Doc;
    const expected = runs.flatMap((r) => r.won.map((i) => `${r.tag}:${i}`)).sort();
    expect(expected).toHaveLength(PROCESSES * EDITS);
    expect([...doc.entries].sort()).toEqual(expected);
    expect(doc._rev).toBe(PROCESSES * EDITS);
  }, 120_000);

  it('gives each version exactly one winner; the stored document records every win and nothing else', async () => {
    await repo.insertOne({ _id: 'cas', entries: [], version: 1, winners: {} });
    const runs = await Promise.all(Array.from({ length: PROCESSES }, (_, p) => child({ MODE: 'cas', DOC: 'cas', TAG: `p${p}`, EDITS: String(EDITS) })));
    const doc = (await repo.get('cas')) as Doc;
    const wins = runs.flatMap((r) => r.won.map((v) => ({ v, tag: r.tag })));
    // Every reported win is a distinct version, the stored version is the last of them …
    expect(new Set(wins.map((w) => w.v)).size).toBe(wins.length);
    expect(doc.version).toBe(1 + wins.length);
    // … and the document names the same winner for every version (audit = stored state).
    expect(Object.fromEntries(wins.map((w) => [`v${w.v}`, w.tag]))).toEqual(doc.winners);
    // Contention was real: some edits lost (they saw a version someone else then moved).
    expect(wins.length).toBeLessThan(PROCESSES * EDITS);
  }, 120_000);

  it('moves past the claim of a writer that died before writing, once the lease is over', async () => {
    await repo.insertOne({ _id: 'stuck', entries: ['a'], version: 1, winners: {} });
    // A claim of revision 1 whose writer never wrote, made longer ago than the lease.
    await store.claims.claim('crawl_state:stuck', 1);
    const coll = store.crawlState.collection.db.collection('claims');
    await coll.updateOne({ _id: 'crawl_state:stuck:r1' } as never, { $set: { at: new Date(Date.now() - LEASE_MS - 1000) } });
    const r = await repo.update('stuck', (d) => ({ set: { entries: [...d.entries, 'b'] } }));
    expect(r?.changed).toBe(true);
    const doc = (await repo.get('stuck')) as Doc;
    expect(doc.entries).toEqual(['a', 'b']);
    expect(doc._rev).toBe(2);
  });

  it('moves past the claim of a dead process on this host at once', async () => {
    await repo.insertOne({ _id: 'killed', entries: ['a'], version: 1, winners: {} });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
    const coll = store.crawlState.collection.db.collection('claims');
    await coll.insertOne({ _id: 'crawl_state:killed:r1', at: new Date(), by: `${os.hostname()}:${dead}` } as never);
    const t0 = Date.now();
    const r = await repo.update('killed', (d) => ({ set: { entries: [...d.entries, 'b'] } }));
    expect(r?.changed).toBe(true);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(((await repo.get('killed')) as Doc).entries).toEqual(['a', 'b']);
  });

  it('returns null for a missing document and writes nothing when the plan has nothing to do', async () => {
    expect(await repo.update('missing', () => ({ set: { version: 2 } }))).toBeNull();
    await repo.insertOne({ _id: 'same', entries: [], version: 1, winners: {} });
    expect((await repo.update('same', () => null))?.changed).toBe(false);
    expect((await repo.get('same'))?._rev).toBeUndefined();
  });
});
