// kill -9 during `import reviews` (issue 14.5): a re-run after the crash must converge to
// the result of an uninterrupted import, accounts included (they are derived from every
// row of the file, whether this run wrote it or found it stored, and written at the end).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runImportJob } from '../../jobs/import';
import type { Store } from '../../storage/store';
import { exited, tsxChild } from '../helpers/child';
import { testStore } from '../helpers/store';
import { jobContext } from './helpers';

const N = 1500;
const BATCH = 100;

/** Reviews by 500 authors, each author's reviews spread over the whole file (first/last seen span batches). */
function reviewsFile(dir: string): string {
  const lines = ['id,author,product,rating,created_at,text'];
  let x = 12345;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  for (let i = 0; i < N; i++) {
    const day = 1 + Math.floor(rnd() * 360);
    const date = new Date(Date.UTC(2026, 0, day)).toISOString().slice(0, 10);
    lines.push(`r${i},user${(i * 7) % 500},p${i % 17},${1 + (i % 5)},${date},review ${i}`);
  }
  const file = path.join(dir, 'reviews.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function child(db: string, file: string, dir: string) {
  return tsxChild('test/importers/import-child.ts', { STORE_URI: inject('storeUri'), STORE_DB: db, IMPORT_FILE: file, BATCH_SIZE: String(BATCH), CHILD_DIR: dir });
}

/** The store's posts and accounts without write-time stamps. */
async function contents(store: Store) {
  const posts = (await store.posts.find({}, { sort: { _id: 1 } })).map(({ fetchedAt: _, ...p }) => p);
  const accounts = (await store.accounts.find({}, { sort: { _id: 1 } })).map((a) => ({ _id: a._id, platform: a.platform, handle: a.handle, first: a.firstSeenAt?.toISOString(), last: a.lastSeenAt?.toISOString() }));
  return { posts, accounts };
}

describe('import after kill -9', () => {
  it('SIGKILL mid-import, re-run: posts and accounts equal an uninterrupted import', async () => {
    const crashed = await testStore();
    const clean = await testStore();
    try {
      const file = reviewsFile(crashed.config.dataDir);
      const p = child(crashed.describe().database, file, crashed.config.dataDir);
      const done = exited(p);
      // Kill as soon as a third of the posts are stored: mid-import, between batches' writes.
      let stored = 0;
      for (let t = Date.now(); Date.now() - t < 120_000; ) {
        stored = await crashed.posts.count({});
        if (stored >= N / 3) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      p.kill('SIGKILL');
      const first = await done;
      expect(first.signal, first.out).toBe('SIGKILL');
      const atKill = await crashed.posts.count({});
      expect(atKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(N);

      const rerun = await runImportJob(jobContext(crashed), { what: 'reviews', file, source: 'crash', batchSize: BATCH });
      expect(rerun).toMatchObject({ read: N, rejected: 0 });
      expect(rerun.imported + rerun.unchanged).toBe(N);

      const whole = await runImportJob(jobContext(clean), { what: 'reviews', file, source: 'crash', batchSize: BATCH });
      expect(whole).toMatchObject({ read: N, imported: N, derived: { accountsCreated: 500 } });

      const [a, b] = [await contents(crashed), await contents(clean)];
      expect(a.accounts).toHaveLength(500);
      expect(a.accounts).toEqual(b.accounts);
      expect(a.posts).toEqual(b.posts);
      // And a third run changes nothing.
      expect(await runImportJob(jobContext(crashed), { what: 'reviews', file, source: 'crash', batchSize: BATCH })).toMatchObject({ imported: 0, updated: 0, unchanged: N, derived: { accountsCreated: 0, accountsWidened: 0 } });
    } finally {
      await crashed.close();
      await clean.close();
    }
  }, 240_000);
});
