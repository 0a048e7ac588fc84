// What the look-ups beyond `_id` (storage/lookups.ts) answer, apart from how: the
// in-memory views (storage/live/) and the indexed queries implement the same interface.
import type { AccountListItem, AccountQuery } from './live/accounts';
import type { PostRef } from './post-refs';
import type { ApiKey } from './types';

/**
 * How posts and API keys are looked up. memory: views kept in step by the change log
 * (FerretDB); indexes: the store's own queries (MongoDB). Accounts are always in memory.
 */
export type LookupMode = 'memory' | 'indexes';

export interface PostQuery {
  product?: string;
  platform?: string;
  account?: string;
  since?: Date;
  until?: Date;
  /** Strictly after this post (newest first: older, or as old with a greater `_id`). */
  after?: { value: Date; id: string };
  limit: number;
}

export interface PostPage {
  /** The posts' JSON texts (without MinHash signatures), newest first. */
  items: string[];
  /** The last post of the page when more follow. */
  next: { createdAt: Date; _id: string } | null;
}

export interface AccountTimeline {
  /** The account document as JSON text. */
  json: string;
  ringId?: string;
  postCount: number;
  /** The newest posts' JSON texts, newest first. */
  posts: string[];
  /** The evidence posts' JSON texts, in the order the score names them. */
  evidence: string[];
}

export interface ScoreRun {
  runId: string;
  accounts: number;
}

export interface Lookups {
  readonly mode: LookupMode;
  /** One page of scored accounts and whether more follow. */
  accounts(q: AccountQuery): Promise<{ items: AccountListItem[]; more: boolean }>;
  /** How many scored accounts each detect run's scores cover, most first. */
  scoreRuns(): Promise<ScoreRun[]>;
  /** One account with its newest `postLimit` posts and its evidence posts; null when unknown. */
  account(id: string, postLimit: number): Promise<AccountTimeline | null>;
  /** Accounts with a post about this product id (source-attributed or found by NLP). */
  accountsWithProduct(productId: string): Promise<string[]>;
  /** Posts newest first, one keyset page. */
  posts(q: PostQuery): Promise<PostPage>;
  /** Post references of these accounts (ring reports). */
  postRefs(accountIds: readonly string[]): Promise<PostRef[]>;
  apiKey(id: string): Promise<ApiKey | null>;
  /** Starts loading the views, if any (the first request would otherwise start it). */
  start(): Promise<void>;
  close(): void;
}

/** Where the posts look-ups come from: the in-memory post view, or indexed queries. */
export interface PostSource {
  /** An account's post count, newest posts and evidence posts (JSON texts). */
  timeline(accountId: string, limit: number, evidence: readonly string[]): Promise<Pick<AccountTimeline, 'postCount' | 'posts' | 'evidence'>>;
  accountsWithProduct(productId: string): Promise<string[]>;
  page(q: PostQuery): Promise<PostPage>;
  refs(accountIds: readonly string[]): Promise<PostRef[]>;
}
