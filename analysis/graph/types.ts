// Inputs and options of the account-graph stage. The inputs are the fields of `Post`
// and `Account` that detection reads (the detect job streams them with a projection),
// so imported reviews with only author, product, rating and date work unchanged.
import type { Account, Post, PostEnrichment } from '../../storage/types';

export type DetectPost = Pick<Post, '_id' | 'platform' | 'accountId' | 'createdAt'> &
  Partial<Pick<Post, 'author' | 'product' | 'rating' | 'text' | 'title' | 'parentId' | 'replyToAccountId' | 'links' | 'objects'>> & {
    enrichment?: Partial<
      Pick<PostEnrichment, 'products' | 'mentions' | 'urls' | 'codes' | 'sentiment' | 'minhash' | 'lsh' | 'lshBands'>
    >;
  };

export type DetectAccount = Pick<Account, '_id' | 'platform' | 'handle'> & Partial<Pick<Account, 'createdAt' | 'firstSeenAt'>>;

/** Co-action kinds an edge can carry (keys of `RingEdgeEvidence.reasons`). */
export type Reason =
  | 'co_review'
  | 'co_share'
  | 'near_duplicate'
  | 'shared_url'
  | 'shared_code'
  | 'reply'
  | 'mention'
  | 'same_handle'
  | 'creation';

export type Reasons = Partial<Record<Reason, number>>;

export interface EdgeAttributes {
  weight: number;
  reasons: Reasons;
  /** Up to `maxEvidencePosts` posts._id behind the edge. */
  posts: string[];
}

export interface NodeAttributes {
  platform: string;
  handle: string;
}

export interface GraphOptions {
  /** Co-review window Δ in ms; estimated from the data when absent. */
  coordinationWindowMs?: number;
  /**
   * Co-share window in ms: two accounts sharing one object (`Post.objects`) this close in
   * time co-share it. Its own Δ, not the co-review one: CooRTweet's default time_window is
   * 10 s (Righetti & Balluff; validated on real networks), while a co-review Δ is minutes to
   * a day. Not estimated: a quantile of share gaps would follow the crowd, not the coordination.
   */
  coShareWindowMs: number;
  /** Quantile of same-product inter-arrival times used as Δ (CooRnet-style). */
  windowQuantile: number;
  /** Bounds on the estimated Δ. */
  minWindowMs: number;
  maxWindowMs: number;
  /** Each post is linked to at most this many later posts in a bucket (bounds cost in bursts). */
  maxNeighbours: number;
  /** Buckets (URL, code, text band) with more accounts than this are discounted as common. */
  commonBucketAccounts: number;
  /** Minimum estimated Jaccard for two posts to count as near-duplicates. */
  minJaccard: number;
  /** Accounts created within this many ms of each other get the creation support. */
  creationWindowMs: number;
  /** Edges below this quantile of all edge weights are dropped (CooRnet's percentile filter). */
  edgeQuantile: number;
  /** Edges below this absolute weight are dropped whatever the quantile. */
  minEdgeWeight: number;
  maxEvidencePosts: number;
  /** Where the band part of the near-duplicate step runs (graph/near-duplicate-thread); the result is the same. */
  nearDuplicateThread: NearDuplicateThread;
}

/** `auto`: a worker thread from WORKER_MIN_POSTS banded posts on (graph/near-duplicate-thread), else this thread. */
export type NearDuplicateThread = 'auto' | 'worker' | 'this';

export const DEFAULT_GRAPH_OPTIONS: GraphOptions = {
  coShareWindowMs: 10_000,
  windowQuantile: 0.25,
  minWindowMs: 60_000,
  maxWindowMs: 24 * 3_600_000,
  maxNeighbours: 25,
  commonBucketAccounts: 30,
  minJaccard: 0.6,
  creationWindowMs: 6 * 3_600_000,
  edgeQuantile: 0.5,
  minEdgeWeight: 1,
  maxEvidencePosts: 6,
  nearDuplicateThread: 'auto',
};
