// Post references (id, account, platform, time, products): what lists and reports need
// to find posts by account or product. On the embedded FerretDB only `_id` look-ups are
// indexed: a filter on accountId or product scans every post (seconds at 5k posts on a
// busy machine), and even `_id: {$in}` scans. So there the API finds ids through a small
// in-memory index of references (PostIndex), kept up to date by its live post view
// (storage/live/posts.ts); on MongoDB the indexes answer (storage/lookups.ts).
import { newestFirst } from './coactions';
import type { Store } from './store';
import type { Post } from './types';

export interface PostRef {
  _id: string;
  accountId: string;
  platform: string;
  createdAt: Date;
  products: string[];
}


/** The projection that reads what a ref needs. */
export const REF_PROJECTION = { _id: 1, accountId: 1, platform: 1, createdAt: 1, product: 1, 'enrichment.products.productId': 1 } as const;

export function refOf(p: Pick<Post, '_id' | 'accountId' | 'platform' | 'createdAt' | 'product'> & { enrichment?: { products?: { productId: string }[] } }): PostRef {
  const products = [...(p.product ? [p.product] : []), ...(p.enrichment?.products ?? []).map((e) => e.productId)];
  return { _id: p._id, accountId: p.accountId, platform: p.platform, createdAt: p.createdAt, products };
}

/** Post refs by account and product, kept up to date by `put`/`remove`; lists are sorted when read. */
export class PostIndex {
  private refs = new Map<string, PostRef>();
  private byAccountMap = new Map<string, PostRef[]>();
  private byProductMap = new Map<string, PostRef[]>();
  private unsorted = new Set<PostRef[]>();
  private allSorted: PostRef[] | null = null;

  put(ref: PostRef): void {
    if (this.refs.has(ref._id)) this.remove(ref._id);
    this.refs.set(ref._id, ref);
    this.add(this.byAccountMap, ref.accountId, ref);
    for (const p of new Set(ref.products)) this.add(this.byProductMap, p, ref);
    this.allSorted = null;
  }

  remove(id: string): void {
    const ref = this.refs.get(id);
    if (!ref) return;
    this.refs.delete(id);
    this.drop(this.byAccountMap, ref.accountId, ref);
    for (const p of new Set(ref.products)) this.drop(this.byProductMap, p, ref);
    this.allSorted = null;
  }

  /** Every ref, newest first. */
  get all(): PostRef[] {
    this.allSorted ??= [...this.refs.values()].sort(newestFirst);
    return this.allSorted;
  }

  /** Newest first. */
  byAccount(accountId: string): PostRef[] {
    return this.sorted(this.byAccountMap.get(accountId));
  }

  /** Newest first. */
  byProduct(productId: string): PostRef[] {
    return this.sorted(this.byProductMap.get(productId));
  }

  accountsWithProduct(productId: string): string[] {
    return [...new Set(this.byProduct(productId).map((r) => r.accountId))];
  }

  get size(): number {
    return this.refs.size;
  }

  private sorted(list: PostRef[] | undefined): PostRef[] {
    if (!list) return [];
    if (this.unsorted.delete(list)) list.sort(newestFirst);
    return list;
  }

  private add(m: Map<string, PostRef[]>, k: string, ref: PostRef) {
    let list = m.get(k);
    if (!list) {
      list = [];
      m.set(k, list);
    }
    list.push(ref);
    this.unsorted.add(list);
  }

  private drop(m: Map<string, PostRef[]>, k: string, ref: PostRef) {
    const list = m.get(k);
    if (!list) return;
    const i = list.indexOf(ref);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) {
      m.delete(k);
      this.unsorted.delete(list);
    }
  }
}

/** Post refs of some accounts, by one projected query (MongoDB: the accountId index; FerretDB: a scan), co-action posts included. */
export async function refsForAccounts(store: Store, accountIds: readonly string[]): Promise<PostRef[]> {
  const refs: PostRef[] = [];
  const seen = new Set<string>();
  // On FerretDB an accountId filter scans every post (18 s for a ring report at 359k reviews):
  // the time index names the accounts' posts, read by `_id`.
  const ids = await store.postWindow.postIdsOf(accountIds);
  const posts = ids ? await store.posts.getMany(ids, { projection: REF_PROJECTION }) : store.posts.stream({ accountId: { $in: [...accountIds] } }, { projection: REF_PROJECTION });
  for await (const p of posts) {
    refs.push(refOf(p));
    seen.add(p._id);
  }
  const co = (await store.coactions.view()).byAccount;
  for (const id of accountIds) for (const p of co.get(id) ?? []) if (!seen.has(p._id)) refs.push(refOf(p));
  return refs;
}
