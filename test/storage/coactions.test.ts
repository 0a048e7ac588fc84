// The packed co-action posts (storage/coactions.ts) on the real embedded store: chunks bounded
// by size as well as count, an import unread until it is finished, imports merged in order.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoactionPost, chunksOf } from '../../storage/coactions';
import { testStore } from '../helpers/store';

function post(id: string, account: string, t: number, objects?: string[]): CoactionPost {
  return {
    _id: `import:t:${id}`, platform: 't', kind: 'share', externalId: id, accountId: `t:${account}`, author: account,
    createdAt: new Date(t), week: '2026-W01', community: 't', source: 'import:t', fetchedAt: new Date(0), ...(objects ? { objects } : {}),
  };
}

describe('co-action posts stored packed', () => {
  let store: Awaited<ReturnType<typeof testStore>>;
  beforeAll(async () => {
    store = await testStore();
  });
  afterAll(async () => store?.close());

  it('cuts posts with the largest objects allowed into chunks under the document limit, and reads them back', async () => {
    // 600 posts × 200 objects × 256 characters: 31 MB of text that hardly compresses.
    const text = randomBytes(600 * 200 * 192).toString('base64');
    const posts = Array.from({ length: 600 }, (_, i) =>
      post(`p${i}`, `a${i % 7}`, 1_700_000_000_000 + i * 1000, Array.from({ length: 200 }, (_, k) => `url:${text.slice((i * 200 + k) * 256, (i * 200 + k + 1) * 256 - 4)}`).sort()),
    );
    expect(chunksOf(posts).length).toBeGreaterThan(3);
    const chunks = await store.coactions.write('big', posts);
    expect((await store.coactions.view()).posts).toHaveLength(0); // not finished: not read
    await store.coactions.finish({ key: 'big', source: 't', chunks, posts: posts.length, at: new Date(5) });
    const view = await store.coactions.view();
    expect(view.imports).toBe(1);
    expect(view.posts).toEqual(posts.map((p) => ({ ...p, fetchedAt: new Date(5) })));
  }, 120_000);

  it('merges imports in order: first fields, union of objects, the last import stamps', async () => {
    await store.dropAll();
    const a = [post('1', 'x', 1000, ['url:a']), post('2', 'y', 2000)];
    const b = [{ ...post('1', 'x', 1000, ['url:a', 'url:b']) }, post('3', 'z', 3000, ['hashtag:h'])];
    await store.coactions.finish({ key: 'a', source: 't', chunks: await store.coactions.write('a', a), posts: 2, at: new Date(10) });
    await store.coactions.finish({ key: 'b', source: 't', chunks: await store.coactions.write('b', b), posts: 2, at: new Date(20) });
    const view = await store.coactions.view();
    expect(view.posts.map((p) => [p._id, p.objects, p.fetchedAt.getTime()])).toEqual([
      ['import:t:1', ['url:a', 'url:b'], 20],
      ['import:t:2', undefined, 10],
      ['import:t:3', ['hashtag:h'], 20],
    ]);
    expect(await store.coactions.finished('b')).toBe(true);
    expect(await store.coactions.finished('c')).toBe(false);
    expect(view.byAccount.get('t:x')?.map((p) => p._id)).toEqual(['import:t:1']);
    expect((await store.postsById(['import:t:3', 'nope', 'import:t:2'])).map((p) => p._id)).toEqual(['import:t:3', 'import:t:2']);
  });
});
