// Stores crawled pages: a page's accounts, then its posts, a top-level post with replies on
// the page after those replies, so that a crash at any point leaves no stored post without
// its account and no stored parent without its replies (the engine saves the unit's cursor
// after). The engine's accounts and posts stages each write one page at a time, so what a
// page costs here bounds how fast a crawl can go; the writer avoids store reads where it can:
//  - posts this run has already stored or read are compared with what it remembers
//    (SeenPosts, on FerretDB), not with the store: overlapping units bring the same posts
//    again and again;
//  - posts and accounts it has not met are inserted outright while such ids have lately
//    been new (a first crawl, the new end of an incremental one): the store refuses the
//    ids it holds, and only those are looked up. When they have lately been stored
//    already, it looks up first (a refused insert costs more than a look-up).
// Stored posts are rewritten only when what the platform shows changed; a deleted item
// that is already stored keeps its author and text and is only marked.
import type { Store, WriteSummary } from '../storage/store';
import type { Account, Post } from '../storage/types';
import { postDigest, presentFields, type SeenPost, type SeenPosts } from '../storage/seen-posts';

export interface PageCounts {
  /** Posts not stored before. */
  new: number;
  /** Posts already stored. */
  duplicates: number;
  /** Posts newly seen deleted. */
  deleted: number;
  /** Accounts not stored before. */
  accounts: number;
}

const POST_FIELDS = { _id: 1, text: 1, title: 1, score: 1, deleted: 1 } as const;

export class PageWriter {
  /** What this run met of stored posts (FerretDB; on MongoDB it keeps nothing and pages are compared with the store). */
  private readonly seen: SeenPosts;
  /** Accounts written this run; true once written with their details (createdAt). */
  private readonly accountsWritten = new Map<string, boolean>();
  private postsMostlyNew = true;
  private accountsMostlyNew = true;

  constructor(private readonly store: Store) {
    this.seen = store.seenPosts();
  }

  /** What storing the page would count, storing nothing (dry runs). */
  async count(posts: Post[]): Promise<PageCounts> {
    const stored = new Map<string, SeenPost>();
    await this.lookUp(
      posts.map((p) => p._id),
      stored,
    );
    const fresh = posts.filter((p) => !stored.has(p._id));
    return {
      new: new Set(fresh.map((p) => p._id)).size,
      duplicates: posts.length - fresh.length,
      deleted: posts.filter((p) => p.deleted && !stored.get(p._id)?.deleted).length,
      accounts: 0,
    };
  }

  /** Stores a page: its accounts, then its posts. */
  async write(page: { posts: Post[]; accounts: Account[] }): Promise<PageCounts> {
    const accounts = await this.writeAccounts(page.accounts);
    return { ...(await this.writePosts(page.posts)), accounts };
  }

  /** Stores a page's posts (its accounts must be stored first). */
  async writePosts(posts: Post[]): Promise<Omit<PageCounts, 'accounts'>> {
    // What the store holds of this page's posts, kept up to date with every write below.
    const stored = new Map<string, SeenPost>();
    const unseen = new Set<string>();
    for (const p of posts) {
      const s = this.seen.get(p._id);
      if (s) stored.set(p._id, s);
      else unseen.add(p._id);
    }
    // Deleted ones are always looked up: a stored copy must not be overwritten.
    const lookFirst = posts.filter((p) => unseen.has(p._id) && (!this.postsMostlyNew || p.deleted)).map((p) => p._id);
    let unseenStored = await this.lookUp([...new Set(lookFirst)], stored);
    const deleted = posts.filter((p) => p.deleted && !stored.get(p._id)?.deleted).length;

    const inserted = new Set<Post>();
    const unknown = new Set<string>();
    const writeGroup = async (group: Post[]) => {
      const fresh = new Map<string, Post>();
      for (const p of group) if (!stored.has(p._id) && !fresh.has(p._id)) fresh.set(p._id, p);
      if (fresh.size) {
        const r = await this.store.posts.insertMany([...fresh.values()]);
        const refused = new Set(r.rejected.map((x) => x.id));
        for (const [id, p] of fresh) {
          if (refused.has(id)) continue;
          inserted.add(p);
          stored.set(id, seenOf(p, !!p.deleted));
        }
        // Refused: stored already (then compared below like the rest), or not storable at all.
        unseenStored += await this.lookUp([...refused], stored);
        const lost = r.rejected.filter((x) => !stored.has(x.id));
        if (lost.length) throw refusedError(lost, 'posts');
      }
      const changed = group.filter((p) => {
        if (inserted.has(p) || p.deleted) return false;
        const old = stored.get(p._id) as SeenPost;
        return old.deleted || old.digest !== postDigest(p);
      });
      if (changed.length) await check(this.store.posts.upsertMany(changed), 'posts');
      // A rewrite $sets the fields given: a stored deletion mark stays, and so does a stored
      // field the page lacks (its value is not known here: the post is looked up next time).
      for (const p of changed) {
        const old = stored.get(p._id) as SeenPost;
        if (old.present & ~presentFields(p)) unknown.add(p._id);
        else stored.set(p._id, seenOf(p, old.deleted));
      }
    };

    // Posts with replies on this page go last, so a crash between the writes never leaves
    // one stored without its replies; the rest (usually the whole page) go in one write.
    const parents = new Set(posts.map((p) => p.parentId).filter((id) => id !== undefined));
    const last = (p: Post) => !p.parentId && parents.has(p._id);
    await writeGroup(posts.filter((p) => !last(p)));
    const marks = posts.filter((p) => p.deleted && !inserted.has(p) && stored.has(p._id) && !stored.get(p._id)?.deleted);
    if (marks.length) await check(this.store.posts.setMany(marks.map((p) => ({ id: p._id, set: { deleted: true, fetchedAt: p.fetchedAt } }))), 'posts');
    for (const p of marks) stored.set(p._id, { ...(stored.get(p._id) as SeenPost), deleted: true });
    await writeGroup(posts.filter(last));

    for (const [id, s] of stored) if (!unknown.has(id)) this.seen.set(id, s);
    for (const id of unknown) this.seen.delete(id);
    if (unseen.size) this.postsMostlyNew = unseenStored * 2 < unseen.size;
    const newIds = new Set([...inserted].map((p) => p._id));
    return { new: newIds.size, duplicates: posts.filter((p) => !newIds.has(p._id)).length, deleted };
  }

  /** Stores a page's accounts not yet written this run (or written without details); returns how many were new. */
  async writeAccounts(all: Account[]): Promise<number> {
    const accounts = all.filter((a) => !this.accountsWritten.has(a._id) || (!this.accountsWritten.get(a._id) && a.createdAt));
    if (accounts.length === 0) return 0;
    let fresh: number;
    if (this.accountsMostlyNew) {
      const r = await this.store.accounts.insertMany(accounts);
      // Refused: stored already, so updated without touching firstSeenAt; an unstorable
      // one is refused again, with its reason.
      const refused = new Set(r.rejected.map((x) => x.id));
      const rest = accounts.filter((a) => refused.has(a._id)).map(withoutFirstSeen);
      if (rest.length) await check(this.store.accounts.upsertMany(rest), 'accounts');
      fresh = r.upserted;
    } else {
      const known = new Set(
        (
          await this.store.accounts.getMany(
            accounts.map((a) => a._id),
            { projection: { _id: 1 } },
          )
        ).map((a) => a._id),
      );
      // Existing accounts keep their firstSeenAt ($set of the fields given).
      await check(this.store.accounts.upsertMany(accounts.map((a) => (known.has(a._id) ? withoutFirstSeen(a) : a))), 'accounts');
      fresh = accounts.length - known.size;
    }
    this.accountsMostlyNew = (accounts.length - fresh) * 2 < accounts.length;
    for (const a of accounts) this.accountsWritten.set(a._id, !!a.createdAt);
    return fresh;
  }

  /** Reads what the store holds of these posts into `into`; returns how many it holds. */
  private async lookUp(ids: string[], into: Map<string, SeenPost>): Promise<number> {
    if (ids.length === 0) return 0;
    const docs = await this.store.posts.getMany(ids, { projection: POST_FIELDS });
    for (const d of docs) into.set(d._id, seenOf(d, !!d.deleted));
    return docs.length;
  }
}

function seenOf(p: Pick<Post, 'text' | 'title' | 'score'>, deleted: boolean): SeenPost {
  return { digest: postDigest(p), deleted, present: presentFields(p) };
}

function withoutFirstSeen(a: Account): Account {
  const { firstSeenAt: _f, ...rest } = a;
  return rest as Account;
}

function refusedError(rejected: WriteSummary['rejected'], what: string): Error {
  return new Error(`store refused ${rejected.length} ${what} documents, e.g. ${rejected[0].id}: ${rejected[0].reason}`);
}

/** Throws when the store refused any document of a write. */
export async function check(p: Promise<WriteSummary>, what: string): Promise<void> {
  const r = await p;
  if (r.rejected.length > 0) throw refusedError(r.rejected, what);
}
