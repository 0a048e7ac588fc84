// The `detect` job: read one time window of posts (with a projection) and their accounts
// from the store, run the pure detection pipeline (analysis/rings/detect), then write
// (the store side of both: queries/detection.ts) every account's suspicion (a scores collection per run, storage/scores.ts) and upsert the rings. Review fields a policy analyst owns
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
import { detectRings } from '../analysis/rings/detect';
import type { LinkableEscalation } from '../analysis/rings/links';
import { loadDetectInput, resolveWindow, type WindowParams, writeDetection } from '../queries/detection';
import { Type as T } from '@sinclair/typebox';
import { coShareWindowMsOf, detectOptions, type RunDetectOptions } from './detect-options';
import { confinedPath, DateLike, Duration, FilePath, paramsSchema } from './params';
import { decisionLabels } from './labels';
import type { Job, JobContext } from './types';

export interface DetectParams extends WindowParams, RunDetectOptions {
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
  /** The co-share window the run used (config detect.coShareWindow or the run's coShareWindow). */
  coShareWindowSeconds: number;
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

export async function runDetect(ctx: JobContext, params: DetectParams = {}): Promise<DetectStats> {
  const started = Date.now();
  const cfg = ctx.config.detect;
  const { since, until, snapshot } = await resolveWindow(ctx.store, params, cfg.window);
  ctx.progress(0, 4, `loading posts ${since.toISOString()} → ${until.toISOString()}`);
  const { posts, accounts, accountIds } = await loadDetectInput(ctx.store, snapshot, since, until, ctx.signal);
  const outside = await snapshot.outside(since, until, accountIds);
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
  if (ctx.signal.aborted) throw new Error('detect cancelled');

  const readMs = Date.now() - started;
  ctx.progress(2, 4, 'building the account graph and communities');
  const pipelineStart = Date.now();
  const options = detectOptions(cfg, params);
  const result = detectRings({ posts, accounts, escalations, previousRings, labels, options });
  // A cancel sent while the synchronous pipeline ran (Ctrl-C's handler, a message to the job's
  // thread) is delivered only when the event loop turns: let it, before writing anything.
  await new Promise((resolve) => setImmediate(resolve));
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
    coShareWindowSeconds: (options.graph?.coShareWindowMs ?? 0) / 1000,
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
  // The pipeline is one long synchronous computation: off the thread that serves and renews locks.
  thread: import.meta.url,
  params: paramsSchema({
    window: T.Optional(Duration),
    all: T.Optional(T.Boolean()),
    since: T.Optional(DateLike),
    until: T.Optional(DateLike),
    resolution: T.Optional(T.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Louvain resolution, > 0' })),
    seed: T.Optional(T.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    coShareWindow: T.Optional(T.String({ maxLength: Duration.maxLength, pattern: Duration.pattern, description: 'a co-share window such as 10s, 60s, 10m (at most a day)' })),
    labels: T.Optional(FilePath),
  }),
  // A window longer than a day is refused up front; outside the CLI, a label file is read from reports.outDir only.
  checkParams(params, { config, confine }) {
    if (params.coShareWindow !== undefined) coShareWindowMsOf(params.coShareWindow, 'detect: params.coShareWindow');
    if (!confine || params.labels === undefined) return params;
    return { ...params, labels: confinedPath(params.labels, config.reports.outDir, 'labels') };
  },
  run: runDetect,
};
