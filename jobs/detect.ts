// The `detect` job: read one time window of posts (with a projection) and their accounts
// from the store, run the pure detection pipeline (analysis/rings/detect), then write
// every account's suspicion and upsert the rings. Review fields a policy analyst owns
// (status, statusReason, assignee, notes, version) are set only when a ring is first
// created and never touched by a re-run; a re-run matches rings by membership overlap
// (analysis/rings/ids) so the same ring keeps its id and its review state.
import type { DetectAccount, DetectPost } from '../analysis/graph/types';
import { type DetectionResult, type DetectOptions, detectRings } from '../analysis/rings/detect';
import type { LinkableEscalation } from '../analysis/rings/links';
import { parseDuration } from '../analysis/time';
import type { Store } from '../storage/store';
import type { Post, Ring } from '../storage/types';
import type { Job, JobContext } from './types';

export interface DetectParams {
  /** Length of the window ending at `until` (default: config detect.window, e.g. "72h"). */
  window?: string;
  /** Start of the window (ISO date); overrides `window`. */
  since?: string | Date;
  /** End of the window (ISO date); default: the newest post in the store. */
  until?: string | Date;
  resolution?: number;
  seed?: number;
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
  coordinationWindowMinutes: number;
  modularity: number;
  durationMs: number;
}

const WRITE_CHUNK = 25;

const POST_PROJECTION: Record<string, 1> = {
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
  'enrichment.lshBands': 1,
};

function toDate(v: string | Date, name: string): Date {
  const d = v instanceof Date ? v : new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`${name} is not a date: "${String(v)}"`);
  return d;
}

/** The window [since, until]: explicit dates, or `window` back from the newest post. */
export async function resolveWindow(store: Store, params: DetectParams, defaultWindow: string): Promise<{ since: Date; until: Date }> {
  let until: Date;
  if (params.until) until = toDate(params.until, 'until');
  else {
    const newest = await store.posts.find({}, { sort: { createdAt: -1 }, limit: 1, projection: { createdAt: 1 } });
    until = newest[0]?.createdAt ?? new Date();
  }
  const since = params.since ? toDate(params.since, 'since') : new Date(until.getTime() - parseDuration(params.window ?? defaultWindow));
  if (since.getTime() > until.getTime()) throw new Error(`since (${since.toISOString()}) is after until (${until.toISOString()})`);
  return { since, until };
}

/** Streams the window's posts and their accounts with projections. */
export async function loadDetectInput(
  store: Store,
  since: Date,
  until: Date,
  signal?: AbortSignal,
): Promise<{ posts: DetectPost[]; accounts: DetectAccount[] }> {
  const posts: DetectPost[] = [];
  for await (const p of store.posts.stream({ createdAt: { $gte: since, $lte: until } }, { projection: POST_PROJECTION })) {
    if ((p as Post).deleted) continue;
    posts.push(p as DetectPost);
    if (signal?.aborted && posts.length % 1000 === 0) throw new Error('detect cancelled');
  }
  const ids = [...new Set(posts.map((p) => p.accountId))];
  const accounts: DetectAccount[] = await store.accounts.getMany(ids, { projection: { _id: 1, platform: 1, handle: 1, createdAt: 1, firstSeenAt: 1 } });
  return { posts, accounts };
}

/** Writes suspicion for every scored account and upserts rings, keeping policy-owned fields. */
export async function writeDetection(store: Store, result: DetectionResult, runId: string, now: Date): Promise<{ newRings: number; updatedRings: number }> {
  const updates = result.accounts.map((a) => ({
      id: a.accountId,
      set: {
        suspicion: {
          score: a.score,
          // The whole object is replaced, so an account that left its ring loses ringId.
          ...(a.ringId ? { ringId: a.ringId } : {}),
          indicators: a.indicators,
          evidencePosts: a.evidencePosts,
          detectedAt: now,
          runId,
        },
      },
  }));
  // Small bulks: the embedded FerretDB stalls on a bulk of ~100 updates carrying
  // indicator arrays (≈150 kB), while 25–50 go through quickly.
  for (let i = 0; i < updates.length; i += WRITE_CHUNK) await store.accounts.setMany(updates.slice(i, i + WRITE_CHUNK));
  const existing = new Set((await store.rings.getMany(result.rings.map((r) => r._id))).map((r) => r._id));
  const fresh: Ring[] = [];
  const ringUpdates: { id: string; set: Partial<Ring> }[] = [];
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
    if (existing.has(r._id)) ringUpdates.push({ id: r._id, set: detected });
    else fresh.push({ _id: r._id, ...detected, status: 'new', version: 1, detectedAt: now });
  }
  for (let i = 0; i < fresh.length; i += WRITE_CHUNK) await store.rings.upsertMany(fresh.slice(i, i + WRITE_CHUNK));
  for (let i = 0; i < ringUpdates.length; i += WRITE_CHUNK) await store.rings.setMany(ringUpdates.slice(i, i + WRITE_CHUNK));
  return { newRings: fresh.length, updatedRings: ringUpdates.length };
}

export async function runDetect(ctx: JobContext, params: DetectParams = {}): Promise<DetectStats> {
  const started = Date.now();
  const cfg = ctx.config.detect;
  const { since, until } = await resolveWindow(ctx.store, params, cfg.window);
  ctx.progress(0, 4, `loading posts ${since.toISOString()} → ${until.toISOString()}`);
  const { posts, accounts } = await loadDetectInput(ctx.store, since, until, ctx.signal);
  if (ctx.signal.aborted) throw new Error('detect cancelled');

  ctx.progress(1, 4, `loading previous rings and escalations (${posts.length} posts)`);
  const previousRings: { _id: string; members: string[] }[] = [];
  for await (const r of ctx.store.rings.stream({}, { projection: { _id: 1, members: 1 } })) previousRings.push(r);
  const escalations: LinkableEscalation[] = [];
  for await (const e of ctx.store.escalations.stream({}, { projection: { _id: 1, openedAt: 1, customerHandle: 1, product: 1, text: 1, 'analysis.handles': 1, 'analysis.products': 1 } })) {
    escalations.push(e as LinkableEscalation);
  }

  ctx.progress(2, 4, 'building the account graph and communities');
  const options: Partial<DetectOptions> = { communities: { resolution: params.resolution ?? cfg.louvainResolution, seed: params.seed ?? cfg.seed } };
  const result = detectRings({ posts, accounts, escalations, previousRings, options });
  if (ctx.signal.aborted) throw new Error('detect cancelled');

  ctx.progress(3, 4, `writing ${result.accounts.length} account scores and ${result.rings.length} rings`);
  const { newRings, updatedRings } = await writeDetection(ctx.store, result, ctx.runId, new Date());
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
    coordinationWindowMinutes: Math.round((result.stats.windowMs / 60_000) * 10) / 10,
    modularity: result.stats.modularity,
    durationMs: Date.now() - started,
  };
  ctx.log.info({ ...stats, since: since.toISOString(), until: until.toISOString() }, 'detect finished');
  return stats;
}

export const detectJob: Job<DetectParams, DetectStats> = {
  name: 'detect',
  description: 'Build the account graph for a time window, find communities, score rings and accounts, link rings to escalations.',
  run: runDetect,
};
