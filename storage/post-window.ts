// Reading posts by time: the span of the stored posts and the posts of one window.
// Detection asks for both on every run, so neither may cost a sort or a scan of every
// post: on MongoDB the createdAt index answers; on FerretDB (no pushdown but `_id`
// equality) the post time index (post-index.ts) does, and a window that holds a small
// share of the posts is read by `_id` look-ups instead of a scan. Co-action posts are
// stored packed (coactions.ts) and joined here, so every reader by time sees them too.
import { inBatches } from './batches';
import type { CoactionPosts, CoactionView } from './coactions';
import type { IndexedPosts, PostTimeIndex } from './post-index';
import type { Repository } from './repository';
import type { Post } from './types';

export interface PostSpan {
  oldest: Date | null;
  newest: Date | null;
  /** Stored posts (deleted ones included). */
  count: number;
  /** Distinct accounts with stored posts (a size hint for reading them). */
  accounts: number;
}

/** One consistent look at the posts' times, for one detect run. */
export interface PostSnapshot {
  span: PostSpan;
  /** Posts with since ≤ createdAt ≤ until (deleted ones included: the caller decides), projected. */
  stream(since: Date, until: Date, projection: Record<string, 0 | 1>): AsyncIterable<Post>;
  /** The same posts in batches (up to BATCH): one await per batch for readers of every post (detect). */
  batches(since: Date, until: Date, projection: Record<string, 0 | 1>): AsyncIterable<readonly Post[]>;
  /**
   * The accounts of the window's posts as the time index knows them (null without one, on
   * MongoDB): a hint to start reading accounts before the posts are read. The index may lag a
   * concurrent writer, so the caller still takes the accounts from the posts it read.
   */
  windowAccounts(since: Date, until: Date): string[] | null;
  /** Stored posts outside [since, until], and how many accounts posted only there (not in `inWindow`). */
  outside(since: Date, until: Date, inWindow: ReadonlySet<string>): Promise<{ posts: number; accounts: number }>;
  /**
   * Accounts whose document holds nothing beyond their posts' platform and author: those of
   * co-action imports under the source's name, derived from the posts (derived-accounts.ts; no
   * crawler writes them, no import sets `createdAt`). A reader may take them from the posts
   * instead of `store.accounts`.
   * Complete once `stream` was read: an account met there in the posts collection is dropped.
   */
  postOnlyAccounts: ReadonlySet<string>;
}

/**
 * A window holding less than this share of the indexed posts is read by `_id` (FerretDB
 * look-ups run at ~1.5k/s with 64 in flight, a projected scan at ~6–7k/s: issue 13).
 */
const LOOKUP_SHARE = 0.2;
const LOOKUP_CHUNK = 2_000;
/** Posts per batch of `batches`. */
const BATCH = 2_000;

/** A stream's posts in arrays of up to BATCH. */
const grouped = (posts: AsyncIterable<Post>) => inBatches(posts, BATCH);

/** Batches one at a time. */
async function* flat(batches: AsyncIterable<readonly Post[]>): AsyncIterable<Post> {
  for await (const b of batches) yield* b;
}

export class PostWindow {
  constructor(
    private readonly posts: Repository<Post>,
    private readonly coactions: CoactionPosts,
    private readonly index?: PostTimeIndex,
  ) {}

  /**
   * Ids of the stored posts (posts collection only) of these accounts from the time index,
   * without a scan; null where there is none (MongoDB: its accountId index answers a filter).
   */
  async postIdsOf(accountIds: readonly string[]): Promise<string[] | null> {
    if (!this.index) return null;
    const idx = await this.index.read(this.posts);
    const wanted = new Set(accountIds);
    const out: string[] = [];
    for (let i = 0; i < idx.ids.length; i++) if (wanted.has(idx.accounts[i])) out.push(idx.ids[i]);
    return out;
  }

  async snapshot(): Promise<PostSnapshot> {
    const base = this.index ? indexedSnapshot(this.posts, await this.index.read(this.posts)) : await mongoSnapshot(this.posts);
    const co = await this.coactions.view();
    return co.posts.length > 0 ? withCoactions(base, co) : base;
  }
}

/**
 * The posts collection's snapshot joined with the co-action posts. A post in both (imported
 * per document by an older version, then again) is read from the posts collection only.
 */
function withCoactions(base: PostSnapshot, co: CoactionView): PostSnapshot {
  let oldest = base.span.oldest?.getTime() ?? Number.POSITIVE_INFINITY;
  let newest = base.span.newest?.getTime() ?? Number.NEGATIVE_INFINITY;
  const accounts = new Set<string>();
  let mixed = false;
  for (const p of co.posts) {
    const t = p.createdAt.getTime();
    if (t < oldest) oldest = t;
    if (t > newest) newest = t;
    accounts.add(p.accountId);
    if (p.platform !== p.community) mixed = true;
  }
  // Every post under its source's name (any co-action import's own): all accounts, in the same
  // order, copied in one go instead of a second add per post (194k of german-elections-2021).
  const postOnly = new Set<string>(mixed ? [] : accounts);
  if (mixed) for (const p of co.posts) if (p.platform === p.community) postOnly.add(p.accountId);
  const inRange = (p: Post, lo: number, hi: number) => p.createdAt.getTime() >= lo && p.createdAt.getTime() <= hi;
  return {
    span: { oldest: new Date(oldest), newest: new Date(newest), count: base.span.count + co.posts.length, accounts: base.span.accounts + accounts.size },
    stream(since, until, projection) {
      return flat(this.batches(since, until, projection));
    },
    async *batches(since, until, projection) {
      const seen = new Set<string>();
      for await (const batch of base.batches(since, until, projection)) {
        for (const p of batch) {
          seen.add(p._id);
          postOnly.delete(p.accountId);
        }
        yield batch;
      }
      const lo = since.getTime();
      const hi = until.getTime();
      let out: Post[] = [];
      for (const p of co.posts) {
        if (!inRange(p, lo, hi) || seen.has(p._id)) continue;
        out.push(p);
        if (out.length >= BATCH) {
          yield out;
          out = [];
        }
      }
      if (out.length > 0) yield out;
    },
    windowAccounts(since, until) {
      const hinted = base.windowAccounts(since, until);
      if (!hinted) return null;
      const lo = since.getTime();
      const hi = until.getTime();
      const out = new Set(hinted);
      // Every co-action account post-only (a co-action import's own, before `batches` met any in
      // the posts collection): the loop would add none of them.
      if (postOnly.size < accounts.size) for (const p of co.posts) if (inRange(p, lo, hi) && !postOnly.has(p.accountId)) out.add(p.accountId);
      return [...out];
    },
    async outside(since, until, inWindow) {
      const b = await base.outside(since, until, inWindow);
      const lo = since.getTime();
      const hi = until.getTime();
      let posts = 0;
      const only = new Set<string>();
      for (const p of co.posts) {
        if (inRange(p, lo, hi)) continue;
        posts++;
        if (!inWindow.has(p.accountId)) only.add(p.accountId);
      }
      // An account with posts of both kinds outside the window only may count twice: a hint for the coverage note.
      return { posts: b.posts + posts, accounts: b.accounts + only.size };
    },
    postOnlyAccounts: postOnly,
  };
}

const inRange = (since: Date, until: Date) => ({ createdAt: { $gte: since, $lte: until } });
const outOfRange = (since: Date, until: Date) => ({ $or: [{ createdAt: { $lt: since } }, { createdAt: { $gt: until } }] });

async function mongoSnapshot(posts: Repository<Post>): Promise<PostSnapshot> {
  const [newest] = await posts.find({}, { sort: { createdAt: -1 }, limit: 1, projection: { createdAt: 1 } });
  const [oldest] = await posts.find({}, { sort: { createdAt: 1 }, limit: 1, projection: { createdAt: 1 } });
  return {
    // MongoDB looks accounts up by `$in` batches whatever their number: no size hint needed.
    span: { oldest: oldest?.createdAt ?? null, newest: newest?.createdAt ?? null, count: await posts.estimatedCount(), accounts: 0 },
    stream: (since, until, projection) => posts.stream(inRange(since, until), { projection }),
    batches: (since, until, projection) => grouped(posts.stream(inRange(since, until), { projection })),
    windowAccounts: () => null,
    postOnlyAccounts: new Set(),
    async outside(since, until, inWindow) {
      const filter = outOfRange(since, until);
      let accounts = 0;
      for (const g of await posts.aggregate<{ _id: string }>([{ $match: filter }, { $group: { _id: '$accountId' } }])) if (!inWindow.has(g._id)) accounts++;
      return { posts: await posts.count(filter), accounts };
    },
  };
}

function indexedSnapshot(posts: Repository<Post>, idx: IndexedPosts): PostSnapshot {
  let oldest = Number.POSITIVE_INFINITY;
  let newest = Number.NEGATIVE_INFINITY;
  for (const t of idx.times) {
    if (t < oldest) oldest = t;
    if (t > newest) newest = t;
  }
  const within = (since: Date, until: Date) => {
    const lo = since.getTime();
    const hi = until.getTime();
    const out: number[] = [];
    for (let i = 0; i < idx.times.length; i++) if (idx.times[i] >= lo && idx.times[i] <= hi) out.push(i);
    return out;
  };
  return {
    span: { oldest: idx.ids.length ? new Date(oldest) : null, newest: idx.ids.length ? new Date(newest) : null, count: idx.ids.length, accounts: new Set(idx.accounts).size },
    stream(since, until, projection) {
      const hits = within(since, until);
      const lo = since.getTime();
      const hi = until.getTime();
      const proj = { ...projection, createdAt: 1 as const };
      if (hits.length > LOOKUP_SHARE * idx.ids.length) {
        // A scan, with the time range checked here: FerretDB decodes every document whatever
        // the filter, and evaluating it there cost ~10 % of a 359k-post scan (yelpnyc).
        return (async function* () {
          for await (const p of posts.stream({}, { projection: proj })) {
            const t = new Date(p.createdAt).getTime();
            if (t >= lo && t <= hi) yield p;
          }
        })();
      }
      return (async function* () {
        for (let i = 0; i < hits.length; i += LOOKUP_CHUNK) {
          // createdAt checked again: the index may lag behind a post's latest write.
          for (const p of await posts.getMany(hits.slice(i, i + LOOKUP_CHUNK).map((k) => idx.ids[k]), { projection: proj })) {
            const t = new Date(p.createdAt).getTime();
            if (t >= lo && t <= hi) yield p;
          }
        }
      })();
    },
    batches(since, until, projection) {
      return grouped(this.stream(since, until, projection));
    },
    windowAccounts(since, until) {
      return [...new Set(within(since, until).map((k) => idx.accounts[k]))];
    },
    async outside(since, until, inWindow) {
      const inside = new Set(within(since, until));
      const only = new Set<string>();
      for (let i = 0; i < idx.ids.length; i++) if (!inside.has(i) && !inWindow.has(idx.accounts[i])) only.add(idx.accounts[i]);
      return { posts: idx.ids.length - inside.size, accounts: only.size };
    },
    postOnlyAccounts: new Set(),
  };
}
