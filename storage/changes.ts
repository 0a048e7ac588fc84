// A change log for the collections that readers mirror in memory (the API server's
// views of accounts, posts and API keys). FerretDB has no change streams and indexes
// only `_id`, so the log is a chain of entries with consecutive ids
// `<collection>:<seq>` plus one `heads` document holding the newest seq of each
// collection: a reader that is up to date pays one `_id` look-up to learn so.
//
// Writers append after their write succeeded, so a reader that sees an entry reads
// the data it names. The seq is allocated by the insert itself (the unique `_id`
// decides between concurrent writers), so the chain has no holes except where old
// entries were pruned; a reader that finds a hole, or an entry that names no ids,
// is told to reload the whole collection.
import type { Collection, Document } from 'mongodb';

export const CHANGES_COLLECTION = 'changes';

/** An entry with more ids than this names none ("reload"): re-reading that many by id costs more than a scan. */
const MAX_IDS = 20_000;
/** Entries kept per collection (a reader further behind than this reloads), pruned every so many appends. */
const KEEP = 10_000;
const PRUNE_EVERY = 1_000;
/** A writer idle this long re-reads the head before appending, so it never writes into a pruned slot. */
const HINT_TTL_MS = 5_000;
const HEADS_ID = 'heads';

export interface ChangeEntry {
  _id: string;
  collection: string;
  seq: number;
  /** null: unknown documents changed; readers reload the collection. */
  ids: string[] | null;
  at: Date;
}

type HeadsDoc = { _id: string } & Record<string, number | string>;
type ChangeDoc = ChangeEntry | HeadsDoc;

export interface ChangesSince {
  /** The seq to ask from next time. */
  seq: number;
  /** Ids that changed (possibly deleted), or 'all' when the reader must reload. */
  ids: Set<string> | 'all';
}

const entryId = (collection: string, seq: number) => `${collection}:${seq}`;

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number }).code === 11000;
}

/** Process-wide: readers in this process learn of its own writes at once, whichever store handle made them. */
const listeners = new Set<(collection: string) => void>();

export class ChangeLog {
  private hints = new Map<string, { seq: number; at: number }>();
  private appended = 0;

  private readonly keep: number;
  private readonly pruneEvery: number;

  private readonly coll: Collection<ChangeDoc>;

  constructor(coll: Collection<Document>, opts: { keep?: number; pruneEvery?: number } = {}) {
    this.coll = coll as unknown as Collection<ChangeDoc>;
    this.keep = opts.keep ?? KEEP;
    this.pruneEvery = opts.pruneEvery ?? PRUNE_EVERY;
  }

  /** Called after every append by this process, through any ChangeLog (readers here need not wait for a poll). */
  static onAppend(listener: (collection: string) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** The newest seq of every logged collection (one look-up). */
  async heads(): Promise<Record<string, number>> {
    const doc = (await this.coll.findOne({ _id: HEADS_ID })) as HeadsDoc | null;
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(doc ?? {})) if (k !== '_id' && typeof v === 'number') out[k] = v;
    return out;
  }

  /** Records that `ids` of `collection` changed (null: unknown documents). Call after the write succeeded. */
  async append(collection: string, ids: readonly string[] | null): Promise<void> {
    const list = ids === null || ids.length > MAX_IDS ? null : [...new Set(ids)];
    if (list?.length === 0) return;
    const hint = this.hints.get(collection);
    let seq = hint && Date.now() - hint.at < HINT_TTL_MS ? hint.seq + 1 : ((await this.heads())[collection] ?? 0) + 1;
    for (;;) {
      try {
        await this.coll.insertOne({ _id: entryId(collection, seq), collection, seq, ids: list, at: new Date() });
        break;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Another writer took this seq: jump past everything known.
        seq = Math.max(seq, (await this.heads())[collection] ?? 0) + 1;
      }
    }
    await this.coll.updateOne({ _id: HEADS_ID }, { $max: { [collection]: seq } }, { upsert: true });
    this.hints.set(collection, { seq, at: Date.now() });
    for (const l of listeners) l(collection);
    if (++this.appended % this.pruneEvery === 0) {
      await this.coll.deleteMany({ collection, seq: { $lte: seq - this.keep } } as never);
    }
  }

  /**
   * What changed in `collection` after `after`, up to `head` (from `heads()`). Entries
   * are read one by one by `_id` (the only indexed look-up on FerretDB).
   */
  async since(collection: string, after: number, head: number): Promise<ChangesSince> {
    if (head === after) return { seq: after, ids: new Set() };
    // The log went back (the database was dropped and refilled): nothing it says is comparable.
    if (head < after) return { seq: head, ids: 'all' };
    if (head - after > this.keep) return { seq: head, ids: 'all' };
    const ids = new Set<string>();
    for (let seq = after + 1; seq <= head; seq++) {
      const e = (await this.coll.findOne({ _id: entryId(collection, seq) })) as ChangeEntry | null;
      if (!e || e.ids === null) return { seq: head, ids: 'all' };
      for (const id of e.ids) ids.add(id);
    }
    return { seq: head, ids };
  }
}
