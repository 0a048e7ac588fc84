// Posts grouped by a string key (a product, a URL, a code, a shared object) in one
// compressed layout: keys numbered in the order first seen, the posts of key k at
// posts[start[k] .. start[k + 1]), in the order they were added. Two typed arrays for all
// the buckets instead of an array (and an object per post) per key: on real co-action data
// (194k posts, 40k objects) the Map of arrays and the per-post objects were most of the
// bucket step, and their garbage a share of every later GC.
import { column, grown, sliced } from '../columns';

export interface Buckets {
  /** Number of keys. */
  readonly count: number;
  /** count + 1 offsets into `posts`. */
  readonly start: Int32Array;
  readonly posts: Int32Array;
}

export class BucketBuilder {
  private readonly ids = new Map<string, number>();
  private keyOf = column(Int32Array, 1024);
  private postOf = column(Int32Array, 1024);
  private size = 0;

  add(key: string, post: number): void {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    if (this.size === this.keyOf.length) {
      this.keyOf = grown(this.keyOf, this.size * 2);
      this.postOf = grown(this.postOf, this.size * 2);
    }
    this.keyOf[this.size] = id;
    this.postOf[this.size++] = post;
  }

  /** The buckets (a counting sort by key: stable, so each key's posts keep their order). */
  finish(): Buckets {
    const count = this.ids.size;
    const start = column(Int32Array, count + 1);
    for (let i = 0; i < this.size; i++) start[this.keyOf[i] + 1]++;
    for (let k = 0; k < count; k++) start[k + 1] += start[k];
    const at = sliced(start, count);
    const posts = column(Int32Array, this.size);
    for (let i = 0; i < this.size; i++) posts[at[this.keyOf[i]]++] = this.postOf[i];
    return { count, start, posts };
  }
}
