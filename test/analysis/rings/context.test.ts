// The detection context's numeric indices (account rows, post → account, product numbers)
// and the group facts built on them agree with the string-keyed look-ups they replace.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAccountGraph } from '../../../analysis/graph/build';
import type { DetectAccount, DetectPost } from '../../../analysis/graph/types';
import { computeAccountScoring, scoreAccounts } from '../../../analysis/rings/accounts';
import { buildContext, type DetectionContext, hasText } from '../../../analysis/rings/context';
import { type GroupFacts, groupFacts } from '../../../analysis/rings/indicators';
import { makeFixture } from './fixture';

/** groupFacts as it was written with a Set of members per product (the oracle). */
function groupFactsByStrings(members: readonly string[], ctx: DetectionContext): GroupFacts {
  const count = new Map<string, Set<string>>();
  for (const m of members) for (const i of ctx.postsByAccount.get(m) ?? []) for (const prod of ctx.productsOfPost[i]) count.set(prod, (count.get(prod) ?? new Set()).add(m));
  let products = [...count].filter(([, s]) => s.size >= 2).map(([p]) => p);
  if (products.length === 0) products = [...count.keys()];
  products.sort();
  const prodSet = new Set(products);
  const posts: number[] = [];
  for (const m of members) {
    for (const i of ctx.postsByAccount.get(m) ?? []) if (ctx.productsOfPost[i].length === 0 || ctx.productsOfPost[i].some((p) => prodSet.has(p))) posts.push(i);
  }
  return { products, posts: posts.sort((a, b) => a - b), hasProducts: count.size > 0 };
}

describe('detection context', () => {
  const f = makeFixture({ seed: 7 });
  const built = buildAccountGraph(f.posts, f.accounts);
  const ctx = buildContext(built.posts, built.accounts);

  it('indexes accounts, posts and products as the maps do', () => {
    expect(ctx.accountPosts.length).toBe(ctx.accounts.length);
    ctx.accounts.forEach((a, row) => {
      expect(ctx.accountIndex.get(a._id)).toBe(row);
      expect(ctx.accountPosts[row]).toEqual(ctx.postsByAccount.get(a._id) ?? []);
    });
    ctx.posts.forEach((p, i) => {
      expect(ctx.accounts[ctx.postAccount[i]]._id).toBe(p.accountId);
      expect(ctx.times[i]).toBe(p.createdAt.getTime());
      expect(ctx.postAuthor[i]).toBe(ctx.postAccount[i]);
      expect(ctx.rated[i]).toBe(p.rating === undefined ? 0 : 1);
      expect(ctx.ratings[i]).toBe(p.rating ?? 0);
      const felt = ctx.withText[i] === 1 && p.enrichment?.sentiment !== undefined;
      expect(ctx.felt[i]).toBe(felt ? 1 : 0);
      expect(ctx.sentiments[i]).toBe(felt ? p.enrichment?.sentiment : 0);
      const nums = [...ctx.productIdsOfPost.subarray(ctx.productOffsets[i], ctx.productOffsets[i + 1])];
      expect(nums.map((q) => ctx.productList[q])).toEqual(ctx.productsOfPost[i]);
    });
    expect([...ctx.products.keys()]).toEqual(ctx.productList);
    ctx.productList.forEach((prod, q) => {
      expect(ctx.productIndex.get(prod)).toBe(q);
      expect(ctx.productStats[q]).toBe(ctx.products.get(prod));
    });
  });

  it('keeps authors missing from the accounts (−1) and gives a repeated id its last row', () => {
    const t = (m: number) => new Date(Date.UTC(2026, 0, 1) + m * 60_000);
    const posts: DetectPost[] = [
      { _id: 'p0', platform: 'x', accountId: 'x:a', createdAt: t(0), product: 'P' },
      { _id: 'p1', platform: 'x', accountId: 'x:stray', createdAt: t(1), product: 'P' },
      { _id: 'p2', platform: 'x', accountId: 'x:a', createdAt: t(2) },
    ];
    const accounts: DetectAccount[] = [
      { _id: 'x:a', platform: 'x', handle: 'a' },
      { _id: 'x:b', platform: 'x', handle: 'b' },
      { _id: 'x:a', platform: 'x', handle: 'a2' },
    ];
    const c = buildContext(posts, accounts);
    expect([...c.postAccount]).toEqual([2, -1, 2]);
    expect([...c.postAuthor]).toEqual([2, 3, 2]);
    expect(c.accountPosts).toEqual([[0, 2], [], [0, 2]]);
    expect([...c.postsByAccount.keys()]).toEqual(['x:a', 'x:stray']);
    expect(c.accountById.get('x:a')?.handle).toBe('a2');
  });

  it('hasText is Boolean(trim()) of the text or the title (property)', () => {
    const piece = fc.constantFrom('', ' ', '\t', '\n', '\u00a0', '\u2003', '\ufeff', 'a', 'Ü', '.', '😀');
    const str = fc.option(fc.array(piece, { maxLength: 4 }).map((xs) => xs.join('')), { nil: undefined });
    fc.assert(
      fc.property(str, str, (text, title) => {
        const p: DetectPost = { _id: 'p', platform: 'x', accountId: 'x:a', createdAt: new Date(0), text, title };
        expect(hasText(p)).toBe(Boolean(text?.trim() || title?.trim()));
      }),
      { numRuns: 500 },
    );
  });

  it('group facts equal the string-keyed computation, for any members, repeats included, group after group (property)', () => {
    const ids = [...ctx.postsByAccount.keys()];
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: ids.length - 1 }), { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 4 }), (groups) => {
        for (const pick of groups) {
          const members = pick.map((k) => ids[k]);
          expect(groupFacts(members, ctx)).toEqual(groupFactsByStrings(members, ctx));
        }
      }),
      { numRuns: 80 },
    );
  });

  // Without ratings and products every post's prior is ½: the tie order decides.
  const bare = buildAccountGraph(
    f.posts.map(({ product: _p, rating: _r, ...rest }) => rest),
    f.accounts,
  );
  it.each([
    ['reviews', built, ctx],
    ['ties (no ratings, no products)', bare, buildContext(bare.posts, bare.accounts)],
  ])('evidence posts: the own posts behind the three strongest edges, then the three of highest prior, as sorting all would (%s)', (name, g, c) => {
    const { accounts } = scoreAccounts(c, g.graph, new Map());
    const { reviewPriors } = computeAccountScoring(c, g.graph, new Map(), () => 1);
    let linked = 0;
    let tied = 0;
    for (const [row, a] of accounts.entries()) {
      const idx = c.accountPosts[row];
      const own = new Set(idx.map((p) => c.posts[p]._id));
      const top: { id: string; w: number; posts: string[] }[] = [];
      if (g.graph.hasNode(a.accountId)) g.graph.forEachEdge(a.accountId, (_e, attr, s, t) => top.push({ id: s === a.accountId ? t : s, w: attr.weight, posts: attr.posts }));
      top.sort((x, y) => y.w - x.w || (x.id < y.id ? -1 : 1));
      if (top.length > 0) linked++;
      if (idx.length > 3 && new Set(idx.map((p) => reviewPriors[p])).size < idx.length) tied++;
      const strongest = [...idx].sort((x, y) => reviewPriors[y] - reviewPriors[x]).slice(0, 3).map((p) => c.posts[p]._id);
      const want = [...new Set([...top.slice(0, 3).flatMap((t) => t.posts).filter((id) => own.has(id)), ...strongest])].slice(0, 10);
      expect(a.evidencePosts).toEqual(want);
    }
    expect(linked).toBeGreaterThan(10);
    if (name.startsWith('ties')) expect(tied).toBeGreaterThan(10);
  });
});
