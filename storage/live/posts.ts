// Every post in memory, for the API: references by account and product (the
// PostIndex) and each post's JSON text without its MinHash signature (~0.9 KB per
// post, ~85 MB for the medium world's 95k posts). On the embedded FerretDB one
// `_id` look-up costs 2–3 ms and the store answers ~450 of them per second, so an
// account page that fetched its timeline post by post could not pass ~80 requests/s.
import { PostIndex, refOf } from '../post-refs';
import type { Store } from '../store';
import type { Post } from '../types';
import type { MirroredView } from './sync';

/** Posts without the bulky NLP internals (signatures, band keys): those are for detection only. */
export const POST_PUBLIC_PROJECTION = { 'enrichment.minhash': 0, 'enrichment.lshBands': 0 } as const;

export class PostView implements MirroredView {
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
    this.current = index;
    this.texts = texts;
  }

  async apply(ids: string[]): Promise<void> {
    const docs = await this.store.posts.getMany(ids, { projection: POST_PUBLIC_PROJECTION });
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

  /** References by account and product (live: updated in place). */
  get index(): PostIndex {
    return this.current;
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
