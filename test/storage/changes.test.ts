// The change log on the real FerretDB: every write through a logged repository names
// its documents, concurrent writers (two clients, as two processes would be) build one
// gap-free chain, and a reader that cannot follow the chain is told to reload.
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChangeLog, CHANGES_COLLECTION } from '../../storage/changes';
import type { Store } from '../../storage/store';
import type { Account } from '../../storage/types';
import { testStore } from '../helpers/store';

const account = (id: string, handle = id): Account => ({ _id: id, platform: 'test', handle, firstSeenAt: new Date(0), lastSeenAt: new Date(0) });

async function changedSince(store: Store, collection: string, after: number) {
  const head = (await store.changes.heads())[collection] ?? 0;
  return store.changes.since(collection, after, head);
}

describe('change log', () => {
  let store: Store;
  beforeAll(async () => {
    store = await testStore();
  });
  afterAll(async () => store.close());

  it('names the documents of every write to a logged collection, and nothing for unlogged ones', async () => {
    const start = (await store.changes.heads()).accounts ?? 0;
    await store.accounts.upsertMany([account('a1'), account('a2')]);
    await store.accounts.setMany([{ id: 'a3', set: { handle: 'x' }, upsert: true }]);
    await store.accounts.updateOne({ _id: 'a1' }, { set: { handle: 'y' } });
    await store.accounts.insertOne(account('a4'));
    await store.products.upsertMany([{ _id: 'B0TEST0001', name: 'n', brand: 'b', category: 'c', aliases: [] }]);
    const c = await changedSince(store, 'accounts', start);
    expect(c.ids).toEqual(new Set(['a1', 'a2', 'a3', 'a4']));
    expect(c.seq).toBe(start + 4);
    expect((await store.changes.heads()).products).toBeUndefined();
    // Up to date: nothing new.
    expect((await changedSince(store, 'accounts', c.seq)).ids).toEqual(new Set());
  });

  it('names exactly the deleted documents, and asks for a reload after an update it cannot attribute', async () => {
    await store.accounts.upsertMany([account('d1', 'gone'), account('d2', 'gone'), account('d3', 'kept')]);
    const before = (await store.changes.heads()).accounts ?? 0;
    expect(await store.accounts.deleteMany({ handle: 'gone' })).toBe(2);
    expect((await changedSince(store, 'accounts', before)).ids).toEqual(new Set(['d1', 'd2']));
    const mid = (await store.changes.heads()).accounts ?? 0;
    await store.accounts.updateOne({ handle: 'kept' }, { set: { displayName: 'K' } });
    expect((await changedSince(store, 'accounts', mid)).ids).toBe('all');
  });

  it('concurrent writers on two connections build one chain without holes; every id is named', async () => {
    const other = new MongoClient(inject('storeUri'));
    await other.connect();
    try {
      const db = other.db(store.accounts.collection.dbName);
      const log2 = new ChangeLog(db.collection(CHANGES_COLLECTION));
      const before = (await store.changes.heads()).posts ?? 0;
      const written: string[] = [];
      const writer = async (log: ChangeLog, tag: string) => {
        for (let i = 0; i < 15; i++) {
          const id = `${tag}${i}`;
          written.push(id);
          await log.append('posts', [id]);
        }
      };
      await Promise.all([writer(store.changes, 'p'), writer(log2, 'q'), writer(log2, 'r')]);
      const c = await changedSince(store, 'posts', before);
      expect(c.seq).toBe(before + 45);
      expect(c.ids).toEqual(new Set(written));
    } finally {
      await other.close();
    }
  });

  it('a reader behind pruned entries, or facing a hole, is told to reload', async () => {
    const client = new MongoClient(inject('storeUri'));
    await client.connect();
    const changes = client.db(store.accounts.collection.dbName).collection(CHANGES_COLLECTION);
    const log = new ChangeLog(changes, { keep: 5, pruneEvery: 5 });
    const start = (await log.heads()).escalations ?? 0;
    for (let i = 0; i < 10; i++) await log.append('escalations', [`e${i}`]);
    const head = (await log.heads()).escalations;
    expect(head).toBe(start + 10);
    // Entries up to head − keep are gone: a reader at `start` cannot know what changed.
    expect((await log.since('escalations', start, head)).ids).toBe('all');
    // One that kept up reads the rest.
    expect((await log.since('escalations', head - 2, head)).ids).toEqual(new Set(['e8', 'e9']));
    // A log that went back (the database dropped and refilled) means reload too.
    expect(await log.since('escalations', head + 5, head)).toEqual({ seq: head, ids: 'all' });
    // A hole (an entry lost) also means reload.
    await changes.deleteOne({ _id: `escalations:${head - 1}` } as never);
    expect((await log.since('escalations', head - 3, head)).ids).toBe('all');
    await client.close();
  });
});
