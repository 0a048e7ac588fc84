// Detection's store side: the window to read (resolveWindow), the window's posts and their
// accounts with small projections (loadDetectInput), and the result written back
// (writeDetection): rings upserted keeping the fields a policy analyst owns, reviewed rings
// versioned with an audit entry, scores into the run's own collection. The pipeline between
// them is pure (analysis/rings/detect.ts); the `detect` job (jobs/detect.ts) runs all three.
import type { DetectAccount, DetectPost } from '../analysis/graph/types';
import type { DetectionResult } from '../analysis/rings/detect';
import { parseDuration, toDate } from '../analysis/time';
import type { PostSnapshot, Store } from '../storage/store';
import type { Post, Ring, RingVersion } from '../storage/types';
import { writeAudit } from './audit';

export interface WindowParams {
  /** Length of the window ending at `until` (default: config detect.window, e.g. "72h"). */
  window?: string;
  /** The whole stored history (overrides window and since). */
  all?: boolean;
  /** Start of the window (ISO date); overrides `window`. */
  since?: string | Date;
  /** End of the window (ISO date); default: the newest post in the store. */
  until?: string | Date;
}

/** Review states whose evidence a re-run must not rewrite. */
const REVIEWED = new Set(['confirmed', 'dismissed']);

export const POST_PROJECTION: Record<string, 1> = {
  _id: 1,
  platform: 1,
  accountId: 1,
  author: 1,
  createdAt: 1,
  product: 1,
  rating: 1,
  title: 1,
  text: 1,
  parentId: 1,
  replyToAccountId: 1,
  links: 1,
  objects: 1,
  'enrichment.products': 1,
  'enrichment.mentions': 1,
  'enrichment.urls': 1,
  'enrichment.codes': 1,
  'enrichment.sentiment': 1,
  'enrichment.minhash': 1,
  'enrichment.lsh': 1,
  // Stores from before `lsh` kept the band keys; they say which posts have bands.
  'enrichment.lshBands': 1,
};

export const ACCOUNT_PROJECTION: Record<string, 1> = { _id: 1, platform: 1, handle: 1, createdAt: 1, firstSeenAt: 1 };

/** The window [since, until]: the whole history, explicit dates, or `window` back from the newest post. */
export async function resolveWindow(
  store: Store,
  params: WindowParams,
  defaultWindow: string,
): Promise<{ since: Date; until: Date; snapshot: PostSnapshot }> {
  const snapshot = await store.postWindow.snapshot();
  const { span } = snapshot;
  let until: Date;
  if (params.until && !params.all) until = toDate(params.until, 'until');
  else until = span.newest ?? new Date();
  let since: Date;
  if (params.all) since = span.oldest ?? until;
  else if (params.since) since = toDate(params.since, 'since');
  else since = new Date(until.getTime() - parseDuration(params.window ?? defaultWindow));
  if (since.getTime() > until.getTime()) throw new Error(`since (${since.toISOString()}) is after until (${until.toISOString()})`);
  return { since, until, snapshot };
}

/** Streams the window's posts and their accounts with projections. */
export async function loadDetectInput(
  store: Store,
  snapshot: PostSnapshot,
  since: Date,
  until: Date,
  signal?: AbortSignal,
): Promise<{ posts: DetectPost[]; accounts: DetectAccount[]; accountIds: ReadonlySet<string> }> {
  const readAccounts = (ids: string[]): Promise<DetectAccount[]> =>
    store.accounts.getMany(ids, { projection: ACCOUNT_PROJECTION, collectionSize: snapshot.span.accounts || undefined });
  // The time index names the window's accounts: reading them alongside the posts lets the
  // embedded store work on both at once (yelpnyc: 17 s of accounts inside a 72 s post scan).
  const hinted = snapshot.windowAccounts(since, until);
  const early = hinted ? readAccounts(hinted) : Promise.resolve([]);
  early.catch(() => {});
  const posts: DetectPost[] = [];
  let read = 0;
  // In batches: 194k co-action posts one await each cost more than the rest of the read.
  for await (const batch of snapshot.batches(since, until, POST_PROJECTION)) {
    for (const p of batch) {
      read++;
      if (signal?.aborted && read % 1000 === 0) throw new Error('detect cancelled');
      if ((p as Post).deleted) continue;
      posts.push(p as DetectPost);
    }
  }
  const ids = new Set(posts.map((p) => p.accountId));
  const byId = new Map((await early).map((a) => [a._id, a]));
  // Accounts co-action imports created hold nothing the posts don't: the pipeline builds them from the posts.
  const missing = [...ids].filter((id) => !byId.has(id) && !snapshot.postOnlyAccounts.has(id));
  for (const a of missing.length ? await readAccounts(missing) : []) byId.set(a._id, a);
  // In the posts' order of first appearance, as before; accounts of deleted posts only (and post-only ones) are left out.
  const accounts: DetectAccount[] = [];
  for (const id of ids) {
    const a = byId.get(id);
    if (a) accounts.push(a);
  }
  // `accountIds`: the accounts of the posts returned (with a stored document or not), for the caller's coverage count.
  return { posts, accounts, accountIds: ids };
}

export interface WriteWindow {
  since: Date;
  until: Date;
}

/**
 * Writes suspicion for every scored account and upserts rings, keeping policy-owned fields.
 * A confirmed or dismissed ring is not rewritten: the run's view of it becomes a RingVersion,
 * the ring gets a `rescored` pointer, and the audit trail says so.
 */
export async function writeDetection(
  store: Store,
  result: DetectionResult,
  runId: string,
  now: Date,
  window: WriteWindow,
): Promise<{ newRings: number; updatedRings: number; versionedRings: number }> {
  const scores = result.accounts.map((a) => ({
    accountId: a.accountId,
    suspicion: {
      score: a.score,
      ...(a.ringId ? { ringId: a.ringId } : {}),
      indicators: a.indicators,
      evidencePosts: a.evidencePosts,
      detectedAt: now,
      runId,
    },
  }));
  const existing = new Map((await store.rings.getMany(result.rings.map((r) => r._id), { projection: { _id: 1, status: 1, score: 1, members: 1 } })).map((r) => [r._id, r]));
  const fresh: Ring[] = [];
  const ringUpdates: { id: string; set: Partial<Ring> }[] = [];
  const versions: RingVersion[] = [];
  for (const r of result.rings) {
    const detected = {
      members: r.members,
      platforms: r.platforms,
      products: r.products,
      score: r.score,
      indicators: r.indicators,
      strongestEdges: r.strongestEdges,
      evidencePosts: r.evidencePosts,
      firstPostAt: r.firstPostAt,
      lastPostAt: r.lastPostAt,
      links: r.links,
      week: r.week,
      updatedAt: now,
      runId,
    };
    const old = existing.get(r._id);
    if (!old) fresh.push({ _id: r._id, ...detected, status: 'new', version: 1, detectedAt: now });
    else if (!REVIEWED.has(old.status)) ringUpdates.push({ id: r._id, set: detected });
    else {
      const { updatedAt: _u, runId: _r, ...found } = detected;
      const versionId = `${r._id}:${runId}`;
      versions.push({ _id: versionId, ringId: r._id, runId, at: now, statusAtRun: old.status, window, detected: found });
      ringUpdates.push({ id: r._id, set: { rescored: { runId, at: now, score: r.score, members: r.members.length, versionId } } });
    }
  }
  await store.rings.upsertMany(fresh);
  // Versions and their audit entries first: a crash after them leaves the ring as reviewed, never rewritten.
  await store.ringVersions.upsertMany(versions);
  for (const v of versions) {
    const old = existing.get(v.ringId);
    await writeAudit(store, {
      at: now,
      actor: `detect:${runId}`,
      action: 'ring.rescored',
      target: `ring:${v.ringId}`,
      before: { score: old?.score, members: old?.members.length },
      after: { score: v.detected.score, members: v.detected.members.length, version: v._id, window: { since: window.since, until: window.until } },
    });
  }
  // Claimed updates (Repository.update): a review saved at the same moment is neither lost nor undone.
  await store.rings.updateEach(ringUpdates);
  // Scores last: killed before this point, no score names a ring that is not stored. They are
  // inserted into a collection of this run's own and become the latest only once all are
  // written (storage/scores.ts): a run killed half-way is never read.
  await store.scores.write(runId, scores);
  return { newRings: fresh.length, updatedRings: ringUpdates.length - versions.length, versionedRings: versions.length };
}
