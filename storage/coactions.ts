// Co-action posts (importers/coactions.ts), stored packed: many posts per document.
// A co-action row is an immutable fact (an account shared an object at a time), and a real
// set holds hundreds of thousands of them. One document per post costs what the embedded
// FerretDB 1.24 can do per document (inserts ~10k/s, a projected stream 5.7–7.6k/s: 194k
// posts of german-elections-2021 ≥ 19 s to write and ≥ 26 s to read back, against 7.4 s for
// the whole QUT toolkit). Packed, the same posts are ~40 documents of a few hundred KB.
//
// Layout of the `coactions` collection (every read is an `_id` equality, the one filter
// FerretDB pushes down):
//   chunk:<key>:<i>  up to CHUNK posts (and CHUNK_BYTES of text) of one import, column-wise (a field equal across the
//                    chunk stored once), as one deflated JSON binary: FerretDB would store a
//                    type schema per array element, and a long string is re-escaped into its
//                    JSON (30 MB of JSON strings for the german set took 2.4 s to write);
//   import:<seq>     the manifest of one finished import (content key, chunk count, time),
//                    a chain of insert-only entries claimed by the insert itself as in
//                    post-index.ts, written after every chunk: a killed import is never read.
// `<key>` is a hash of the imported file's cleaned content, so re-importing the same file
// finds its manifest and writes nothing, and a re-run after kill -9 rewrites the same chunk
// ids (upserts) before writing the manifest: it converges to the uninterrupted result.
// An import stores only posts that are new or changed (a changed post as its merged whole);
// a reader merges the imports in chain order: a post keeps its first import's fields and the
// union of its objects, stamped (fetchedAt) with the last import that changed it.
// The posts' accounts have no documents: `store.accounts` derives them from the merged view
// (derived-accounts.ts), so a finished import also tells live account views to reload.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary, type Collection, type Document } from 'mongodb';
import type { ChangeLog } from './changes';
import { Repository } from './repository';
import type { Post } from './types';

export const COACTIONS_COLLECTION = 'coactions';

/** Posts per chunk document: ~150 bytes of JSON a post, ~30 compressed: far under FerretDB's 16 MB. */
const CHUNK = 5_000;
/**
 * Text per chunk before compression, at most: a post may hold 200 objects of 256 characters
 * (importers/coactions.ts), so 5,000 such posts would be 256 MB; deflate never grows data by
 * more than a few bytes per 16 KB, so a chunk stays well under FerretDB's 16 MB document limit.
 */
const CHUNK_BYTES = 8 * 2 ** 20;

/** Characters a post adds to its chunk's JSON (near enough: quotes and commas counted as 3 a value). */
function textSize(p: CoactionPost): number {
  // Field by field (STRING_FIELDS), not by a loop over their names: 194k posts' keyed reads cost more than the sum.
  let n = 20 + 3 * STRING_FIELDS.length;
  n += (p._id?.length ?? 0) + (p.platform?.length ?? 0) + (p.kind?.length ?? 0) + (p.externalId?.length ?? 0) + (p.accountId?.length ?? 0);
  n += (p.author?.length ?? 0) + (p.week?.length ?? 0) + (p.community?.length ?? 0) + (p.source?.length ?? 0);
  if (p.objects) for (const o of p.objects) n += o.length + 3;
  return n;
}

/** The posts cut into chunks of at most CHUNK posts and CHUNK_BYTES of text (a post larger than that alone). */
export function chunksOf<P extends CoactionPost>(posts: readonly P[]): P[][] {
  const out: P[][] = [];
  let current: P[] = [];
  let bytes = 0;
  for (const p of posts) {
    const size = textSize(p);
    if (current.length > 0 && (current.length === CHUNK || bytes + size > CHUNK_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(p);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
/** Chunk documents read in parallel. */
const READ_AHEAD = 8;

/** Post fields a co-action post has, stored as strings. */
const STRING_FIELDS = ['_id', 'platform', 'kind', 'externalId', 'accountId', 'author', 'week', 'community', 'source'] as const;
type StringField = (typeof STRING_FIELDS)[number];

/** A co-action post: what importers/coactions.ts builds. */
export type CoactionPost = Pick<Post, StringField | 'createdAt' | 'objects' | 'fetchedAt'>;

interface ChunkDoc {
  _id: string;
  n: number;
  /** deflate of the JSON of ChunkBody: one binary value, which FerretDB stores without looking inside. */
  data: Binary;
}

interface ChunkBody {
  /** Per string field: the column, or `{ all: value }` when every post has the same. */
  columns: Record<StringField, string[] | { all: string }>;
  /** createdAt, epoch ms. */
  times: number[];
  /** 0: no objects. */
  objects: (string[] | 0)[];
}

interface ManifestDoc {
  _id: string;
  seq: number;
  key: string;
  source: string;
  chunks: number;
  posts: number;
  at: Date;
}

type CoactionDoc = ChunkDoc | ManifestDoc;

/** Newest first, ties by id: the order of every posts list. */
export const newestFirst = (a: Pick<Post, '_id' | 'createdAt'>, b: Pick<Post, '_id' | 'createdAt'>) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);

const manifestId = (seq: number) => `import:${seq}`;
const chunkId = (key: string, i: number) => `chunk:${key}:${i}`;

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number }).code === 11000;
}

/** A column as stored (`values` is the caller's own array, kept as it is). */
function encodeColumn(values: string[]): string[] | { all: string } {
  const first = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return values;
  return { all: first ?? '' };
}

function decodeColumn(v: string[] | { all: string }, n: number): string[] {
  return Array.isArray(v) ? v : new Array<string>(n).fill(v.all);
}

/** One chunk document of posts. */
export function encodeChunk(id: string, posts: readonly CoactionPost[]): ChunkDoc {
  const n = posts.length;
  const [ids, platforms, kinds, externalIds, accountIds, authors, weeks, communities, sources] = STRING_FIELDS.map(() => new Array<string>(n));
  const times = new Array<number>(n);
  const objects = new Array<string[] | 0>(n);
  // One pass reading each field by name (not `p[f]` per field name: keyed reads of 194k posts).
  for (let i = 0; i < n; i++) {
    const p = posts[i];
    ids[i] = p._id ?? '';
    platforms[i] = p.platform ?? '';
    kinds[i] = p.kind ?? '';
    externalIds[i] = p.externalId ?? '';
    accountIds[i] = p.accountId ?? '';
    authors[i] = p.author ?? '';
    weeks[i] = p.week ?? '';
    communities[i] = p.community ?? '';
    sources[i] = p.source ?? '';
    times[i] = p.createdAt.getTime();
    objects[i] = p.objects && p.objects.length > 0 ? p.objects : 0;
  }
  const values = [ids, platforms, kinds, externalIds, accountIds, authors, weeks, communities, sources];
  // Keys in STRING_FIELDS' order, as before: the same posts, the same bytes.
  const columns = {} as ChunkBody['columns'];
  STRING_FIELDS.forEach((f, k) => {
    columns[f] = encodeColumn(values[k]);
  });
  const body: ChunkBody = { columns, times, objects };
  // Level 1: the ids and objects repeat a lot; measured on german-elections-2021 (194k posts) ~5× smaller.
  return { _id: id, n: posts.length, data: new Binary(deflateRawSync(JSON.stringify(body), { level: 1 })) };
}

export function decodeChunk(doc: ChunkDoc, fetchedAt: Date): CoactionPost[] {
  const body = JSON.parse(inflateRawSync(doc.data.buffer).toString('utf8')) as ChunkBody;
  const col = (f: StringField) => decodeColumn(body.columns[f], doc.n);
  const [ids, platforms, kindsRaw, externalIds, accountIds, authors, weeks, communities, sources] = STRING_FIELDS.map(col);
  const kinds = kindsRaw as Post['kind'][];
  const out: CoactionPost[] = new Array(doc.n);
  for (let i = 0; i < doc.n; i++) {
    const o = body.objects[i];
    // One literal per shape (with objects or without), fields in STRING_FIELDS' order: no keyed stores per field.
    out[i] = o
      ? { _id: ids[i], platform: platforms[i], kind: kinds[i], externalId: externalIds[i], accountId: accountIds[i], author: authors[i], week: weeks[i], community: communities[i], source: sources[i], createdAt: new Date(body.times[i]), objects: o, fetchedAt }
      : { _id: ids[i], platform: platforms[i], kind: kinds[i], externalId: externalIds[i], accountId: accountIds[i], author: authors[i], week: weeks[i], community: communities[i], source: sources[i], createdAt: new Date(body.times[i]), fetchedAt };
  }
  return out;
}

/** Every stored co-action post, merged over the imports (see the header). */
export interface CoactionView {
  posts: readonly Post[];
  byId: ReadonlyMap<string, Post>;
  /** Each account's posts, newest first (ties by id). */
  byAccount: ReadonlyMap<string, readonly Post[]>;
  /** Finished imports read. */
  imports: number;
}

export class CoactionPosts {
  private readonly coll: Collection<CoactionDoc>;
  private readonly chunks: Repository<ChunkDoc>;
  private cache?: { manifests: ManifestDoc[]; view: CoactionView };

  constructor(coll: Collection<Document>, private readonly changes?: ChangeLog) {
    this.coll = coll as unknown as Collection<CoactionDoc>;
    this.chunks = new Repository<ChunkDoc>(coll as unknown as Collection<ChunkDoc>, { idLookup: 'each' });
  }

  /** Whether no import finished yet (one look-up). */
  async empty(): Promise<boolean> {
    return (await this.coll.findOne({ _id: manifestId(1) }, { projection: { _id: 1 } })) === null;
  }

  /** Whether an import of this content key finished. */
  async finished(key: string): Promise<boolean> {
    return (await this.manifests()).some((m) => m.key === key);
  }

  /**
   * Writes an import's posts as chunks (upserts: a re-run after a crash rewrites the same ids).
   * Nothing is read until `finish` records the import. Returns the chunk count.
   */
  async write(key: string, posts: readonly CoactionPost[]): Promise<number> {
    const parts = chunksOf(posts);
    // One chunk per command: a command of several large documents could pass the 48 MB message limit.
    // Each chunk is encoded while the previous one is being written, not all of them first: this
    // thread then never holds the event loop for long, and inserts under way beside it (the
    // import's accounts) keep being answered and sent.
    let writing: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < parts.length; i++) {
      const doc = encodeChunk(chunkId(key, i), parts[i]);
      await writing;
      writing = this.chunks.upsertMany([doc]).then((r) => {
        if (r.rejected.length) throw new Error(`coactions: the store refused chunk ${r.rejected[0].id}: ${r.rejected[0].reason}`);
      });
      writing.catch(() => {}); // awaited next round or below
    }
    await writing;
    return parts.length;
  }

  /** Records a finished import (after every chunk and whatever derives from it is written). */
  async finish(m: { key: string; source: string; chunks: number; posts: number; at: Date }): Promise<void> {
    let seq = (await this.manifests()).length + 1;
    for (;;) {
      try {
        await this.coll.insertOne({ _id: manifestId(seq), seq, ...m });
        break;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        seq++;
      }
    }
    // Readers of posts (the API's in-memory view) reload: the import may name 100k posts. So do
    // readers of accounts: the import's accounts are derived from its posts (derived-accounts.ts),
    // without a document, and so without a write the change log would name.
    await this.changes?.append('posts', null);
    await this.changes?.append('accounts', null);
  }

  /** Every finished import's posts, merged; read again only when an import finished since. */
  async view(): Promise<CoactionView> {
    // Asked on every read of accounts too (derived-accounts.ts: a crawl's every page): an up-to-date
    // view costs two look-ups, not the chain's.
    if (this.cache && (await this.current(this.cache.manifests))) return this.cache.view;
    const manifests = await this.manifests();
    const same = (a: ManifestDoc[], b: ManifestDoc[]) => a.length === b.length && a.every((m, i) => m.key === b[i].key && m.at.getTime() === b[i].at.getTime());
    if (this.cache && same(this.cache.manifests, manifests)) return this.cache.view;
    const posts: Post[] = [];
    // Built when a second import needs merging, or on first use: the first import's posts are distinct already.
    let byId: Map<string, Post> | undefined;
    const index = () => {
      if (!byId) {
        byId = new Map();
        for (const p of posts) byId.set(p._id, p);
      }
      return byId;
    };
    const keys = new Set<string>();
    for (const m of manifests) {
      if (keys.has(m.key)) continue; // the same file finished twice by concurrent runs
      keys.add(m.key);
      const merging = keys.size > 1;
      const ids = Array.from({ length: m.chunks }, (_, i) => chunkId(m.key, i));
      const read = (i: number) => {
        const p = this.chunks.getMany(ids.slice(i, i + READ_AHEAD));
        p.catch(() => {}); // awaited below
        return p;
      };
      // The next chunks are read while these are decoded.
      let next = ids.length > 0 ? read(0) : undefined;
      for (let i = 0; i < ids.length; i += READ_AHEAD) {
        const docs = await (next as Promise<ChunkDoc[]>);
        next = i + READ_AHEAD < ids.length ? read(i + READ_AHEAD) : undefined;
        if (docs.length < Math.min(READ_AHEAD, ids.length - i)) throw new Error(`coactions: import ${m._id} (${m.source}) lacks chunks; re-run the import`);
        for (const d of docs) {
          const decoded = decodeChunk(d, m.at) as Post[];
          if (!merging) {
            for (const p of decoded) posts.push(p);
            continue;
          }
          const byIdNow = index();
          for (const p of decoded) {
            const old = byIdNow.get(p._id);
            if (!old) {
              byIdNow.set(p._id, p);
              posts.push(p);
            } else {
              // Stored as its merged whole: the union keeps objects an earlier import had.
              const union = [...new Set([...(old.objects ?? []), ...(p.objects ?? [])])].sort();
              if (union.length > 0) old.objects = union;
              old.fetchedAt = p.fetchedAt;
            }
          }
        }
      }
    }
    let byAccount: Map<string, Post[]> | undefined;
    const view: CoactionView = {
      posts,
      get byId() {
        return index();
      },
      imports: keys.size,
      // Built on first use: detect never needs it.
      get byAccount() {
        if (!byAccount) {
          byAccount = new Map();
          for (const p of posts) {
            const list = byAccount.get(p.accountId);
            if (list) list.push(p);
            else byAccount.set(p.accountId, [p]);
          }
          for (const list of byAccount.values()) list.sort(newestFirst);
        }
        return byAccount;
      },
    };
    this.cache = { manifests, view };
    return view;
  }

  /** Co-action posts by id, in the order asked; ids that are not co-action posts are left out. */
  async getMany(ids: readonly string[]): Promise<Post[]> {
    if (ids.length === 0) return [];
    const { byId } = await this.view();
    return ids.map((id) => byId.get(id)).filter((p): p is Post => p !== undefined);
  }

  /**
   * Whether the chain still ends at `known`'s last entry: the chain is insert-only, so nothing after
   * it and that entry unchanged (not a dropped and refilled store) means nothing changed.
   */
  private async current(known: ManifestDoc[]): Promise<boolean> {
    const n = known.length;
    const [next, last] = await Promise.all([
      this.coll.findOne({ _id: manifestId(n + 1) }, { projection: { _id: 1 } }),
      n > 0 ? (this.coll.findOne({ _id: manifestId(n) }) as Promise<ManifestDoc | null>) : Promise.resolve(null),
    ]);
    if (next !== null) return false;
    return n === 0 || (last !== null && last.key === known[n - 1].key && last.at.getTime() === known[n - 1].at.getTime());
  }

  /** The chain of finished imports, in order (read by `_id` up to the first missing seq; a few documents). */
  private async manifests(): Promise<ManifestDoc[]> {
    const out: ManifestDoc[] = [];
    for (let seq = 1; ; seq += READ_AHEAD) {
      const batch = (await Promise.all(Array.from({ length: READ_AHEAD }, (_, k) => this.coll.findOne({ _id: manifestId(seq + k) })))) as (ManifestDoc | null)[];
      const end = batch.indexOf(null);
      for (const m of end < 0 ? batch : batch.slice(0, end)) out.push(m as ManifestDoc);
      if (end >= 0) break;
    }
    return out;
  }
}
