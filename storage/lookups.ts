// The look-ups the API serves beyond `_id`: the scored-accounts list (filter, sort,
// keyset pages) and the detect runs behind it, one account with its posts timeline,
// posts by product or account, the accounts that posted about a product, a ring's
// members' post references, and API keys by id.
//
// Accounts are always answered from an in-memory view (storage/live/accounts.ts): a list
// row joins the account with its score from the latest detect run's collection
// (storage/scores.ts), and no index serves a filtered, sorted join of two collections
// (the portable subset has no $lookup). Posts and API keys: on MongoDB the indexes answer
// (INDEXES in store.ts: posts by accountId, product, time); FerretDB 1.24 pushes down only
// `_id` equality, so there each would scan the posts per request, and the answers come
// from in-memory views kept in step with the store by the change log (storage/live/).
import type { Logger } from 'pino';
import { AccountView } from './live/accounts';
import { KeyView } from './live/keys';
import { POST_PUBLIC_PROJECTION, PostView } from './live/posts';
import { LiveSync, type MirroredView } from './live/sync';
import { keyset } from './keyset';
import { newestFirst as byNewest } from './coactions';
import type { LookupMode, Lookups, PostQuery, PostSource } from './lookup-types';
import { refsForAccounts } from './post-refs';
import type { Store, StoreFilter } from './store';
import type { Post } from './types';

export type { AccountListItem, AccountQuery, SortKey } from './live/accounts';
export type { AccountTimeline, LookupMode, Lookups, PostPage, PostQuery, ScoreRun } from './lookup-types';
export { SORT_FIELDS } from './live/accounts';
export type { PostRef } from './post-refs';

/** The look-ups for this store: posts and keys in memory on FerretDB, by the indexes on MongoDB (`mode` overrides, for tests). */
export function openLookups(store: Store, opts: { log?: Logger; mode?: LookupMode } = {}): Lookups {
  const mode = opts.mode ?? (store.describe().ferretdb ? 'memory' : 'indexes');
  const accounts = new AccountView(store);
  const postView = mode === 'memory' ? new PostView(store) : undefined;
  const keyView = mode === 'memory' ? new KeyView(store) : undefined;
  const views: MirroredView[] = [accounts, ...(postView ? [postView] : []), ...(keyView ? [keyView] : [])];
  const sync = new LiveSync(store, views, opts.log);
  const mirrored = new Set(views.map((v) => v.collection));
  /** Waits until the views among these collections include every write finished before the call. */
  const fresh = (...collections: string[]) => sync.fresh(collections.filter((c) => mirrored.has(c)));
  const posts: PostSource = postView ?? indexedPosts(store);
  return {
    mode,
    async accounts(q) {
      await fresh('accounts');
      return accounts.list(q);
    },
    async scoreRuns() {
      await fresh('accounts');
      return accounts.scoreRuns();
    },
    async account(id, postLimit) {
      await fresh('accounts', 'posts');
      const facts = accounts.facts(id);
      if (!facts) return null;
      return { json: facts.json, ringId: facts.ringId, ...(await posts.timeline(id, postLimit, facts.evidence)) };
    },
    async accountsWithProduct(productId) {
      await fresh('posts');
      return posts.accountsWithProduct(productId);
    },
    async posts(q) {
      await fresh('posts');
      return posts.page(q);
    },
    async postRefs(accountIds) {
      await fresh('posts');
      return posts.refs(accountIds);
    },
    async apiKey(id) {
      if (!keyView) return store.apiKeys.get(id);
      await fresh('api_keys');
      return keyView.get(id);
    },
    start: () => sync.start(),
    close: () => sync.close(),
  };
}

const newestFirst = { createdAt: -1, _id: 1 } as const;
const aboutProduct = (productId: string): StoreFilter<Post> => ({ $or: [{ product: productId }, { 'enrichment.products.productId': productId }] });
const postsJson = (docs: readonly Post[]) => docs.map((p) => JSON.stringify(p));

/** Whether a post passes a page query's filters other than product, and comes after its keyset row. */
function matchesPage(p: Post, q: PostQuery): boolean {
  const t = p.createdAt.getTime();
  const after = q.after;
  return (
    (!q.account || p.accountId === q.account) &&
    (!q.platform || p.platform === q.platform) &&
    (!q.since || t >= q.since.getTime()) &&
    (!q.until || t <= q.until.getTime()) &&
    (!after || t < after.value.getTime() || (t === after.value.getTime() && p._id > after.id))
  );
}

/** MongoDB: every posts look-up is one indexed query. */
function indexedPosts(store: Store): PostSource {
  return {
    async timeline(accountId, limit, evidence) {
      const [postCount, posts, evidencePosts, co] = await Promise.all([
        store.posts.count({ accountId }),
        limit > 0 ? store.posts.find({ accountId }, { projection: POST_PUBLIC_PROJECTION, sort: newestFirst, limit }) : [],
        store.postsById(evidence, { projection: POST_PUBLIC_PROJECTION }),
        store.coactions.view(),
      ]);
      const shares = co.byAccount.get(accountId) ?? [];
      const merged = shares.length ? [...posts, ...shares.slice(0, limit)].sort(byNewest).slice(0, limit) : posts;
      return { postCount: postCount + shares.length, posts: postsJson(merged), evidence: postsJson(evidencePosts) };
    },
    async accountsWithProduct(productId) {
      return (await store.posts.distinct('accountId', aboutProduct(productId))) as string[];
    },
    async page(q) {
      const ks = keyset('createdAt', 'desc', q.after);
      const parts: StoreFilter<Post>[] = [ks.filter];
      if (q.product) parts.push(aboutProduct(q.product));
      if (q.account) parts.push({ accountId: q.account });
      if (q.platform) parts.push({ platform: q.platform });
      if (q.since || q.until) parts.push({ createdAt: { ...(q.since ? { $gte: q.since } : {}), ...(q.until ? { $lte: q.until } : {}) } });
      const stored = await store.posts.find({ $and: parts } as StoreFilter<Post>, { projection: POST_PUBLIC_PROJECTION, sort: ks.sort, limit: q.limit + 1 });
      // Co-action posts (no product) merged in the same order, after the same keyset row.
      const co = q.product ? [] : (await store.coactions.view()).posts.filter((p) => matchesPage(p, q));
      const docs = co.length ? [...stored, ...co].sort(byNewest).slice(0, q.limit + 1) : stored;
      const page = docs.slice(0, q.limit);
      const last = page[page.length - 1];
      return { items: postsJson(page), next: docs.length > q.limit && last ? { createdAt: last.createdAt, _id: last._id } : null };
    },
    refs: (accountIds) => refsForAccounts(store, accountIds),
  };
}
