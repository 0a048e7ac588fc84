// Account suspicion scores, one collection per detect run (issue 13). On the embedded
// FerretDB an update costs ~1–3 ms and deadlocks in bulks of ~100, so writing every
// account's score as an update was the largest part of a large detect run (yelpnyc: 509 of
// 866 s); an insertMany into a fresh collection is one SQLite transaction per 1,000.
//
// A run writes `scores_<run>_<nonce>` and then flips the pointer in the `meta` document
// `scores` to it; readers read the collection the pointer names. The collection holds the
// scores packed, ROWS_PER_CHUNK accounts per document `c:<k>` in the order of the run's id
// lists (below): a document costs the embedded store the same ~60–80 µs whether it holds one
// score or a thousand (58,314 score documents of german-elections-2021: ≈ 4.5 s of inserts,
// compressing their detail did not shorten it). Runs written before hold one document per
// account (`_id` = account id; `packed` unset) and are read as such. So:
// - a half-written run is never read: the pointer moves only after every insert;
// - a re-run after a crash writes a new collection and converges to the uninterrupted result;
// - an account the run did not score (outside its window) keeps its previous score: the
//   run copies the previous run's documents for those accounts before the flip, so the
//   latest collection always holds every account's latest score (`runId` names the run
//   that computed it, as `Account.suspicion.runId` did). Which accounts those are it learns
//   from the previous run's id lists (a few `meta` documents), so a run that scores every
//   account reads nothing of the previous run;
// - old runs are dropped after KEEP newer ones; a run registers itself in `meta` before
//   it creates its collection, so a `scores_*` collection `meta` does not list is debris
//   of a crash and is dropped too, and so is a registered run whose process is gone.
//
// The indicators and evidence posts are stored as one JSON string (`detail`): FerretDB
// stores a type schema per array element, and a score read (evaluate, lists) needs none
// of it; in a packed chunk the summaries (score, ring, run, time) and the details are two
// deflated binaries of JSON, so lists read the summaries without inflating any detail. The
// details of a chunk are one JSON array of objects (`details`), written by one stringify and
// deflated on the thread pool while the previous chunk is inserted: german-elections-2021's
// 58k scores are 37 MB of it, and a JSON string per score inside (`detail`, chunks written
// before, still read) was escaped twice.
// Stores from before this module kept the score in `Account.suspicion`; until
// their first run writes a scores collection (which carries those scores over), readers
// take an account's own `suspicion` where the latest run has none.
import { promisify } from 'node:util';
import { deflateRaw, inflateRawSync } from 'node:zlib';
import { Binary, type Collection, type Db } from 'mongodb';
import type { ChangeLog } from './changes';
import { localProcessGone } from './claims';
import { Repository } from './repository';
import { whyUnstorable } from './validate';
import type { Account, AccountSuspicion, Run } from './types';

export const META_COLLECTION = 'meta';
export const SCORES_PREFIX = 'scores_';
const META_ID = 'scores';
/** Complete runs kept besides the latest (a reader still streaming an older one finishes it). */
const KEEP = 3;
/** A registered run with no `runs` record (direct writeDetection calls) counts as gone after this long. */
const ORPHAN_MS = 6 * 3600_000;
/**
 * Account ids per `meta` id-list document. The next run learns from these few documents which
 * accounts it must carry over, instead of scanning the whole previous run (yelpnyc: 160k scores).
 */
const IDS_PER_DOC = 20_000;
const idsDocId = (collection: string, k: number) => `ids:${collection}:${k}`;

/** One account's score as stored. */
export interface StoredScore {
  /** accounts._id */
  _id: string;
  score: number;
  ringId?: string;
  /** The run that computed it (a carried-over score keeps its run). */
  runId: string;
  detectedAt: Date;
  /** The indicators and evidence posts, or their JSON (runs stored one document per account). */
  detail: string | ScoreDetail;
}

type ScoreDetail = Pick<AccountSuspicion, 'indicators' | 'evidencePosts'>;

interface RunEntry {
  runId: string;
  collection: string;
  startedAt: Date;
  complete: boolean;
  accounts?: number;
  /** Chunk documents of a packed run (`c:0` …); unset: one document per account. */
  packed?: number;
  /** `meta` documents `ids:<collection>:<k>` listing the run's account ids (IDS_PER_DOC each). */
  idChunks?: number;
}

export interface ScoresMeta {
  _id: string;
  /** The store held accounts before scores collections existed: their `suspicion` is carried over once. */
  legacy: boolean;
  latest: RunEntry | null;
  runs: RunEntry[];
}

export interface ScoreRow {
  accountId: string;
  suspicion: AccountSuspicion;
}

/** A score without its indicators and evidence posts (`detail: false` reads). */
export type ScoreSummary = Pick<AccountSuspicion, 'score' | 'ringId' | 'runId' | 'detectedAt'>;

function toStored(accountId: string, s: AccountSuspicion): StoredScore {
  return {
    _id: accountId,
    score: s.score,
    ...(s.ringId ? { ringId: s.ringId } : {}),
    runId: s.runId,
    detectedAt: s.detectedAt,
    // Made JSON when its chunk is written (scoreChunkJson), all the chunk's at once.
    detail: { indicators: s.indicators ?? [], evidencePosts: s.evidencePosts ?? [] },
  };
}

function fromStored(d: StoredScore): AccountSuspicion {
  const { indicators, evidencePosts } = typeof d.detail === 'string' ? (JSON.parse(d.detail) as ScoreDetail) : d.detail;
  return { score: d.score, ...(d.ringId ? { ringId: d.ringId } : {}), indicators, evidencePosts, detectedAt: d.detectedAt, runId: d.runId };
}

/** Accounts per chunk document of a packed run (every chunk but the last is full). */
const ROWS_PER_CHUNK = 1000;

/** A packed run's chunk: the summaries and the details as two deflated binaries. */
interface ScoreChunk {
  _id: string;
  n: number;
  /**
   * JSON of [accountId, score, ringId or 0, runId, detectedAt epoch ms][], deflated. Chunks
   * written before held it as a string, which FerretDB re-escapes into its own JSON (every
   * quote: 4 MB of them for german-elections-2021's 58k scores); both are read.
   */
  summary: Binary | string;
  /** deflate of the JSON array of the rows' details ({ indicators, evidencePosts }). */
  details?: Binary;
  /** Chunks written before `details`: deflate of the JSON array of each row's detail as a JSON string. */
  detail?: Binary;
}

/** Projection reading a chunk without its details. */
const NO_DETAIL = { detail: 0, details: 0 } as const;

const chunkId = (k: number) => `c:${k}`;

const deflateAsync = promisify(deflateRaw);
const inflate = (b: Binary) => inflateRawSync(b.buffer).toString('utf8');

/** A chunk's two JSON texts (deflated by the caller). */
function scoreChunkJson(rows: readonly StoredScore[]): { summary: string; details: string } {
  const summary = rows.map((r) => [r._id, r.score, r.ringId ?? 0, r.runId, r.detectedAt.getTime()]);
  // A detail read from a run stored per account (carried over) is its JSON: parsed back, so every row is an object.
  const details = rows.map((r) => (typeof r.detail === 'string' ? (JSON.parse(r.detail) as ScoreDetail) : r.detail));
  return { summary: JSON.stringify(summary), details: JSON.stringify(details) };
}

/** The chunk's rows; `detail` is '' when the chunk was read without it. */
function decodeScoreChunk(c: ScoreChunk): StoredScore[] {
  const details: (string | ScoreDetail)[] | null = c.details ? JSON.parse(inflate(c.details)) : c.detail ? JSON.parse(inflate(c.detail)) : null;
  return (JSON.parse(typeof c.summary === 'string' ? c.summary : inflate(c.summary)) as [string, number, string | 0, string, number][]).map(([id, score, ringId, runId, at], i) => ({
    _id: id,
    score,
    ...(ringId ? { ringId } : {}),
    runId,
    detectedAt: new Date(at),
    detail: details ? details[i] : '',
  }));
}

function collectionName(runId: string): string {
  const nonce = Math.random().toString(36).slice(2, 8);
  return `${SCORES_PREFIX}${runId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120)}_${nonce}`;
}

/** What `write` did. */
export interface ScoresWritten {
  written: number;
  /** Scores of accounts this run did not score, copied from the previous run. */
  carried: number;
  collection: string;
}

/** A run's scores being written: `add` any number of times, then `commit`; never read before. */
export interface ScoresDraft {
  readonly runId: string;
  readonly collection: string;
  add(rows: readonly ScoreRow[]): Promise<void>;
  /** Copies the previous scores of accounts not added, flips the pointer, prunes old runs. */
  commit(): Promise<ScoresWritten>;
}

/**
 * Writes a run's rows as full chunks of ROWS_PER_CHUNK as they come (so a kill leaves whole
 * chunks), the last one at `close`. Remembers the ids in order: the run's id lists.
 */
class ChunkWriter {
  readonly ids: string[] = [];
  private readonly seen = new Set<string>();
  private pending: StoredScore[] = [];
  private written = 0;
  /** The chunk being inserted: the next one is encoded meanwhile (the store works in its own process). */
  private inflight: Promise<unknown> = Promise.resolve();

  constructor(private readonly coll: Collection<ScoreChunk>) {}

  has(id: string): boolean {
    return this.seen.has(id);
  }

  async add(rows: readonly StoredScore[]): Promise<void> {
    for (const r of rows) {
      this.seen.add(r._id);
      this.ids.push(r._id);
      this.pending.push(r);
    }
    let from = 0;
    for (; this.pending.length - from >= ROWS_PER_CHUNK; from += ROWS_PER_CHUNK) await this.flush(this.pending.slice(from, from + ROWS_PER_CHUNK));
    if (from > 0) this.pending = this.pending.slice(from);
  }

  /** Writes the last chunk and waits for every insert; returns the chunk count. */
  async close(): Promise<number> {
    if (this.pending.length > 0) await this.flush(this.pending.splice(0));
    await this.inflight;
    return this.written;
  }

  /**
   * Encodes a chunk and hands it on: deflated on the thread pool, inserted once the previous
   * chunk is (chunks are written in order, one at a time). Returns when the previous chunk is
   * stored, so at most two are on their way while the caller goes on.
   */
  private async flush(rows: StoredScore[]): Promise<void> {
    // The detail is JSON inside a binary, storable whatever it holds: the summary fields are what the store sees.
    const reason = rows.map((r) => whyUnstorable({ _id: r._id, score: r.score, ringId: r.ringId, runId: r.runId, detectedAt: r.detectedAt })).find((x) => x);
    if (reason) throw new Error(`scores: a score cannot be stored: ${reason}`);
    const k = this.written++;
    const n = rows.length;
    const json = scoreChunkJson(rows);
    const compressed = Promise.all([deflateAsync(json.summary, { level: 1 }), deflateAsync(json.details, { level: 1 })]);
    const previous = this.inflight;
    this.inflight = (async () => {
      const [summary, details] = await compressed;
      await previous;
      await this.coll.insertOne({ _id: chunkId(k), n, summary: new Binary(summary), details: new Binary(details) });
    })();
    // Awaited by the next flush or by close; a failure surfaces there.
    this.inflight.catch(() => {});
    await previous;
  }
}

export class Scores {
  private readonly meta: Repository<ScoresMeta>;
  private readonly positionCache = new Map<string, Map<string, number>>();

  constructor(
    private readonly db: Db,
    private readonly opts: {
      idLookup: 'in' | 'each';
      metaRepo: Repository<ScoresMeta>;
      runs: Repository<Run>;
      accounts: Repository<Account>;
      changes: ChangeLog;
    },
  ) {
    this.meta = opts.metaRepo;
  }

  /** Creates the pointer document when missing; `legacy` when accounts were stored before it. */
  async initialise(legacy: boolean): Promise<void> {
    if (await this.meta.get(META_ID)) return;
    try {
      await this.meta.insertOne({ _id: META_ID, legacy, latest: null, runs: [] });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  private repo(collection: string): Repository<StoredScore> {
    return new Repository<StoredScore>(this.db.collection<StoredScore>(collection), { idLookup: this.opts.idLookup });
  }

  private async pointer(): Promise<ScoresMeta> {
    return (await this.meta.get(META_ID)) ?? { _id: META_ID, legacy: false, latest: null, runs: [] };
  }

  /** The run whose scores readers see (null before the first run), and whether legacy account scores stand in. */
  async latest(): Promise<{ run: RunEntry | null; legacy: boolean }> {
    const m = await this.pointer();
    return { run: m.latest, legacy: m.legacy };
  }

  /** Starts writing a run's scores (registered in `meta` first, so a crash leaves nothing unlisted). */
  async begin(runId: string): Promise<ScoresDraft> {
    await this.initialise(false);
    const entry: RunEntry = { runId, collection: collectionName(runId), startedAt: new Date(), complete: false };
    await this.meta.update(META_ID, (m) => ({ set: { runs: [...m.runs, entry] } }));
    await this.db.createCollection(entry.collection);
    const writer = new ChunkWriter(this.db.collection<ScoreChunk>(entry.collection));
    return {
      runId,
      collection: entry.collection,
      add: async (rows) => {
        for (const r of rows) if (writer.has(r.accountId)) throw new Error(`scores: ${r.accountId} added twice to run ${runId}`);
        await writer.add(rows.map((r) => toStored(r.accountId, r.suspicion)));
      },
      commit: () => this.commit(entry, writer),
    };
  }

  /** Writes one run's scores and makes them the latest (begin, add, commit). */
  async write(runId: string, rows: readonly ScoreRow[]): Promise<ScoresWritten> {
    const draft = await this.begin(runId);
    await draft.add(rows);
    return draft.commit();
  }

  private async commit(entry: RunEntry, writer: ChunkWriter): Promise<ScoresWritten> {
    const added = new Set(writer.ids);
    const carried = await this.carryOver(writer, added);
    const chunks = await writer.close();
    // The id lists in the chunks' order: position p is in chunk ⌊p / ROWS_PER_CHUNK⌋.
    const all = writer.ids;
    const idDocs = [];
    // Deflated JSON, as the chunks: a JSON string of 20k quoted ids is re-escaped by FerretDB.
    for (let k = 0; k * IDS_PER_DOC < all.length; k++) {
      idDocs.push({ _id: idsDocId(entry.collection, k), ids: new Binary(await deflateAsync(JSON.stringify(all.slice(k * IDS_PER_DOC, (k + 1) * IDS_PER_DOC)), { level: 1 })) });
    }
    for (const d of idDocs) await this.metaDocs.replaceOne({ _id: d._id }, d, { upsert: true });
    const done: RunEntry = { ...entry, complete: true, accounts: all.length, idChunks: idDocs.length, packed: chunks };
    const gone = await this.goneRuns(entry.runId);
    let dropped: RunEntry[] = [];
    await this.meta.update(META_ID, (m) => {
      const others = m.runs.filter((r) => r.collection !== entry.collection);
      const complete = others.filter((r) => r.complete).sort((a, b) => +new Date(b.startedAt) - +new Date(a.startedAt));
      const keep = new Set([
        ...complete.slice(0, KEEP).map((r) => r.collection),
        ...others.filter((r) => !r.complete && !gone.has(r.runId)).map((r) => r.collection),
      ]);
      dropped = others.filter((r) => !keep.has(r.collection));
      return { set: { latest: done, runs: [...others.filter((r) => keep.has(r.collection)), done] } };
    });
    // Readers mirroring accounts (the API's live views) re-read the accounts this run scored.
    await this.opts.changes.append('accounts', [...added]);
    for (const r of dropped) await this.drop(r.collection, r.idChunks);
    await this.dropUnlisted();
    return { written: added.size, carried, collection: entry.collection };
  }

  /** A complete run's stored rows: those of `ids` (in no particular order), or all; without details if asked. */
  private async rowsOf(run: RunEntry, ids: readonly string[] | null, withDetail = true): Promise<StoredScore[]> {
    if (run.packed === undefined) {
      const repo = this.repo(run.collection);
      const projection = withDetail ? undefined : { detail: 0 as const };
      if (ids) return repo.getMany(ids, { collectionSize: run.accounts, projection });
      const out: StoredScore[] = [];
      for await (const d of repo.stream({}, { projection })) out.push(d);
      return out;
    }
    let wanted: Set<number>;
    let keep: Set<string> | null = null;
    const all = Array.from({ length: run.packed }, (_, k) => k);
    if (!ids || ids.length * ROWS_PER_CHUNK > (run.accounts ?? 0)) {
      // Most chunks would hold one of the ids anyway: read them all.
      wanted = new Set(all);
      if (ids) keep = new Set(ids);
    } else {
      const at = await this.positions(run);
      wanted = new Set();
      for (const id of ids) {
        const p = at.get(id);
        if (p !== undefined) wanted.add(Math.floor(p / ROWS_PER_CHUNK));
      }
      keep = new Set(ids);
    }
    const repo = new Repository<ScoreChunk>(this.db.collection<ScoreChunk>(run.collection), { idLookup: this.opts.idLookup });
    const out: StoredScore[] = [];
    const list = [...wanted].sort((a, b) => a - b).map(chunkId);
    for (let i = 0; i < list.length; i += 16) {
      for (const c of await repo.getMany(list.slice(i, i + 16), withDetail ? {} : { projection: NO_DETAIL })) {
        for (const r of decodeScoreChunk(c)) if (!keep || keep.has(r._id)) out.push(r);
      }
    }
    return out;
  }

  /** Each account's position in a packed run (from its id lists), kept for the runs read last. */
  private async positions(run: RunEntry): Promise<Map<string, number>> {
    const cached = this.positionCache.get(run.collection);
    if (cached) return cached;
    const ids = (await this.runIds(run)) ?? [];
    const at = new Map(ids.map((id, i) => [id, i]));
    if (this.positionCache.size >= 2) this.positionCache.clear();
    this.positionCache.set(run.collection, at);
    return at;
  }

  /** The account ids a complete run scored (from its id lists), or null for runs written without them. */
  private async runIds(run: RunEntry): Promise<string[] | null> {
    if (run.idChunks === undefined) return null;
    const out: string[] = [];
    for (let k = 0; k < run.idChunks; k++) {
      // A JSON string in runs written before the lists were deflated.
      const d = (await this.metaDocs.findOne({ _id: idsDocId(run.collection, k) })) as { ids?: string | Binary } | null;
      if (!d?.ids) return null;
      for (const id of JSON.parse(typeof d.ids === 'string' ? d.ids : inflate(d.ids)) as string[]) out.push(id);
    }
    return out;
  }

  private get metaDocs() {
    return this.db.collection<{ _id: string }>(META_COLLECTION);
  }

  /** Copies the latest scores of accounts the new run did not score (legacy stores: from the accounts); returns how many. */
  private async carryOver(writer: ChunkWriter, added: Set<string>): Promise<number> {
    const { run, legacy } = await this.latest();
    let carried = 0;
    const take = async (rows: StoredScore[]) => {
      const fresh = rows.filter((r) => !added.has(r._id) && !writer.has(r._id));
      await writer.add(fresh);
      carried += fresh.length;
    };
    const known = run && (await this.runIds(run));
    if (run && known) {
      // Only the accounts this run left out are read: by id, or every chunk when they are many.
      const missing = known.filter((id) => !added.has(id));
      for (let i = 0; i < missing.length; i += 10 * IDS_PER_DOC) await take(await this.rowsOf(run, missing.slice(i, i + 10 * IDS_PER_DOC)));
    } else if (run) {
      await take(await this.rowsOf(run, null));
    } else if (legacy) {
      let batch: StoredScore[] = [];
      for await (const a of this.opts.accounts.stream({ suspicion: { $exists: true } }, { projection: { _id: 1, suspicion: 1 } })) {
        if (added.has(a._id) || !a.suspicion) continue;
        batch.push(toStored(a._id, a.suspicion));
        if (batch.length >= 1000) {
          await take(batch);
          batch = [];
        }
      }
      await take(batch);
    }
    return carried;
  }

  /** Runs registered but unfinished whose process is gone (its run record ended, or its pid on this host is dead). */
  private async goneRuns(self: string): Promise<Set<string>> {
    const gone = new Set<string>();
    for (const r of (await this.pointer()).runs) {
      if (r.complete || r.runId === self) continue;
      const run = await this.opts.runs.get(r.runId, { projection: { _id: 1, status: 1, host: 1, pid: 1 } });
      const over = run ? run.status !== 'running' || localProcessGone(run.host, run.pid) : Date.now() - +new Date(r.startedAt) > ORPHAN_MS;
      if (over) gone.add(r.runId);
    }
    return gone;
  }

  private async drop(collection: string, idChunks = 0): Promise<void> {
    await this.db
      .collection(collection)
      .drop()
      .catch(() => {});
    for (let k = 0; k < idChunks; k++) await this.metaDocs.deleteOne({ _id: idsDocId(collection, k) });
  }

  /** Drops `scores_*` collections `meta` does not list (listed first, then `meta` read: a run registers before it creates). */
  private async dropUnlisted(): Promise<void> {
    const names = (await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => n.startsWith(SCORES_PREFIX));
    const listed = new Set((await this.pointer()).runs.map((r) => r.collection));
    for (const n of names) if (!listed.has(n)) await this.drop(n);
    // Id lists of collections gone (a crash between a drop and its lists' removal); `meta` is a few documents.
    for (const d of await this.metaDocs.find({}, { projection: { _id: 1 } }).toArray()) {
      const m = /^ids:(.+):\d+$/.exec(d._id);
      if (m && !listed.has(m[1])) await this.metaDocs.deleteOne({ _id: d._id });
    }
  }

  /** Every latest score, with indicators and evidence posts. */
  async *stream(): AsyncIterable<ScoreRow> {
    const { run, legacy } = await this.latest();
    if (run) {
      for (const d of await this.rowsOf(run, null)) yield { accountId: d._id, suspicion: fromStored(d) };
    } else if (legacy) {
      for await (const a of this.legacyScored()) yield a;
    }
  }

  /** Every latest score without indicators and evidence (lists, counts, models: no JSON to parse). */
  async *summaries(): AsyncIterable<ScoreSummary & { accountId: string }> {
    const { run, legacy } = await this.latest();
    if (run) {
      for (const d of await this.rowsOf(run, null, false)) yield { accountId: d._id, ...summaryOf(d) };
    } else if (legacy) {
      for await (const a of this.legacyScored()) yield { accountId: a.accountId, ...summaryOf(a.suspicion) };
    }
  }

  private async *legacyScored(): AsyncIterable<ScoreRow> {
    for await (const a of this.opts.accounts.stream({ suspicion: { $exists: true } }, { projection: { _id: 1, suspicion: 1 } })) {
      if (a.suspicion) yield { accountId: a._id, suspicion: a.suspicion };
    }
  }

  /** The latest scores of these accounts (missing ones left out). */
  async getMany(ids: readonly string[]): Promise<Map<string, AccountSuspicion>> {
    const out = new Map<string, AccountSuspicion>();
    const { run, legacy } = await this.latest();
    if (run) {
      const rows = new Map((await this.rowsOf(run, ids)).map((d) => [d._id, d]));
      // In the order asked, as before.
      for (const id of ids) {
        const d = rows.get(id);
        if (d) out.set(id, fromStored(d));
      }
    } else if (legacy) {
      for (const a of await this.opts.accounts.getMany(ids, { projection: { _id: 1, suspicion: 1 } })) if (a.suspicion) out.set(a._id, a.suspicion);
    }
    return out;
  }

  async get(accountId: string): Promise<AccountSuspicion | undefined> {
    return (await this.getMany([accountId])).get(accountId);
  }

  /**
   * The accounts with `suspicion` set to their latest score. An account's own stored
   * `suspicion` (stores from before scores collections) stands where the latest run has none.
   */
  async attach<A extends Pick<Account, '_id' | 'suspicion'>>(accounts: A[]): Promise<A[]> {
    if (accounts.length === 0 || !(await this.latest()).run) return accounts;
    const scores = await this.getMany(accounts.map((a) => a._id));
    for (const a of accounts) {
      const s = scores.get(a._id);
      if (s) a.suspicion = s;
    }
    return accounts;
  }
}

function summaryOf(d: Pick<StoredScore, 'score' | 'ringId' | 'runId' | 'detectedAt'>): ScoreSummary {
  return { score: d.score, ...(d.ringId ? { ringId: d.ringId } : {}), runId: d.runId, detectedAt: d.detectedAt };
}
