// The two ways of answering the API's posts and key look-ups (storage/lookups.ts) give
// the same answers: the in-memory views FerretDB uses and the indexed queries MongoDB
// uses, both run here against the same real store (a seeded world with rings, scores,
// products and API keys), and checked against plain store queries so that both are
// right, not merely equal. (The accounts list is in memory either way: test/server/live.test.ts.)
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lookups, openLookups, type PostQuery } from '../../storage/lookups';
import { buildServer } from '../../server/app';
import type { Post } from '../../storage/types';
import { type SeededWorld, seedWorld } from '../server/world';

let w: SeededWorld;
let memory: Lookups;
let indexes: Lookups;
let accountIds: string[];
let products: string[];
let newest: Date;
let oldest: Date;

beforeAll(async () => {
  w = await seedWorld();
  memory = openLookups(w.store, { mode: 'memory' });
  indexes = openLookups(w.store, { mode: 'indexes' });
  accountIds = (await w.store.accounts.find({}, { projection: { _id: 1 }, sort: { _id: 1 } })).map((a) => a._id);
  const posts = await w.store.posts.find({}, { projection: { product: 1, 'enrichment.products.productId': 1, createdAt: 1 } });
  products = [...new Set(posts.flatMap((p) => [...(p.product ? [p.product] : []), ...(p.enrichment?.products ?? []).map((e) => e.productId)]))].sort();
  const times = posts.map((p) => p.createdAt.getTime()).sort((a, b) => a - b);
  oldest = new Date(times[0]);
  newest = new Date(times[times.length - 1]);
}, 180_000);

afterAll(async () => {
  memory?.close();
  await w?.store.close();
});

/** Every page of a list, following `after` from each page's last row. */
async function allPages<T>(first: (after?: T) => Promise<{ rows: string[]; next?: T }>): Promise<string[]> {
  const out: string[] = [];
  let after: T | undefined;
  for (let pages = 0; pages < 500; pages++) {
    const page = await first(after);
    out.push(...page.rows);
    if (!page.next) return out;
    after = page.next;
  }
  throw new Error('no end of pages');
}

describe('look-ups: in memory (FerretDB) and by the indexes (MongoDB)', () => {
  it('the world has what the look-ups are asked about', () => {
    expect(memory.mode).toBe('memory');
    expect(indexes.mode).toBe('indexes');
    expect(w.ringIds.length).toBeGreaterThan(0);
    expect(products.length).toBeGreaterThan(0);
  });

  it('count the same accounts per detect run', async () => {
    const runs = await indexes.scoreRuns();
    expect(runs.length).toBeGreaterThan(0);
    expect(runs).toEqual(await memory.scoreRuns());
  });

  it('give the same account page: the document, its post count, newest posts and evidence as JSON texts', async () => {
    const scored: string[] = [];
    for await (const s of w.store.scores.stream()) if (s.suspicion.evidencePosts.length > 0 && scored.length < 5) scored.push(s.accountId);
    expect(scored.length).toBeGreaterThan(0);
    for (const id of [...scored, ...accountIds.slice(0, 10), w.xssAccountId]) {
      for (const limit of [0, 3, 200]) {
        const a = await indexes.account(id, limit);
        expect(a, id).not.toBeNull();
        expect(a).toEqual(await memory.account(id, limit));
        expect(a?.postCount).toBe(await w.store.posts.count({ accountId: id }));
        expect(a?.posts.length).toBe(Math.min(limit, a?.postCount ?? 0));
      }
    }
    const evidence = await indexes.account(scored[0], 1);
    expect(evidence?.evidence.length).toBeGreaterThan(0);
    expect(JSON.parse(evidence?.evidence[0] ?? '{}').enrichment?.minhash).toBeUndefined();
    expect(await indexes.account('reddit:nobody-at-all', 5)).toBeNull();
    expect(await memory.account('reddit:nobody-at-all', 5)).toBeNull();
  });

  it('page the same posts by product, account, platform and dates, newest first', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          product: fc.option(fc.constantFrom(...products, 'no-such-product'), { nil: undefined }),
          account: fc.option(fc.constantFrom(...accountIds.slice(0, 40)), { nil: undefined }),
          platform: fc.option(fc.constantFrom('reddit', 'twitter', 'web'), { nil: undefined }),
          since: fc.option(fc.date({ min: oldest, max: newest, noInvalidDate: true }), { nil: undefined }),
          until: fc.option(fc.date({ min: oldest, max: newest, noInvalidDate: true }), { nil: undefined }),
          limit: fc.integer({ min: 1, max: 300 }),
        }),
        async (q) => {
          const pages = (l: Lookups) =>
            allPages<PostQuery['after']>(async (after) => {
              const page = await l.posts({ ...q, after });
              return { rows: page.items, next: page.next ? { value: page.next.createdAt, id: page.next._id } : undefined };
            });
          const [inMemory, indexed] = await Promise.all([pages(memory), pages(indexes)]);
          expect(indexed).toEqual(inMemory);
          const posts = indexed.map((t) => JSON.parse(t) as Post);
          for (let i = 1; i < posts.length; i++) expect(posts[i - 1].createdAt >= posts[i].createdAt).toBe(true);
          if (q.account) expect(new Set(posts.map((p) => p.accountId))).toEqual(new Set(posts.length ? [q.account] : []));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('name the same accounts for a product, and the same post references for ring members', async () => {
    for (const p of [...products, 'no-such-product']) {
      expect(new Set(await indexes.accountsWithProduct(p))).toEqual(new Set(await memory.accountsWithProduct(p)));
    }
    expect((await indexes.accountsWithProduct(products[0])).length).toBeGreaterThan(0);
    const ring = await w.store.rings.get(w.ringIds[0]);
    const members = ring?.members ?? [];
    const sorted = (refs: { _id: string }[]) => [...refs].sort((a, b) => (a._id < b._id ? -1 : 1));
    const refs = sorted(await indexes.postRefs(members));
    expect(refs.length).toBeGreaterThan(0);
    expect(refs).toEqual(sorted(await memory.postRefs(members)));
  });

  it('find the same API keys', async () => {
    const keys = await w.store.apiKeys.find({});
    expect(keys.length).toBe(3);
    for (const k of keys) expect(await indexes.apiKey(k._id)).toEqual(await memory.apiKey(k._id));
    expect(await indexes.apiKey('nokey')).toBeNull();
    expect(await memory.apiKey('nokey')).toBeNull();
  });

  it('answer the API the same way: account pages and posts pages through a server in each mode', async () => {
    const serve = async (lookupMode: 'memory' | 'indexes') => {
      const app = await buildServer({ store: w.store, config: w.store.config, log: pino({ level: 'silent' }), lookupMode });
      return { app, base: await app.listen({ host: '127.0.0.1', port: 0 }) };
    };
    const servers = [await serve('memory'), await serve('indexes')];
    try {
      const get = async (base: string, p: string) => {
        const res = await fetch(`${base}${p}`, { headers: { 'x-api-key': w.keys.analyst } });
        return `${res.status} ${await res.text()}`;
      };
      const paths = [`/api/accounts/${encodeURIComponent(w.xssAccountId)}?posts=5`, `/api/posts?product=${encodeURIComponent(products[0])}&limit=7`, '/api/posts?platform=reddit&limit=3', `/api/accounts?product=${encodeURIComponent(products[0])}&limit=5`];
      for (const p of paths) {
        const [a, b] = await Promise.all(servers.map((s) => get(s.base, p)));
        expect(a.startsWith('200 '), `${p}: ${a.slice(0, 200)}`).toBe(true);
        expect(b).toBe(a);
      }
    } finally {
      for (const s of servers) await s.app.close();
    }
  });
});
