// The documents ringwatch stores. Analysis code may import these types (and only
// types) from storage; everything else about the database stays in storage/.
//
// Ids are natural and stable so that every write is an idempotent upsert
// (DESIGN.md §3). Derived fields (week, region) are stored at write time because
// FerretDB 1.24 cannot compute them in aggregation.

/** "reddit" | "twitter" | "web" for crawled data; any lower-case word for imports. */
export type Platform = string;

/** "share": a post known only by the objects it shares (co-action imports). */
export type PostKind = 'submission' | 'comment' | 'tweet' | 'review' | 'share';

export interface Post {
  /** "reddit:t3_abc", "twitter:1790…", "web:<url-hash>", "import:<source>:<id>" */
  _id: string;
  platform: Platform;
  kind: PostKind;
  /** The id on the source platform (t3_abc, tweet id, review id). */
  externalId: string;
  /**
   * accounts._id of the author. A post whose author is gone (Reddit `[deleted]`) names no
   * account: "<platform>:[deleted]", under which no account is ever stored; such posts carry
   * `deleted: true` (their text is kept for analysts), so detection attributes them to nobody.
   */
  accountId: string;
  /** The author's handle as the platform shows it ("[deleted]" stays as is). */
  author: string;
  createdAt: Date;
  /** ISO week of createdAt, e.g. "2026-W47" (stored: FerretDB cannot derive it). */
  week: string;
  title?: string;
  text?: string;
  url?: string;
  /** Subreddit, review site domain, import source name. */
  community?: string;
  /** Product the source itself attributes the post to (review pages, imports). */
  product?: string;
  /** 1–5 where the source has ratings. */
  rating?: number;
  /** posts._id of the post this one replies to. */
  parentId?: string;
  /** accounts._id of the author replied to, when known. */
  replyToAccountId?: string;
  /** Outbound links found in the post by the source (not by NLP). */
  links?: string[];
  /**
   * Posts this one points at, as the platform says (X `referenced_tweets`): a retweet or
   * quote is a co-share of the original, a reply answers it. `postId` is posts._id form.
   */
  references?: PostReference[];
  /**
   * Objects the post shares, as "<kind>:<id>" ("tweet:1790…" for a retweet or quote of that
   * tweet, "url:…", "hashtag:…", "domain:…", "phash:…" from a co-action import). Accounts
   * sharing one object within the co-action window co-share it (CooRTweet's signal).
   */
  objects?: string[];
  score?: number;
  /** When the platform says the post was last edited (Reddit `edited`, X edit history). */
  editedAt?: Date;
  deleted?: boolean;
  /** Which crawler or import produced it, e.g. "reddit:r/gadgets/new". */
  source: string;
  fetchedAt: Date;
  /** Set by `ringwatch enrich`. */
  enrichment?: PostEnrichment;
}

export interface PostReference {
  type: 'retweeted' | 'quoted' | 'replied_to';
  postId: string;
}

export interface ProductMention {
  /** products._id when resolved to the catalogue, else a normalised candidate key. */
  productId: string;
  /** The text as written. */
  surface: string;
  candidate: boolean;
  /** Sentiment of the sentence that mentions it, -1..1. */
  sentiment?: number;
}

export interface PostEnrichment {
  /** Bumped when the enrichment code changes meaningfully; older ones are redone. */
  version: number;
  /** Hash of the text enriched; a changed post is re-enriched. */
  textHash: string;
  products: ProductMention[];
  /** Account references, normalised: "reddit:u/name", "twitter:@handle". */
  mentions: string[];
  orderIds: string[];
  urls: string[];
  /** Referral and coupon codes. */
  codes: string[];
  money: string[];
  people: string[];
  organisations: string[];
  /** Whole-post sentiment, -1..1. */
  sentiment: number;
  /**
   * MinHash signature of the text's shingles (int32); empty for no text. Stored as BSON
   * Binary (512 bytes for 128 hashes, storage/post-codec.ts) and read back as an Int32Array.
   */
  minhash: number[] | Int32Array;
  /**
   * The text is long enough for LSH band keys; the keys themselves derive from `minhash`
   * (analysis/nlp/minhash lshBandKey), so they are not stored.
   */
  lsh?: boolean;
  /** Band keys as the enricher returns them; stores from before `lsh` kept them. Not written any more. */
  lshBands?: string[];
  enrichedAt: Date;
}

export interface Account {
  /** "reddit:u/<name>", "twitter:<user id>", "web:<domain>:<reviewer>", "<platform>:<author>" */
  _id: string;
  platform: Platform;
  handle: string;
  displayName?: string;
  /** Platform-reported creation time, when known. */
  createdAt?: Date;
  karma?: number;
  followers?: number;
  following?: number;
  verified?: boolean;
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** Set by `ringwatch detect`. */
  suspicion?: AccountSuspicion;
}

export interface Indicator {
  /** Stable machine name, e.g. "rating_extremity". */
  name: string;
  /** Raw value in its own unit. */
  value: number;
  /** Normalised contribution 0–1. */
  score: number;
  /** One plain-language sentence a policy analyst can read aloud. */
  explanation: string;
}

export interface AccountSuspicion {
  score: number;
  ringId?: string;
  indicators: Indicator[];
  /** posts._id of the posts behind the strongest indicators. */
  evidencePosts: string[];
  detectedAt: Date;
  runId: string;
}

export interface Product {
  /** ASIN-like id "B0XXXXXXXX" when known, else a slug. */
  _id: string;
  name: string;
  brand?: string;
  category?: string;
  aliases: string[];
  /** True for products first seen as NLP candidates, not from a catalogue. */
  candidate?: boolean;
}

/**
 * A ring's review workflow, defined once: its statuses in order and where each may move
 * (staying is always allowed, for notes and the assignee). The API enforces it
 * (server/review.ts), the CLI and the API's schema list it, the dashboard reads it from
 * /labels.json.
 */
export const RING_STATUSES = ['new', 'in_review', 'confirmed', 'dismissed'] as const;
export type RingStatus = (typeof RING_STATUSES)[number];
export const RING_TRANSITIONS: Readonly<Record<RingStatus, readonly RingStatus[]>> = {
  new: ['in_review'],
  in_review: ['confirmed', 'dismissed', 'new'],
  confirmed: ['in_review'],
  dismissed: ['in_review'],
};

export interface RingEdgeEvidence {
  source: string;
  target: string;
  weight: number;
  /** Which co-actions make the edge: co_review, near_duplicate, shared_url, reply, mention, creation. */
  reasons: Record<string, number>;
  posts: string[];
}

export interface EscalationLink {
  caseId: string;
  /** handle, product, time, mention */
  reasons: { kind: string; detail: string; strength: number }[];
  strength: number;
}

export interface Ring {
  /** Stable across runs: derived from the sorted core members, so a re-run updates, not duplicates. */
  _id: string;
  members: string[];
  platforms: Platform[];
  products: string[];
  score: number;
  indicators: Indicator[];
  strongestEdges: RingEdgeEvidence[];
  evidencePosts: string[];
  firstPostAt: Date;
  lastPostAt: Date;
  links: EscalationLink[];
  /** Review workflow; owned by the policy team, never overwritten by detection. */
  status: RingStatus;
  statusReason?: string;
  assignee?: string;
  notes?: { at: Date; by: string; text: string }[];
  /** Optimistic concurrency for review edits. */
  version: number;
  detectedAt: Date;
  updatedAt: Date;
  runId: string;
  week: string;
  /**
   * A ring a reviewer confirmed or dismissed keeps the evidence that was reviewed; a later
   * detect run that scores it differently records a `RingVersion` and points to it here.
   */
  rescored?: { runId: string; at: Date; score: number; members: number; versionId: string };
}

/** What one detect run found for a reviewed ring (ring_versions; the ring itself is left as reviewed). */
export interface RingVersion {
  /** "<ringId>:<runId>" */
  _id: string;
  ringId: string;
  runId: string;
  at: Date;
  /** The ring's review status when the run found it. */
  statusAtRun: RingStatus;
  /** The window the run analysed. */
  window: { since: Date; until: Date };
  detected: Pick<Ring, 'members' | 'platforms' | 'products' | 'score' | 'indicators' | 'strongestEdges' | 'evidencePosts' | 'firstPostAt' | 'lastPostAt' | 'links' | 'week'>;
}

export interface Escalation {
  /** case_id */
  _id: string;
  openedAt: Date;
  week: string;
  region: string;
  channel: string;
  customerId: string;
  customerHandle?: string;
  orderId?: string;
  product?: string;
  category?: string;
  text?: string;
  refundAmount?: number;
  status?: string;
  resolvedAt?: Date;
  /** Label, when the source has one. */
  abusive?: boolean;
  source: string;
  importedAt: Date;
  /** Set by text analysis and `ringwatch model score`. */
  analysis?: {
    sentiment: number;
    threat: number;
    profanity: number;
    products: string[];
    orderIds: string[];
    handles: string[];
  };
  abuseScore?: number;
  abuseTopFeatures?: { feature: string; contribution: number }[];
  anomalyScore?: number;
  modelId?: string;
}

export interface Order {
  /** order_id */
  _id: string;
  region: string;
  orderedAt: Date;
  promisedAt?: Date;
  deliveredAt?: Date;
  deliveryAttempts?: number;
  firstAttemptSuccess?: boolean;
  /** ISO week of deliveredAt (or orderedAt when undelivered): FTDS is per delivery week. */
  week: string;
  customerId?: string;
  source: string;
  importedAt: Date;
}

export interface CrawlState {
  /** One per resumable unit, e.g. "reddit:r/gadgets:new", "twitter:search:<query>". */
  _id: string;
  source: string;
  after?: string | null;
  nextToken?: string | null;
  sinceId?: string | null;
  newestId?: string | null;
  lastCreatedAt?: Date | null;
  /** True once a full backfill pass finished; later runs are incremental. */
  backfillDone?: boolean;
  extra?: Record<string, string | number | boolean | null>;
  updatedAt: Date;
}

/** `stale`: the process running it died (markStaleRuns in jobs/runner.ts). */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'stale';

export interface Run {
  _id: string;
  job: string;
  params: Record<string, unknown>;
  status: RunStatus;
  trigger: 'cli' | 'schedule' | 'api' | 'worker' | 'demo';
  startedAt: Date;
  finishedAt?: Date;
  durationMs?: number;
  progress?: { done: number; total?: number; message?: string };
  stats: Record<string, number>;
  error?: string;
  /** Where it runs (host name and pid) and its last sign of life, to tell a dead run from a long one. */
  host?: string;
  pid?: number;
  heartbeatAt?: Date;
}

export interface ModelRecord {
  _id: string;
  kind: 'abuse-logistic';
  createdAt: Date;
  features: string[];
  /** Serialised model parameters (weights, scaler, calibration). */
  params: Record<string, unknown>;
  trainRange: { from: Date; to: Date };
  testRange: { from: Date; to: Date };
  metrics: Record<string, number>;
  calibration: { bin: number; predicted: number; observed: number; count: number }[];
}

export type Role = 'analyst' | 'policy' | 'admin';

export interface ApiKey {
  /** Key id (public part). */
  _id: string;
  /** scrypt hash of the secret part, with its salt. */
  hash: string;
  salt: string;
  role: Role;
  name: string;
  createdAt: Date;
  revokedAt?: Date;
  lastUsedAt?: Date;
}

export interface AuditEntry {
  _id: string;
  at: Date;
  /** Key id or "cli:<user>". */
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}
