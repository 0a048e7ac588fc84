// The one door to the database: connects (starting the embedded FerretDB when no
// MONGODB_URI is set), creates collections and indexes, hands out repositories.
import { type Db, MongoClient } from 'mongodb';
import { type EmbeddedStore, readStoreInfo, startEmbedded } from './embedded';
import { CHANGES_COLLECTION, ChangeLog } from './changes';
import { COACTIONS_COLLECTION, CoactionPosts } from './coactions';
import { POST_INDEX_COLLECTION, PostTimeIndex } from './post-index';
import { PostWindow } from './post-window';
import { CLAIMS_COLLECTION, type ClaimDoc, Claims } from './claims';
import { Accounts } from './derived-accounts';
import { decodePost, encodePost } from './post-codec';
import { Repository, type RepositoryOptions } from './repository';
import { SeenPosts } from './seen-posts';
import { META_COLLECTION, Scores, type ScoresMeta } from './scores';
import type {
  Account,
  ApiKey,
  AuditEntry,
  CrawlState,
  Escalation,
  ModelRecord,
  Order,
  Post,
  Product,
  Ring,
  RingVersion,
  Run,
} from './types';

export type { ChangeLog, ChangesSince } from './changes';
export type { StoreFilter, WriteSummary, SetUpdate, FindOptions } from './repository';
export type { PostSnapshot, PostSpan } from './post-window';
export type { CoactionPost, CoactionPosts, CoactionView } from './coactions';
export type { Accounts } from './derived-accounts';
export type { ScoreRow, ScoresDraft, ScoreSummary } from './scores';
export { Scores } from './scores';
export { Repository, revisionOf } from './repository';
export type { Change, UpdateResult } from './repository';
export { localProcessGone, StoreConflict } from './claims';

export interface Store {
  /** Posts stored one per document (crawls, reviews). Co-action posts are in `coactions`; read posts by id with `postsById`. */
  posts: Repository<Post>;
  /** Co-action posts, stored packed (storage/coactions.ts). */
  coactions: CoactionPosts;
  /** Posts by id from either store (posts first, then co-action posts), in the order asked; missing ids left out. */
  postsById(ids: readonly string[], opts?: { projection?: Record<string, 0 | 1> }): Promise<Post[]>;
  /** Posts by time: the stored span and one window's posts, without a sort or full scan. */
  postWindow: PostWindow;
  /** A crawl run's memory of what the store holds of the posts it met: remembers on FerretDB only (storage/seen-posts.ts). */
  seenPosts(): SeenPosts;
  /**
   * Stored account documents and the accounts derived from the stored co-action posts
   * (storage/derived-accounts.ts): a co-action import writes no account documents.
   */
  accounts: Accounts;
  /** Account suspicion scores of the latest detect run (storage/scores.ts); read scores only through this. */
  scores: Scores;
  products: Repository<Product>;
  crawlState: Repository<CrawlState>;
  runs: Repository<Run>;
  rings: Repository<Ring>;
  ringVersions: Repository<RingVersion>;
  escalations: Repository<Escalation>;
  orders: Repository<Order>;
  models: Repository<ModelRecord>;
  apiKeys: Repository<ApiKey>;
  audit: Repository<AuditEntry>;
  /** What changed in the logged collections (LOGGED_COLLECTIONS), for in-memory readers. */
  changes: ChangeLog;
  /** Revision claims behind Repository.update (storage/claims.ts). */
  claims: Claims;
  /** Where we are connected, without credentials. */
  describe(): StoreDescription;
  /**
   * What another thread of this process needs to open the same store (`openStore(config,
   * connection)`): the URI with its credentials — never log it or send it out of the process.
   */
  connection(): { uri: string; database: string };
  ping(): Promise<boolean>;
  /** Drops this database; recreates the empty collections unless `recreate` is false. */
  dropAll(opts?: { recreate?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface StoreDescription {
  /** Connection string without credentials. */
  uri: string;
  database: string;
  embedded: boolean;
  pid?: number;
  /** The server is FerretDB (its query planner differs: see Repository idLookup). */
  ferretdb: boolean;
}

export const COLLECTIONS = {
  posts: 'posts',
  accounts: 'accounts',
  products: 'products',
  crawlState: 'crawl_state',
  runs: 'runs',
  rings: 'rings',
  ringVersions: 'ring_versions',
  escalations: 'escalations',
  orders: 'orders',
  models: 'models',
  apiKeys: 'api_keys',
  audit: 'audit',
} as const;

/** Collections whose writes are recorded in the change log (read through the API server's in-memory views). */
export const LOGGED_COLLECTIONS = [COLLECTIONS.accounts, COLLECTIONS.posts, COLLECTIONS.apiKeys] as const;

/** Secondary indexes. FerretDB on SQLite only pushes down `_id` filters, but MongoDB uses these. */
const INDEXES: Record<string, { key: Record<string, 1 | -1>; unique?: boolean }[]> = {
  posts: [{ key: { createdAt: 1 } }, { key: { accountId: 1, createdAt: 1 } }, { key: { platform: 1, createdAt: -1 } }, { key: { product: 1 } }, { key: { 'enrichment.products.productId': 1 } }],
  accounts: [{ key: { platform: 1 } }],
  rings: [{ key: { status: 1 } }, { key: { score: -1 } }],
  escalations: [{ key: { customerId: 1 } }, { key: { week: 1, region: 1 } }],
  orders: [{ key: { week: 1, region: 1 } }],
  runs: [{ key: { job: 1, startedAt: -1 } }],
  audit: [{ key: { target: 1, at: 1 } }],
  [CLAIMS_COLLECTION]: [{ key: { at: 1 } }],
  [CHANGES_COLLECTION]: [{ key: { collection: 1, seq: 1 } }],
};

export interface OpenOptions {
  /** Use this server instead of config/env (tests). */
  uri?: string;
  /** Database name override (tests use one per suite). */
  database?: string;
}

/** The configuration the store reads (config/ sits above storage and hands it the whole loaded config). */
export interface StoreSettings {
  dataDir: string;
  database: string;
  secrets: { mongodbUri?: string };
}

export async function openStore(config: StoreSettings, opts: OpenOptions = {}): Promise<Store> {
  let embedded: EmbeddedStore | undefined;
  let uri = opts.uri ?? config.secrets.mongodbUri;
  let pid: number | undefined;
  if (!uri) {
    const running = readStoreInfo(config.dataDir);
    if (running) {
      uri = running.uri;
      pid = running.pid;
    } else {
      embedded = await startEmbedded({ dataDir: config.dataDir });
      uri = embedded.uri;
      pid = embedded.pid;
    }
  }
  const client = new MongoClient(uri, { ignoreUndefined: true, serverSelectionTimeoutMS: 10_000, appName: 'ringwatch' });
  try {
    await client.connect();
  } catch (err) {
    await embedded?.stop();
    throw new Error(`cannot connect to the store at ${redact(uri)}: ${(err as Error).message}. Check MONGODB_URI or run \`ringwatch store status\`.`);
  }
  const database = opts.database ?? config.database;
  const db = client.db(database);
  const buildInfo = await db.admin().command({ buildInfo: 1 });
  const ferretdb = typeof buildInfo.ferretdbVersion === 'string';
  const created = await ensureSchema(db, ferretdb);
  const store = makeStore(db, client, { uri: redact(uri), database, embedded: !opts.uri && !config.secrets.mongodbUri, pid, ferretdb }, { uri, database }, embedded);
  await store.postIndex?.initialise(store.posts, created.has(POST_INDEX_COLLECTION));
  // Accounts stored before the scores collections existed carry their scores in `suspicion`.
  await store.scores.initialise(created.has(META_COLLECTION) && !created.has(COLLECTIONS.accounts));
  return store;
}

/**
 * Creates missing collections and indexes; returns the names it created. On FerretDB only
 * unique indexes: it answers every other filter by a scan whatever the indexes (1.24 pushes
 * down `_id` equality alone), so a secondary index there is only kept up to date, on every
 * insert (58k accounts of german-elections-2021: ~10 % of their insert with `platform`'s).
 * Stores that have them keep them.
 */
async function ensureSchema(db: Db, ferretdb: boolean): Promise<Set<string>> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const created = new Set<string>();
  for (const name of [...Object.values(COLLECTIONS), CHANGES_COLLECTION, POST_INDEX_COLLECTION, CLAIMS_COLLECTION, META_COLLECTION, COACTIONS_COLLECTION]) {
    if (!existing.has(name)) {
      try {
        await db.createCollection(name);
        created.add(name);
      } catch (err) {
        // Another process may have created it between our list and create.
        if (!/already exists/i.test((err as Error).message)) throw err;
      }
    }
  }
  // One index per call: FerretDB 1.24 panics ("slice bounds out of range") on a
  // createIndexes listing several indexes that all exist already, i.e. on every re-open.
  for (const [name, specs] of Object.entries(INDEXES)) {
    for (const s of specs) if (s.unique || !ferretdb) await db.collection(name).createIndexes([{ key: s.key, unique: s.unique }]);
  }
  return created;
}

function makeStore(
  db: Db,
  client: MongoClient,
  info: StoreDescription,
  connection: { uri: string; database: string },
  embedded?: EmbeddedStore,
): Store & { postIndex?: PostTimeIndex } {
  const changes = new ChangeLog(db.collection(CHANGES_COLLECTION));
  const claims = new Claims(db.collection<ClaimDoc>(CLAIMS_COLLECTION));
  const repo = <T extends { _id: string }>(name: string, extra: Pick<RepositoryOptions<T>, 'afterWrite' | 'codec' | 'writeChunk'> = {}) =>
    new Repository<T>(db.collection<T>(name), {
      idLookup: info.ferretdb ? 'each' : 'in',
      countByStats: info.ferretdb,
      claims,
      changes: (LOGGED_COLLECTIONS as readonly string[]).includes(name) ? changes : undefined,
      ...extra,
    });
  const largeDocs = info.ferretdb ? 25 : undefined;
  let closed = false;
  // FerretDB cannot use a createdAt index; MongoDB can, and needs no time index of its own.
  const postIndex = info.ferretdb ? new PostTimeIndex(db.collection(POST_INDEX_COLLECTION)) : undefined;
  const posts = repo<Post>(COLLECTIONS.posts, {
    afterWrite: postIndex && ((docs) => postIndex.add(docs)),
    codec: { encode: encodePost, decode: decodePost },
  });
  const coactions = new CoactionPosts(db.collection(COACTIONS_COLLECTION), changes);
  const storedAccounts = repo<Account>(COLLECTIONS.accounts);
  const accounts = new Accounts(storedAccounts, coactions);
  const runs = repo<Run>(COLLECTIONS.runs);
  // Legacy scores (`suspicion`) live on stored documents only: derived accounts never carry one.
  const scores = new Scores(db, { idLookup: info.ferretdb ? 'each' : 'in', metaRepo: repo<ScoresMeta>(META_COLLECTION), runs, accounts: storedAccounts, changes });
  return {
    posts,
    postIndex,
    scores,
    coactions,
    async postsById(ids, opts = {}) {
      const found = await posts.getMany(ids, opts);
      if (found.length === ids.length) return found;
      const have = new Set(found.map((p) => p._id));
      const co = new Map((await coactions.getMany(ids.filter((id) => !have.has(id)))).map((p) => [p._id, p]));
      const byId = new Map(found.map((p) => [p._id, p]));
      return ids.map((id) => byId.get(id) ?? co.get(id)).filter((p): p is Post => p !== undefined);
    },
    postWindow: new PostWindow(posts, coactions, postIndex),
    seenPosts: () => new SeenPosts(info.ferretdb ? undefined : 0),
    accounts,
    products: repo<Product>(COLLECTIONS.products),
    crawlState: repo<CrawlState>(COLLECTIONS.crawlState),
    runs,
    // Rings carry their edges, indicators and evidence: 25 per command on FerretDB, where
    // commands of ~100 large updates stall (measured on account scores: 25 per command
    // 1,037/s, 50 per command 710/s).
    rings: repo<Ring>(COLLECTIONS.rings, { writeChunk: largeDocs }),
    ringVersions: repo<RingVersion>(COLLECTIONS.ringVersions, { writeChunk: largeDocs }),
    escalations: repo<Escalation>(COLLECTIONS.escalations),
    orders: repo<Order>(COLLECTIONS.orders),
    models: repo<ModelRecord>(COLLECTIONS.models),
    apiKeys: repo<ApiKey>(COLLECTIONS.apiKeys),
    audit: repo<AuditEntry>(COLLECTIONS.audit),
    changes,
    claims,
    describe: () => info,
    connection: () => ({ ...connection }),
    async ping() {
      try {
        await db.command({ ping: 1 });
        return true;
      } catch {
        return false;
      }
    },
    async dropAll({ recreate = true } = {}) {
      await db.dropDatabase();
      if (recreate) {
        await ensureSchema(db, info.ferretdb);
        await postIndex?.initialise(posts, true);
        await scores.initialise(false);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
      await embedded?.stop();
    },
  };
}

/** Hides credentials in a connection string for logs and messages. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, '//***@');
}
