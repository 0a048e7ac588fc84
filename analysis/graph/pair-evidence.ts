// Co-action evidence per account pair, as columns: pairs are numbered in the order first
// seen (PairIndex) and every kind of evidence is a typed array indexed by that number,
// with the posts behind a pair as up to `maxPosts` post indices. One object per pair (with
// a Map per pair for co-reviews and co-shares and an array of post ids) was ≈ 400 bytes of
// small objects each, 4.5 M of them at 1 M posts, all traced by every major GC.
//
// Co-review and co-share keep the best contribution per product / per pair of posts
// (BestPerKey), summed in the order the keys were first seen, as the Maps summed them.
import { PairIndex } from './pair-set';
import type { Reasons } from './types';

type Column = Int32Array | Float64Array | Uint8Array;

function grown<T extends Column>(a: T, length: number, fill = 0): T {
  const out = new (a.constructor as new (n: number) => T)(length);
  out.set(a);
  if (fill !== 0) out.fill(fill, a.length);
  return out;
}

/** The largest value per (owner, key), each owner's keys in first-seen order. */
export class BestPerKey {
  private readonly index = new PairIndex();
  private value = new Float64Array(16);
  private next = new Int32Array(16);
  private first = new Int32Array(16).fill(-1);
  private last = new Int32Array(16).fill(-1);

  /** Keeps v for (owner, key) when it beats the value there (0 when none): only positive values are kept. */
  raise(owner: number, key: number, v: number): void {
    const known = this.index.get(owner, key);
    if (known >= 0) {
      if (v > this.value[known]) this.value[known] = v;
      return;
    }
    if (!(v > 0)) return;
    const e = this.index.id(owner, key);
    if (e >= this.value.length) {
      this.value = grown(this.value, 2 * this.value.length);
      this.next = grown(this.next, 2 * this.next.length);
    }
    this.value[e] = v;
    this.next[e] = -1;
    if (owner >= this.first.length) {
      const n = Math.max(2 * this.first.length, owner + 1);
      this.first = grown(this.first, n, -1);
      this.last = grown(this.last, n, -1);
    }
    if (this.first[owner] < 0) this.first[owner] = e;
    else this.next[this.last[owner]] = e;
    this.last[owner] = e;
  }

  /** Sum of the owner's values in first-seen order; undefined when it has none. */
  sum(owner: number): number | undefined {
    if (owner >= this.first.length || this.first[owner] < 0) return undefined;
    let s = 0;
    for (let e = this.first[owner]; e >= 0; e = this.next[e]) s += this.value[e];
    return s;
  }
}

export class PairEvidenceTable {
  private readonly index: PairIndex;
  private cap: number;
  /** Account indices, a < b. */
  a: Int32Array;
  b: Int32Array;
  nearDuplicate: Float64Array;
  sharedUrl: Float64Array;
  sharedCode: Float64Array;
  replyAB: Int32Array;
  replyBA: Int32Array;
  mentionAB: Int32Array;
  mentionBA: Int32Array;
  sameHandle: Uint8Array;
  private postList: Int32Array;
  private postCount: Uint8Array;
  /** Best co-review contribution per product (key: product number). */
  readonly coReview = new BestPerKey();
  /** Best co-share contribution per occasion (key: the number of the pair of posts): one occasion counts once however many objects the two posts share. */
  readonly coShare = new BestPerKey();

  constructor(
    expected: number,
    private readonly maxPosts: number,
    /** Post index → the first index of a post with the same _id (posts are told apart by id). */
    private readonly canonical: Int32Array,
  ) {
    this.index = new PairIndex(expected);
    this.cap = 16;
    this.a = new Int32Array(this.cap);
    this.b = new Int32Array(this.cap);
    this.nearDuplicate = new Float64Array(this.cap);
    this.sharedUrl = new Float64Array(this.cap);
    this.sharedCode = new Float64Array(this.cap);
    this.replyAB = new Int32Array(this.cap);
    this.replyBA = new Int32Array(this.cap);
    this.mentionAB = new Int32Array(this.cap);
    this.mentionBA = new Int32Array(this.cap);
    this.sameHandle = new Uint8Array(this.cap);
    this.postList = new Int32Array(this.cap * maxPosts);
    this.postCount = new Uint8Array(this.cap);
  }

  get size(): number {
    return this.index.size;
  }

  /** The number of the pair of accounts x and y (either order), added when new. */
  id(x: number, y: number): number {
    const a = Math.min(x, y);
    const b = Math.max(x, y);
    const before = this.index.size;
    const id = this.index.id(a, b);
    if (id === before) {
      if (id >= this.cap) this.grow();
      this.a[id] = a;
      this.b[id] = b;
    }
    return id;
  }

  /** Records a post behind the pair (once, up to maxPosts). */
  addPost(id: number, post: number): void {
    const c = this.canonical[post];
    const n = this.postCount[id];
    if (n >= this.maxPosts) return;
    const base = id * this.maxPosts;
    for (let k = 0; k < n; k++) if (this.postList[base + k] === c) return;
    this.postList[base + n] = c;
    this.postCount[id] = n + 1;
  }

  /** Indices of the posts behind the pair, in the order recorded. */
  posts(id: number): number[] {
    const base = id * this.maxPosts;
    return Array.from(this.postList.subarray(base, base + this.postCount[id]));
  }

  /** The raw reason values of a pair, before weighting. */
  reasons(id: number): Reasons {
    const r: Reasons = {};
    const review = this.coReview.sum(id);
    if (review !== undefined) r.co_review = review;
    const share = this.coShare.sum(id);
    if (share !== undefined) r.co_share = share;
    if (this.nearDuplicate[id] > 0) r.near_duplicate = this.nearDuplicate[id];
    if (this.sharedUrl[id] > 0) r.shared_url = this.sharedUrl[id];
    if (this.sharedCode[id] > 0) r.shared_code = this.sharedCode[id];
    const ab = this.replyAB[id];
    const ba = this.replyBA[id];
    if (ab + ba > 0) r.reply = ab + ba + (ab > 0 && ba > 0 ? 2 : 0);
    const mab = this.mentionAB[id];
    const mba = this.mentionBA[id];
    if (mab + mba > 0) r.mention = mab + mba + (mab > 0 && mba > 0 ? 2 : 0);
    if (this.sameHandle[id] > 0) r.same_handle = 1;
    return r;
  }

  private grow(): void {
    this.cap *= 2;
    this.a = grown(this.a, this.cap);
    this.b = grown(this.b, this.cap);
    this.nearDuplicate = grown(this.nearDuplicate, this.cap);
    this.sharedUrl = grown(this.sharedUrl, this.cap);
    this.sharedCode = grown(this.sharedCode, this.cap);
    this.replyAB = grown(this.replyAB, this.cap);
    this.replyBA = grown(this.replyBA, this.cap);
    this.mentionAB = grown(this.mentionAB, this.cap);
    this.mentionBA = grown(this.mentionBA, this.cap);
    this.sameHandle = grown(this.sameHandle, this.cap);
    this.postList = grown(this.postList, this.cap * this.maxPosts);
    this.postCount = grown(this.postCount, this.cap);
  }
}
