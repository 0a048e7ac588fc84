// FerretDB only: a compact time index of the posts collection, so that detect learns the
// newest post and reads one window without a sort or a scan of every post. FerretDB 1.24
// on SQLite pushes down only `_id` equality: a sort over createdAt, a range filter, even
// an `_id` range or estimatedDocumentCount read and decode the whole collection (measured:
// 40k small documents, `_id` equality 6 ms, `_id` range 2.0 s, count 3.7 s).
//
// The index is a chain of insert-only entries `posts:<seq>`, one per posts write, each
// holding that write's post ids, account ids and createdAt times as three strings (one
// BSON string each: FerretDB would store a per-element type schema for an array). The
// seq is claimed by the insert itself (a duplicate `_id` means another writer took it:
// try the next), so concurrent writers in any number of processes never lose an entry
// and never leave a hole, and no document is ever updated (FerretDB updates are not
// atomic). A `head` document is only a hint where to start. A reader reads the chain in
// order up to the first missing seq; a post written twice is taken from its last entry.
// Posts stored before the index existed are indexed once by a scan (`complete` marker).
// Deleted posts (deleteMany) stay in the index: window reads skip ids that no longer exist,
// and the span and counts may include them until the database is rebuilt.
import type { Collection, Document } from 'mongodb';
import type { Repository } from './repository';
import type { Post } from './types';

export const POST_INDEX_COLLECTION = 'post_index';

const HEAD_ID = 'head';
const COMPLETE_ID = 'complete';
/** Entries read in parallel while walking the chain. */
const READ_AHEAD = 32;
/** Posts per entry when indexing existing posts. */
const BACKFILL_CHUNK = 5_000;
const HINT_TTL_MS = 5_000;

interface IndexEntry {
  _id: string;
  seq: number;
  n: number;
  /** JSON arrays of strings, and base64 of a Float64Array of epoch ms. */
  ids: string;
  accounts: string;
  times: string;
}

type IndexDoc = IndexEntry | { _id: string; seq?: number; at?: Date };

const entryId = (seq: number) => `posts:${seq}`;

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number }).code === 11000;
}

/** Every indexed post: id, account and time, deduplicated (the last entry for an id wins). */
export interface IndexedPosts {
  ids: string[];
  accounts: string[];
  times: Float64Array;
}

export class PostTimeIndex {
  private readonly coll: Collection<IndexDoc>;
  /** The last seq this process wrote; trusted for a few seconds (the database may be dropped and refilled meanwhile). */
  private hint = { seq: 0, at: 0 };

  constructor(coll: Collection<Document>) {
    this.coll = coll as unknown as Collection<IndexDoc>;
  }

  /** At store open: an index created beside an empty posts collection is complete from the start. */
  async initialise(posts: Repository<Post>, created: boolean): Promise<void> {
    this.hint = { seq: 0, at: 0 };
    if (!created) return;
    const any = await posts.find({}, { projection: { _id: 1 }, limit: 1 });
    if (any.length === 0) await this.markComplete();
  }

  /** Records the posts of one write. Call after the write succeeded. */
  async add(posts: readonly Pick<Post, '_id' | 'accountId' | 'createdAt'>[]): Promise<void> {
    if (posts.length === 0) return;
    const times = new Float64Array(posts.length);
    posts.forEach((p, i) => {
      times[i] = new Date(p.createdAt).getTime();
    });
    const body = {
      n: posts.length,
      ids: JSON.stringify(posts.map((p) => p._id)),
      accounts: JSON.stringify(posts.map((p) => p.accountId)),
      times: Buffer.from(times.buffer).toString('base64'),
    };
    let seq = Date.now() - this.hint.at < HINT_TTL_MS ? this.hint.seq + 1 : (await this.head()) + 1;
    for (;;) {
      try {
        await this.coll.insertOne({ _id: entryId(seq), seq, ...body });
        break;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        seq = Math.max(seq, await this.head()) + 1;
      }
    }
    this.hint = { seq, at: Date.now() };
    // A hint only: a lost race leaves it low, which costs a retry, never an entry.
    await this.coll.updateOne({ _id: HEAD_ID }, { $max: { seq } }, { upsert: true }).catch((err) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  /** All indexed posts; indexes the posts collection first when it holds posts from before the index. */
  async read(posts: Repository<Post>): Promise<IndexedPosts> {
    if (!(await this.coll.findOne({ _id: COMPLETE_ID }))) await this.backfill(posts);
    const entries: IndexEntry[] = [];
    for (let seq = 1; ; seq += READ_AHEAD) {
      const batch = await Promise.all(Array.from({ length: READ_AHEAD }, (_, k) => this.coll.findOne({ _id: entryId(seq + k) }) as Promise<IndexEntry | null>));
      const end = batch.indexOf(null);
      for (const e of end < 0 ? batch : batch.slice(0, end)) entries.push(e as IndexEntry);
      if (end >= 0) break;
    }
    const at = new Map<string, number>();
    const ids: string[] = [];
    const accounts: string[] = [];
    const times: number[] = [];
    for (const e of entries) {
      const eIds = JSON.parse(e.ids) as string[];
      const eAccounts = JSON.parse(e.accounts) as string[];
      const buf = Buffer.from(e.times, 'base64');
      const eTimes = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
      for (let i = 0; i < eIds.length; i++) {
        const k = at.get(eIds[i]);
        if (k === undefined) {
          at.set(eIds[i], ids.length);
          ids.push(eIds[i]);
          accounts.push(eAccounts[i]);
          times.push(eTimes[i]);
        } else {
          accounts[k] = eAccounts[i];
          times[k] = eTimes[i];
        }
      }
    }
    return { ids, accounts, times: Float64Array.from(times) };
  }

  private async head(): Promise<number> {
    const doc = (await this.coll.findOne({ _id: HEAD_ID })) as { seq?: number } | null;
    return doc?.seq ?? 0;
  }

  private async markComplete(): Promise<void> {
    try {
      await this.coll.insertOne({ _id: COMPLETE_ID, at: new Date() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /** One scan of the posts stored before the index existed; writers meanwhile index their own writes. */
  private async backfill(posts: Repository<Post>): Promise<void> {
    let chunk: Pick<Post, '_id' | 'accountId' | 'createdAt'>[] = [];
    for await (const p of posts.stream({}, { projection: { _id: 1, accountId: 1, createdAt: 1 } })) {
      chunk.push(p);
      if (chunk.length === BACKFILL_CHUNK) {
        await this.add(chunk);
        chunk = [];
      }
    }
    await this.add(chunk);
    await this.markComplete();
  }
}
