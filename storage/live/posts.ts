// Every post in memory, for the API: references by account and product (the
// PostIndex) and each post's JSON text without its MinHash signature (~0.9 KB per
// post, ~85 MB for the medium world's 95k posts). On the embedded FerretDB one
// `_id` look-up costs 2–3 ms and the store answers ~450 of them per second, so an
// account page that fetched its timeline post by post could not pass ~80 requests/s.
import type { AccountTimeline, PostPage, PostQuery, PostSource } from '../lookup-types';
import { PostIndex, type PostRef, refOf } from '../post-refs';
import type { Store } from '../store';
import type { Post } from '../types';
import type { MirroredView } from './sync';

/** Posts without the bulky NLP internals (signatures, band keys): those are for detection only. */
export const POST_PUBLIC_PROJECTION = { 'enrichment.minhash': 0, 'enrichment.lshBands': 0 } as const;

export class PostView implements MirroredView, PostSource {
  readonly collection = 'posts';
  readonly needsInitialLoad = true;
  private current = new PostIndex();
  private texts = new Map<string, string>();

  constructor(private readonly store: Store) {}

  async reload(): Promise<void> {
    const index = new PostIndex();
    const texts = new Map<string, string>();
    for await (const p of this.store.posts.stream({}, { projection: POST_PUBLIC_PROJECTION })) {
      index.put(refOf(p));
      texts.set(p._id, JSON.stringify(p));
    }
    // Co-action posts (stored packed; an import's finish tells the views to reload).
    for (const p of (await this.store.coactions.view()).posts) {
      if (texts.has(p._id)) continue;
      index.put(refOf(p));
      texts.set(p._id, JSON.stringify(p));
    }
    this.current = index;
    this.texts = texts;
  }

  async apply(ids: string[]): Promise<void> {
    const docs = await this.store.postsById(ids, { projection: POST_PUBLIC_PROJECTION });
    const found = new Set<string>();
    for (const p of docs as Post[]) {
      found.add(p._id);
      this.current.put(refOf(p));
      this.texts.set(p._id, JSON.stringify(p));
    }
    for (const id of ids) {
      if (found.has(id)) continue;
      this.current.remove(id);
      this.texts.delete(id);
    }
  }

  async timeline(accountId: string, limit: number, evidence: readonly string[]): Promise<Pick<AccountTimeline, 'postCount' | 'posts' | 'evidence'>> {
    const refs = this.current.byAccount(accountId);
    return { postCount: refs.length, posts: this.json(refs.slice(0, limit).map((r) => r._id)), evidence: this.json(evidence) };
  }

  async accountsWithProduct(productId: string): Promise<string[]> {
    return this.current.accountsWithProduct(productId);
  }

  async refs(accountIds: readonly string[]): Promise<PostRef[]> {
    return accountIds.flatMap((id) => this.current.byAccount(id));
  }

  /** One page of posts, newest first. */
  async page(q: PostQuery): Promise<PostPage> {
    const index = this.current;
    let refs: PostRef[] = q.product ? index.byProduct(q.product) : q.account ? index.byAccount(q.account) : index.all;
    const after = q.after;
    const afterTime = after?.value.getTime();
    refs = refs.filter(
      (r) =>
        (!q.platform || r.platform === q.platform) &&
        (!q.account || r.accountId === q.account) &&
        (!q.since || r.createdAt >= q.since) &&
        (!q.until || r.createdAt <= q.until) &&
        (afterTime === undefined || r.createdAt.getTime() < afterTime || (r.createdAt.getTime() === afterTime && r._id > (after?.id ?? ''))),
    );
    const page = refs.slice(0, q.limit);
    const last = page[page.length - 1];
    return { items: this.json(page.map((r) => r._id)), next: refs.length > q.limit && last ? { createdAt: last.createdAt, _id: last._id } : null };
  }

  /** The posts' JSON texts, in the order asked; unknown ids are left out. */
  json(ids: readonly string[]): string[] {
    const out: string[] = [];
    for (const id of ids) {
      const t = this.texts.get(id);
      if (t !== undefined) out.push(t);
    }
    return out;
  }
}
