// The `detect` job: read one time window of posts (with a projection) and their accounts
// from the store, run the pure detection pipeline (analysis/rings/detect), then write
// every account's suspicion (a scores collection per run, storage/scores.ts) and upsert the rings. Review fields a policy analyst owns
// (status, statusReason, assignee, notes, version) are set only when a ring is first
// created and never touched by a re-run; a re-run matches rings by membership overlap
// (analysis/rings/ids) so the same ring keeps its id and its review state. A ring a
// reviewer confirmed or dismissed keeps the evidence that was reviewed: what a later run
// finds for it is stored as a new version (ring_versions) with an audit entry.
//
// Coverage: the window is the co-action window's outer bound, and the accounts scored are
// those that posted in it. The run says how many stored posts and accounts it left out
// and how to include them (`--since`, `--all`), so an imported history is never silently
// reduced to its last 72 hours.
import type { DetectAccount, DetectPost } from '../analysis/graph/types';
import { type DetectionResult, type DetectOptions, detectRings } from '../analysis/rings/detect';
import type { LinkableEscalation } from '../analysis/rings/links';
import { parseDuration, toDate } from '../analysis/time';
import { writeAudit } from '../queries/audit';
import type { PostSnapshot, Store } from '../storage/store';
import type { Post, Ring, RingVersion } from '../storage/types';
import { Type as T } from '@sinclair/typebox';
import { DateLike, Duration, paramsSchema } from './params';
import { decisionLabels } from './labels';
import type { Job, JobContext } from './types';

export interface DetectParams {
  /** Length of the window ending at `until` (default: config detect.window, e.g. "72h"). */
  window?: string;
  /** The whole stored history (overrides window and since). */
  all?: boolean;
  /** Start of the window (ISO date); overrides `window`. */
  since?: string | Date;
  /** End of the window (ISO date); default: the newest post in the store. */
  until?: string | Date;
  resolution?: number;
  seed?: number;
  /** An `account,label` file to learn from, beside the confirmed and dismissed rings. */
  labels?: string;
}

/** Numbers only, so they fit `Run.stats`. */
export interface DetectStats extends Record<string, number> {
  /** Window bounds, epoch ms. */
  since: number;
  until: number;
  posts: number;
  accounts: number;
  edges: number;
  communities: number;
  rings: number;
  newRings: number;
  updatedRings: number;
  links: number;
  /** Reviewed (confirmed / dismissed) rings this run found again: stored as new versions, not rewritten. */
  versionedRings: number;
  /** Stored posts outside the window (not analysed), and accounts not scored by this run. */
  postsOutside: number;
  accountsNotScored: number;
  /** Span of all stored posts, epoch ms (0 when the store is empty). */
  storeOldest: number;
  storeNewest: number;
  coordinationWindowMinutes: number;
  /** Coarsest timestamp resolution of the posts, ms (86,400,000: dates only, co-review = same date). */
  timeResolutionMs: number;
  /** 1 when account scores were learned from labelled accounts (labelledAccounts of them). */
  learnedScores: number;
  labelledAccounts: number;
  modularity: number;
  /** Phases: reading posts and accounts (window included), the pure pipeline, writing scores and rings. */
  readMs: number;
  pipelineMs: number;
  writeMs: number;
  durationMs: number;
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
  params: DetectParams,
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

/** One plain sentence on what a run analysed and left out, with the flag that includes the rest. */
export function coverageNote(s: Pick<DetectStats, 'posts' | 'since' | 'until' | 'postsOutside' | 'accountsNotScored' | 'storeOldest' | 'storeNewest'>): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const head = `analysed ${s.posts} posts from ${new Date(s.since).toISOString()} to ${new Date(s.until).toISOString()}`;
  if (s.postsOutside <= 0) {
    // Every stored post was read; accounts left over have no posts to score.
    return s.accountsNotScored > 0 ? `${head}: every stored post (${s.accountsNotScored} stored accounts have no posts and were not scored)` : `${head}: every stored post`;
  }
  return (
    `${head}; ${s.postsOutside} stored posts outside the window and ${s.accountsNotScored} accounts not scored ` +
    `(the store holds posts from ${day(s.storeOldest)} to ${day(s.storeNewest)}); use --since ${day(s.storeOldest)} or --all to include them`
  );
}

/** Streams the window's posts and their accounts with projections. */
export async function loadDetectInput(
  store: Store,
  snapshot: PostSnapshot,
  since: Date,
  until: Date,
  signal?: AbortSignal,
): Promise<{ posts: DetectPost[]; accounts: DetectAccount[] }> {
  const readAccounts = (ids: string[]): Promise<DetectAccount[]> =>
    store.accounts.getMany(ids, { projection: ACCOUNT_PROJECTION, collectionSize: snapshot.span.accounts || undefined });
  // The time index names the window's accounts: reading them alongside the posts lets the
  // embedded store work on both at once (yelpnyc: 17 s of accounts inside a 72 s post scan).
  const hinted = snapshot.windowAccounts(since, until);
  const early = hinted ? readAccounts(hinted) : Promise.resolve([]);
  early.catch(() => {});
  const posts: DetectPost[] = [];
  let read = 0;
  for await (const p of snapshot.stream(since, until, POST_PROJECTION)) {
    read++;
    if (signal?.aborted && read % 1000 === 0) throw new Error('detect cancelled');
    if ((p as Post).deleted) continue;
    posts.push(p as DetectPost);
  }
  const ids = new Set(posts.map((p) => p.accountId));
  const byId = new Map((await early).map((a) => [a._id, a]));
  const missing = [...ids].filter((id) => !byId.has(id));
  for (const a of missing.length ? await readAccounts(missing) : []) byId.set(a._id, a);
  // In the posts' order of first appearance, as before; accounts of deleted posts only are left out.
  const accounts: DetectAccount[] = [];
  for (const id of ids) {
    const a = byId.get(id);
    if (a) accounts.push(a);
  }
  return { posts, accounts };
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

export async function runDetect(ctx: JobContext, params: DetectParams = {}): Promise<DetectStats> {
  const started = Date.now();
  const cfg = ctx.config.detect;
  const { since, until, snapshot } = await resolveWindow(ctx.store, params, cfg.window);
  ctx.progress(0, 4, `loading posts ${since.toISOString()} → ${until.toISOString()}`);
  const { posts, accounts } = await loadDetectInput(ctx.store, snapshot, since, until, ctx.signal);
  const outside = await snapshot.outside(since, until, new Set(posts.map((p) => p.accountId)));
  const { span } = snapshot;
  if (ctx.signal.aborted) throw new Error('detect cancelled');

  ctx.progress(1, 4, `loading previous rings and escalations (${posts.length} posts)`);
  const previousRings: { _id: string; members: string[] }[] = [];
  for await (const r of ctx.store.rings.stream({}, { projection: { _id: 1, members: 1 } })) previousRings.push(r);
  const escalations: LinkableEscalation[] = [];
  for await (const e of ctx.store.escalations.stream({}, { projection: { _id: 1, openedAt: 1, customerHandle: 1, product: 1, text: 1, 'analysis.handles': 1, 'analysis.products': 1 } })) {
    escalations.push(e as LinkableEscalation);
  }

  const labels = await decisionLabels(ctx.store, params.labels);

  const readMs = Date.now() - started;
  ctx.progress(2, 4, 'building the account graph and communities');
  const pipelineStart = Date.now();
  const options: Partial<DetectOptions> = { communities: { resolution: params.resolution ?? cfg.louvainResolution, seed: params.seed ?? cfg.seed } };
  const result = detectRings({ posts, accounts, escalations, previousRings, labels, options });
  if (ctx.signal.aborted) throw new Error('detect cancelled');

  const pipelineMs = Date.now() - pipelineStart;
  ctx.progress(3, 4, `writing ${result.accounts.length} account scores and ${result.rings.length} rings`);
  const writeStart = Date.now();
  const { newRings, updatedRings, versionedRings } = await writeDetection(ctx.store, result, ctx.runId, new Date(), { since, until });
  const writeMs = Date.now() - writeStart;
  ctx.progress(4, 4, 'done');
  const stats: DetectStats = {
    since: since.getTime(),
    until: until.getTime(),
    posts: result.stats.posts,
    accounts: result.stats.accounts,
    edges: result.stats.edges,
    communities: result.stats.communities,
    rings: result.stats.rings,
    newRings,
    updatedRings,
    links: result.stats.links,
    versionedRings,
    postsOutside: outside.posts,
    accountsNotScored: outside.accounts,
    storeOldest: span.oldest?.getTime() ?? 0,
    storeNewest: span.newest?.getTime() ?? 0,
    coordinationWindowMinutes: Math.round((result.stats.windowMs / 60_000) * 10) / 10,
    timeResolutionMs: result.stats.resolutionMs,
    learnedScores: result.stats.learnedScores,
    labelledAccounts: result.stats.labelledAccounts,
    modularity: result.stats.modularity,
    readMs,
    pipelineMs,
    writeMs,
    durationMs: Date.now() - started,
  };
  const note = coverageNote(stats);
  if (stats.postsOutside > 0) ctx.log.warn({ postsOutside: stats.postsOutside, accountsNotScored: stats.accountsNotScored }, note);
  ctx.log.info({ ...stats, since: since.toISOString(), until: until.toISOString() }, 'detect finished');
  return stats;
}

export const detectJob: Job<DetectParams, DetectStats> = {
  name: 'detect',
  queue: 'detect',
  description: 'Build the account graph for a time window, find communities, score rings and accounts, link rings to escalations.',
  params: paramsSchema({
    window: T.Optional(Duration),
    all: T.Optional(T.Boolean()),
    since: T.Optional(DateLike),
    until: T.Optional(DateLike),
    resolution: T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Louvain resolution, > 0' })),
    seed: T.Optional(T.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  }),
  run: runDetect,
};
