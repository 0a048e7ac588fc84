// `import coactions` stores posts packed (storage/coactions.ts): a kill -9 mid-import leaves
// chunks without the finish mark; the re-run must converge to an uninterrupted import (posts
// and accounts), and a re-run of a finished import writes nothing at all.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runImportJob } from '../../jobs/import';
import type { Store } from '../../storage/store';
import { exited, tsxChild } from '../helpers/child';
import { testStore } from '../helpers/store';
import { jobContext } from './helpers';

const ROWS = 40_000;
const ACCOUNTS = 12_000;

/** Multi-object rows: posts of many accounts sharing a few hundred urls and hashtags, some posts over two rows. */
function coactionsFile(dir: string): string {
  const lines = ['account_id,post_id,url_id,hashtag_id,timestamp'];
  let x = 4242;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((x / 2 ** 31) * n);
  };
  const posts = ROWS - ROWS / 10;
  for (let j = 0; j < posts; j++) {
    const at = 1630000000 + j * 3;
    lines.push(`a${j % ACCOUNTS},p${j},u${rnd(300)},${rnd(3) === 0 ? `h${rnd(50)}` : ''},${at}`);
    // Every ninth post has a second row with one more hashtag (a duplicate row merged into it).
    if (j % 9 === 8) lines.push(`a${j % ACCOUNTS},p${j},,h${rnd(50)},${at}`);
  }
  const file = path.join(dir, 'shares.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const chunkCount = (store: Store) => store.posts.collection.db.collection('coactions').countDocuments({});

/** The stored co-action posts and accounts, without write-time stamps. */
async function contents(store: Store) {
  const posts = [...(await store.coactions.view()).posts].map(({ fetchedAt: _, ...p }) => p).sort((a, b) => (a._id < b._id ? -1 : 1));
  const accounts = (await store.accounts.find({}, { sort: { _id: 1 } })).map((a) => ({ _id: a._id, platform: a.platform, handle: a.handle, first: a.firstSeenAt?.toISOString(), last: a.lastSeenAt?.toISOString() }));
  return { posts, accounts };
}

describe('import coactions after kill -9', () => {
  it('SIGKILL between the chunks and the finish mark, re-run: posts and accounts equal an uninterrupted import; a third run writes nothing', async () => {
    const crashed = await testStore();
    const clean = await testStore();
    try {
      const file = coactionsFile(crashed.config.dataDir);
      const p = tsxChild('test/importers/import-child.ts', { STORE_URI: inject('storeUri'), STORE_DB: crashed.describe().database, IMPORT_FILE: file, IMPORT_WHAT: 'coactions', BATCH_SIZE: '1000', CHILD_DIR: crashed.config.dataDir });
      const done = exited(p);
      // Kill as soon as the first chunk is stored: the accounts (12k inserts) and the finish mark come after.
      for (let t = Date.now(); Date.now() - t < 120_000; ) {
        if ((await chunkCount(crashed)) > 0) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      p.kill('SIGKILL');
      const first = await done;
      expect(first.signal, first.out).toBe('SIGKILL');
      expect(await chunkCount(crashed)).toBeGreaterThan(0);
      // Killed mid-import: nothing of it is read yet.
      expect((await crashed.coactions.view()).imports).toBe(0);
      expect(await crashed.accounts.count({})).toBeLessThan(ACCOUNTS);

      const rerun = await runImportJob(jobContext(crashed), { what: 'coactions', file, source: 'crash' });
      const whole = await runImportJob(jobContext(clean), { what: 'coactions', file, source: 'crash' });
      expect(whole).toMatchObject({ read: ROWS, rejected: 0, duplicates: ROWS / 10, imported: ROWS - ROWS / 10, derived: { accountsCreated: ACCOUNTS } });
      expect(rerun).toMatchObject({ read: ROWS, rejected: 0, imported: whole.imported });

      const [a, b] = [await contents(crashed), await contents(clean)];
      expect(a.posts).toHaveLength(ROWS - ROWS / 10);
      expect(a.accounts).toHaveLength(ACCOUNTS);
      expect(a.accounts).toEqual(b.accounts);
      expect(a.posts).toEqual(b.posts);

      // A re-run of the finished import: everything unchanged, not one document written.
      const before = await chunkCount(crashed);
      expect(await runImportJob(jobContext(crashed), { what: 'coactions', file, source: 'crash' })).toMatchObject({ imported: 0, updated: 0, unchanged: ROWS - ROWS / 10, derived: { accountsCreated: 0, accountsWidened: 0 } });
      expect(await chunkCount(crashed)).toBe(before);
      expect((await crashed.coactions.view()).imports).toBe(1);
    } finally {
      await crashed.close();
      await clean.close();
    }
  }, 240_000);
});
