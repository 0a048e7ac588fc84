// The whole detection stage as one pure function: posts + accounts (+ escalations, +
// the previous run's rings) in; rings with evidence and a score for every account out.
//   graph (graph/build) → connected Louvain communities (graph/communities)
//   → group indicators and ring score per community (indicators, score)
//   → rings = communities with ≥ MIN_RING_SIZE members and score ≥ threshold
//   → stable ids (ids) → account scores (accounts) → escalation links (links).
import type { Indicator, Ring } from '../../storage/types';
import { isoWeek } from '../time';
import { buildAccountGraph, type AccountGraph } from '../graph/build';
import { detectCommunities, type CommunityOptions } from '../graph/communities';
import { subCommunities } from '../graph/refine';
import { DEFAULT_GRAPH_OPTIONS, type DetectAccount, type DetectPost, type GraphOptions } from '../graph/types';
import { type AccountScore, type AccountScoreOptions, scoreAccounts } from './accounts';
import { buildContext, round } from './context';
import { strongestEdges } from './evidence';
import { assignRingIds } from './ids';
import { type GroupIndicatorOptions, groupIndicators } from './indicators';
import { indexEscalations, type LinkableEscalation, type LinkOptions, linkRing } from './links';
import { type AttachOptions, attachMembers, type WeakAttachOptions, weakAttach, weightIndex } from './attach';
import { DEFAULT_MERGE_OPTIONS, type MergeGroup, type MergeOptions, signatureParts } from './merge';
import { peelCommunity } from './peel';
import { MIN_RING_SIZE, RING_THRESHOLD, ringScore } from './score';

export interface DetectOptions {
  graph: Partial<GraphOptions>;
  communities: Partial<CommunityOptions>;
  indicators: Partial<GroupIndicatorOptions>;
  links: Partial<LinkOptions>;
  ringThreshold: number;
  minRingSize: number;
  /** Members weaker than this fraction of the community's median internal strength are peeled off. */
  peelFraction: number;
  /** A non-ring group of at least this many members is split again by Louvain on its own subgraph (graph/refine). */
  refineMinSize: number;
  /** How many times a group may be split again. 0 turns refinement off. */
  refineDepth: number;
  /** Re-attachment of accounts bound to a ring (rings/attach); rounds 0 turns it off. */
  attach: Partial<AttachOptions>;
  /** Attachment through the edges the percentile filter dropped (rings/attach); null turns it off. */
  weakAttach: Partial<WeakAttachOptions> | null;
  /** Merging parts of one campaign into its ring (rings/merge); null turns it off. */
  merge: Partial<MergeOptions> | null;
  /** Account scores (rings/accounts). */
  accountScore: Partial<AccountScoreOptions>;
}

export const DEFAULT_DETECT_OPTIONS: DetectOptions = {
  graph: {},
  communities: {},
  indicators: {},
  links: {},
  ringThreshold: RING_THRESHOLD,
  minRingSize: MIN_RING_SIZE,
  peelFraction: 0.25,
  refineMinSize: 6,
  refineDepth: 3,
  attach: {},
  weakAttach: {},
  merge: DEFAULT_MERGE_OPTIONS,
  accountScore: {},
};

/** A ring as detection produces it; the review fields (status, notes, …) and run bookkeeping belong to the store. */
export type DetectedRing = Omit<Ring, 'status' | 'statusReason' | 'assignee' | 'notes' | 'version' | 'detectedAt' | 'updatedAt' | 'runId'>;

export interface CandidateGroup {
  members: string[];
  score: number;
  indicators: Indicator[];
  products: string[];
  isRing: boolean;
}

export interface DetectionResult {
  rings: DetectedRing[];
  accounts: AccountScore[];
  /** Every peeled, connected community of ≥ 2 members with its score (rings and non-rings): for calibration. */
  candidates: CandidateGroup[];
  graph: AccountGraph;
  stats: {
    posts: number;
    accounts: number;
    edges: number;
    nodes: number;
    candidatePairs: number;
    communities: number;
    rings: number;
    windowMs: number;
    /** Coarsest timestamp resolution of the posts, ms (86,400,000 for dates only). */
    resolutionMs: number;
    /** 1 when account scores come from a combiner learned from labels, else 0. */
    learnedScores: number;
    labelledAccounts: number;
    weightThreshold: number;
    modularity: number;
    links: number;
  };
}

export interface DetectInput {
  posts: readonly DetectPost[];
  accounts: readonly DetectAccount[];
  escalations?: readonly LinkableEscalation[];
  previousRings?: readonly { _id: string; members: readonly string[] }[];
  /** Decisions to learn from (account id → suspicious?): confirmed / dismissed rings, label files. */
  labels?: ReadonlyMap<string, boolean>;
  options?: Partial<DetectOptions>;
  /** Told each stage's wall time as it ends (benchmarks' phase tables); the result does not depend on it. */
  onPhase?: (phase: DetectPhase, ms: number) => void;
}

/** The stages of detectRings, in order. */
export type DetectPhase = 'graph' | 'context' | 'communities' | 'groups' | 'rings' | 'accounts';

export function detectRings(input: DetectInput): DetectionResult {
  let lapAt = performance.now();
  const lap = (phase: DetectPhase) => {
    const now = performance.now();
    input.onPhase?.(phase, now - lapAt);
    lapAt = now;
  };
  const opts: DetectOptions = { ...DEFAULT_DETECT_OPTIONS, ...input.options };
  const built = buildAccountGraph(input.posts, input.accounts, opts.graph);
  const { graph } = built;
  lap('graph');
  const ctx = buildContext(built.posts, built.accounts, built);
  lap('context');
  const { communities, modularity } = detectCommunities(graph, opts.communities);
  lap('communities');

  const candidates: CandidateGroup[] = [];
  const ringDrafts: { members: string[]; score: number; indicators: Indicator[]; products: string[]; posts: number[] }[] = [];
  // Groups that do not score as rings are split again on their own subgraph (resolution
  // limit: a small ring inside a big organic cluster), up to refineDepth times.
  type Group = MergeGroup & { indicators: Indicator[] };
  // Group indicators judge co-shares with the window the graph linked them by.
  const indicatorOpts = { coShareWindowMs: opts.graph.coShareWindowMs ?? DEFAULT_GRAPH_OPTIONS.coShareWindowMs, ...opts.indicators };
  const score = (members: string[]): Group => {
    const { indicators, facts } = groupIndicators(members, ctx, graph, indicatorOpts);
    const sc = round(ringScore(indicators), 4);
    return { members, score: sc, indicators, facts, isRing: members.length >= opts.minRingSize && sc >= opts.ringThreshold };
  };
  let scored: Group[] = [];
  let queue = communities.flatMap((c) => (c.length >= 2 ? peelCommunity(graph, c, opts.peelFraction) : [])).map((members) => ({ members, depth: 0 }));
  while (queue.length > 0) {
    const next: typeof queue = [];
    for (const { members, depth } of queue) {
      const g = score(members);
      if (!g.isRing && depth < opts.refineDepth && members.length >= opts.refineMinSize) {
        const parts = subCommunities(graph, members, { resolution: opts.communities.resolution ?? 1, seed: opts.communities.seed ?? 42 });
        if (parts.length > 1) {
          for (const p of parts) for (const sub of peelCommunity(graph, p, opts.peelFraction)) next.push({ members: sub, depth: depth + 1 });
          continue;
        }
      }
      scored.push(g);
    }
    queue = next;
  }
  const bySize = (x: Group, y: Group) => y.members.length - x.members.length || (x.members[0] < y.members[0] ? -1 : 1);
  scored.sort(bySize);

  // Parts of one campaign (same products, same time) join its ring (rings/merge).
  if (opts.merge) {
    const byProduct = new Map<string, number[]>();
    scored.forEach((g, k) => {
      for (const p of g.facts.products) {
        const list = byProduct.get(p);
        if (list) list.push(k);
        else byProduct.set(p, [k]);
      }
    });
    const absorbed = new Set<number>();
    scored.forEach((g, k) => {
      if (!g.isRing || absorbed.has(k)) return;
      for (const part of signatureParts(k, scored, byProduct, ctx, opts.merge ?? {})) {
        if (absorbed.has(part)) continue;
        const merged = score([...new Set([...scored[k].members, ...scored[part].members])].sort());
        if (!merged.isRing) continue;
        scored[k] = merged;
        absorbed.add(part);
      }
    });
    scored = scored.filter((_g, k) => !absorbed.has(k)).sort(bySize);
  }

  // Rings take back the accounts bound to them (largest ring first, no account in two
  // rings); the grown group is kept only when it still scores as a ring.
  const inRing = new Set(scored.filter((c) => c.isRing).flatMap((c) => c.members));
  const weakIndex = opts.weakAttach && inRing.size > 0 ? weightIndex(built.accounts.map((a) => a._id), graph, built.weakEdges, ctx.accountIndex) : null;
  scored = scored.map((c) => {
    if (!c.isRing) return c;
    let grown = attachMembers(graph, c.members, inRing, opts.attach);
    if (weakIndex) {
      const products = new Set(c.facts.products);
      const focus = (a: string) => {
        const ps = ctx.postsByAccount.get(a) ?? [];
        return ps.length ? ps.filter((i) => ctx.productsOfPost[i].some((p) => products.has(p))).length / ps.length : 0;
      };
      grown = [...new Set([...grown, ...weakAttach(weakIndex, grown, inRing, focus, opts.weakAttach ?? {})])].sort();
    }
    if (grown.length === c.members.length) return c;
    const g = score(grown);
    if (!g.isRing) return c;
    for (const m of grown) inRing.add(m);
    return g;
  });
  for (const c of scored) {
    candidates.push({ members: c.members, score: c.score, indicators: c.indicators, products: c.facts.products, isRing: c.isRing });
    if (c.isRing) ringDrafts.push({ members: c.members, score: c.score, indicators: c.indicators, products: c.facts.products, posts: c.facts.posts });
  }

  lap('groups');
  const ids = assignRingIds(ringDrafts, input.previousRings ?? []);
  const escIndex = indexEscalations(input.escalations ?? []);
  const rings: DetectedRing[] = ringDrafts.map((d, k) => {
    const edges = strongestEdges(graph, d.members);
    const times = d.posts.map((i) => ctx.posts[i].createdAt.getTime());
    const firstPostAt = new Date(times.length ? Math.min(...times) : 0);
    const lastPostAt = new Date(times.length ? Math.max(...times) : 0);
    const memberHandles = d.members.map((m) => ctx.accountById.get(m)?.handle ?? m);
    return {
      _id: ids[k],
      members: d.members,
      platforms: [...new Set(d.members.map((m) => ctx.accountById.get(m)?.platform ?? m.split(':')[0]))].sort(),
      products: d.products,
      score: d.score,
      indicators: d.indicators,
      strongestEdges: edges,
      evidencePosts: [...new Set(edges.flatMap((e) => e.posts))].slice(0, 20),
      firstPostAt,
      lastPostAt,
      links: linkRing({ memberHandles, products: d.products, firstPostAt, lastPostAt }, escIndex, opts.links),
      week: isoWeek(firstPostAt),
    };
  });

  const ringOf = new Map<string, { ringId: string; score: number }>();
  for (const r of rings) for (const m of r.members) ringOf.set(m, { ringId: r._id, score: r.score });
  const resolutionOf = (i: number) => built.resolutions.get(ctx.posts[i].platform) ?? 1;
  lap('rings');
  const { accounts, summary } = scoreAccounts(ctx, graph, ringOf, resolutionOf, opts.accountScore, input.labels);
  lap('accounts');

  return {
    rings,
    accounts,
    candidates,
    graph,
    stats: {
      posts: built.stats.posts,
      accounts: built.stats.accounts,
      edges: built.stats.edges,
      nodes: built.stats.nodes,
      candidatePairs: built.stats.candidatePairs,
      communities: communities.length,
      rings: rings.length,
      windowMs: built.windowMs,
      resolutionMs: built.resolutionMs,
      learnedScores: summary.learned ? 1 : 0,
      labelledAccounts: summary.labelledPositives + summary.labelledNegatives,
      weightThreshold: round(built.weightThreshold, 4),
      modularity: round(modularity, 4),
      links: rings.reduce((s, r) => s + r.links.length, 0),
    },
  };
}
