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
import { column, grown } from '../columns';

type Column = Int32Array | Float64Array | Uint8Array;

/** The largest value per (owner, key), each owner's keys in first-seen order. */
export class BestPerKey {
  private readonly index = new PairIndex();
  private value = column(Float64Array, 16);
  private next = column(Int32Array, 16);
  private first = column(Int32Array, 16).fill(-1);
  private last = column(Int32Array, 16).fill(-1);

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
    this.cap = 0;
    this.a = this.b = this.replyAB = this.replyBA = this.mentionAB = this.mentionBA = this.postList = column(Int32Array, 0);
    this.nearDuplicate = this.sharedUrl = this.sharedCode = column(Float64Array, 0);
    this.sameHandle = this.postCount = column(Uint8Array, 0);
    this.grow(16);
  }

  get size(): number {
    return this.index.size;
  }

  /** Room for `n` pairs in all, in one growth of the index and one of the columns (coactions.ts: before the near-duplicate pairs). */
  reserve(n: number): void {
    this.index.reserve(n);
    let cap = this.cap;
    while (cap < n) cap *= 2;
    if (cap > this.cap) this.grow(cap);
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

  /**
   * Grows every column (doubles by default), all of them views into one new buffer: V8 answers each 64 MB of
   * new array-buffer memory with a full mark-compact of the whole heap, and twelve columns
   * allocated one by one crossed that mark several times per doubling at 1M posts (each
   * pass tracing every post); one buffer crosses it once.
   */
  private grow(cap = 2 * this.cap): void {
    const m = this.maxPosts;
    // Float64 columns first (8-byte aligned), then Int32, then bytes.
    const bytes = cap * (3 * 8 + (6 + m) * 4 + 2);
    const buffer = new ArrayBuffer(bytes);
    let at = 0;
    const take = <T extends Column>(old: T, Kind: new (b: ArrayBuffer, o: number, n: number) => T, n: number): T => {
      const out = new Kind(buffer, at, n);
      out.set(old);
      at += n * out.BYTES_PER_ELEMENT;
      return out;
    };
    this.nearDuplicate = take(this.nearDuplicate, Float64Array, cap);
    this.sharedUrl = take(this.sharedUrl, Float64Array, cap);
    this.sharedCode = take(this.sharedCode, Float64Array, cap);
    this.a = take(this.a, Int32Array, cap);
    this.b = take(this.b, Int32Array, cap);
    this.replyAB = take(this.replyAB, Int32Array, cap);
    this.replyBA = take(this.replyBA, Int32Array, cap);
    this.mentionAB = take(this.mentionAB, Int32Array, cap);
    this.mentionBA = take(this.mentionBA, Int32Array, cap);
    this.postList = take(this.postList, Int32Array, cap * m);
    this.sameHandle = take(this.sameHandle, Uint8Array, cap);
    this.postCount = take(this.postCount, Uint8Array, cap);
    this.cap = cap;
  }
}
