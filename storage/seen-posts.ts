// What the store holds of each post a crawl run has already stored or read: a digest of
// what the platform shows (text, title, score) and whether it is marked deleted.
// Overlapping units (search queries sharing words, a subreddit listing and a user's
// history) bring the same posts again and again within one run; comparing a page with
// this instead of the store saves the store's costliest per-page work on FerretDB, one
// `_id` look-up per post (an `$in` scans the whole collection there). On MongoDB an `$in`
// look-up is one indexed query, so there the store hands out a memory that keeps nothing
// (Store.seenPosts) and every page is compared with the store itself.
import { createHash } from 'node:crypto';
import type { Post } from './types';

/** Above this many entries the older half is forgotten (a forgotten post is read from the store again). 0: remember nothing. */
const GENERATION = 100_000;

export interface SeenPost {
  digest: string;
  deleted: boolean;
  /** Which of text, title and score the stored copy has (bits 1, 2, 4; see presentFields). */
  present: number;
}

/** The fields whose change makes a stored post worth rewriting. */
export function postDigest(p: Pick<Post, 'text' | 'title' | 'score'>): string {
  return createHash('sha1')
    .update(JSON.stringify([p.text ?? null, p.title ?? null, p.score ?? null]))
    .digest('base64');
}

/** Which of the digested fields a post has: a rewrite $sets only those, the stored rest stays. */
export function presentFields(p: Pick<Post, 'text' | 'title' | 'score'>): number {
  return (
    (p.text !== undefined && p.text !== null ? 1 : 0) |
    (p.title !== undefined && p.title !== null ? 2 : 0) |
    (p.score !== undefined && p.score !== null ? 4 : 0)
  );
}

export class SeenPosts {
  // Two generations bound the memory of a long run: entries move to `young` when used.
  private young = new Map<string, string>();
  private old = new Map<string, string>();

  constructor(private readonly generation = GENERATION) {}

  get(id: string): SeenPost | undefined {
    let v = this.young.get(id);
    if (v === undefined) {
      v = this.old.get(id);
      if (v === undefined) return undefined;
      this.put(id, v);
    }
    return { deleted: v[0] === 'd', present: Number(v[1]), digest: v.slice(2) };
  }

  set(id: string, seen: SeenPost): void {
    this.put(id, `${seen.deleted ? 'd' : 'k'}${seen.present}${seen.digest}`);
  }

  delete(id: string): void {
    this.young.delete(id);
    this.old.delete(id);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  private put(id: string, v: string): void {
    if (this.generation === 0) return;
    this.young.set(id, v);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}
