// Where reports and the API find posts. On the embedded FerretDB only `_id` look-ups
// are indexed: a filter on accountId or product scans every post (seconds at 5k posts
// on a busy machine), and even `_id: {$in}` scans. So: fetch documents by id with
// parallel single look-ups, and find ids through a small in-memory index of post
// references, built by one projected scan and refreshed in the background.
import type { Repository, Store } from '../storage/store';

export interface PostRef {
  _id: string;
  accountId: string;
  platform: string;
  createdAt: Date;
  products: string[];
}

const newestFirst = (a: PostRef, b: PostRef) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);

export class PostIndex {
  readonly builtAt = new Date();
  private byAccountMap = new Map<string, PostRef[]>();
  private byProductMap = new Map<string, PostRef[]>();
  /** Every ref, newest first. */
  readonly all: PostRef[];

  constructor(refs: PostRef[]) {
    this.all = [...refs].sort(newestFirst);
    for (const r of this.all) {
      push(this.byAccountMap, r.accountId, r);
      for (const p of new Set(r.products)) push(this.byProductMap, p, r);
    }
  }

  static async build(store: Store): Promise<PostIndex> {
    const refs: PostRef[] = [];
    for await (const p of store.posts.stream({}, { projection: { _id: 1, accountId: 1, platform: 1, createdAt: 1, product: 1, 'enrichment.products.productId': 1 } })) {
      const products = [...(p.product ? [p.product] : []), ...(p.enrichment?.products ?? []).map((e) => e.productId)];
      refs.push({ _id: p._id, accountId: p.accountId, platform: p.platform, createdAt: p.createdAt, products });
    }
    return new PostIndex(refs);
  }

  /** Newest first. */
  byAccount(accountId: string): PostRef[] {
    return this.byAccountMap.get(accountId) ?? [];
  }

  /** Newest first. */
  byProduct(productId: string): PostRef[] {
    return this.byProductMap.get(productId) ?? [];
  }

  accountsWithProduct(productId: string): string[] {
    return [...new Set(this.byProduct(productId).map((r) => r.accountId))];
  }

  get size(): number {
    return this.all.length;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** The index, rebuilt in the background once older than `ttlMs` (stale answers meanwhile). */
export class PostIndexCache {
  private current?: PostIndex;
  private building?: Promise<PostIndex>;
  constructor(
    private readonly store: Store,
    private readonly ttlMs = 60_000,
  ) {}

  async get(): Promise<PostIndex> {
    if (!this.current) return this.rebuild();
    if (Date.now() - this.current.builtAt.getTime() > this.ttlMs) void this.rebuild().catch(() => {});
    return this.current;
  }

  rebuild(): Promise<PostIndex> {
    if (!this.building) {
      this.building = PostIndex.build(this.store)
        .then((idx) => {
          this.current = idx;
          return idx;
        })
        .finally(() => {
          this.building = undefined;
        });
    }
    return this.building;
  }
}

/** Post refs of some accounts: from an index when given, else one projected scan. */
export async function refsForAccounts(store: Store, accountIds: readonly string[], index?: PostIndex): Promise<PostRef[]> {
  if (index) return accountIds.flatMap((id) => index.byAccount(id));
  const refs: PostRef[] = [];
  for await (const p of store.posts.stream(
    { accountId: { $in: [...accountIds] } },
    { projection: { _id: 1, accountId: 1, platform: 1, createdAt: 1, product: 1, 'enrichment.products.productId': 1 } },
  )) {
    refs.push({ _id: p._id, accountId: p.accountId, platform: p.platform, createdAt: p.createdAt, products: [...(p.product ? [p.product] : []), ...(p.enrichment?.products ?? []).map((e) => e.productId)] });
  }
  return refs;
}
