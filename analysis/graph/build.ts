// Builds the account graph of one time window: nodes are accounts with at least one
// surviving co-action edge, edges carry {weight, reasons, posts}. Steps:
//   0. each platform's timestamp resolution (resolution.ts): times are compared as the
//      source can tell them, so day-stamped reviews co-occur only on the same date;
//   1. Δ = configured or estimated (window.ts);
//   2. co-actions per bucket (coactions.ts);
//   3. weight per pair (weight.ts) with creation-time support;
//   4. CooRnet's percentile filter: keep edges with weight ≥ max(minEdgeWeight,
//      quantile(weights, edgeQuantile)).
// Inputs are sorted first so that the same data always gives the same graph (and so the
// same Louvain result).
import Graph from 'graphology';
import { collectCoActions, startNearDuplicates } from './coactions';
import { postProducts } from './products';
import { DEFAULT_GRAPH_OPTIONS, type DetectAccount, type DetectPost, type EdgeAttributes, type GraphOptions, type NodeAttributes, type Reasons } from './types';
import { edgeWeight } from './weight';
import { atResolution, resolutionsBy } from './resolution';
import { estimateCoordinationWindow, quantile } from './window';
import { column, sliced } from '../columns';

export type AccountGraph = Graph<NodeAttributes, EdgeAttributes>;

export interface GraphBuildResult {
  graph: AccountGraph;
  /** Co-review window Δ used, ms (0: only posts at the same time at the source's resolution). */
  windowMs: number;
  /** Timestamp resolution per platform, ms (1 = exact). */
  resolutions: Map<string, number>;
  /** The coarsest of them. */
  resolutionMs: number;
  /** Weight threshold the percentile filter applied. */
  weightThreshold: number;
  /**
   * Edges the percentile filter dropped, as account indices and weights (12 bytes each):
   * too weak to shape communities, still evidence of where an account belongs once a
   * ring is known (rings/attach, weakAttach).
   */
  weakEdges: WeakEdges;
  /** Posts and accounts in sorted order (indices used by later stages). */
  posts: DetectPost[];
  accounts: DetectAccount[];
  /** Each post's account row, the id → row map, each post's products (rings/context takes them over). */
  accountOf: Int32Array;
  accountIndex: ReadonlyMap<string, number>;
  productsOf: string[][];
  stats: { posts: number; accounts: number; candidatePairs: number; edges: number; nodes: number };
}

export interface WeakEdges {
  a: Int32Array;
  b: Int32Array;
  weight: Float32Array;
}

export function sortPosts(posts: readonly DetectPost[]): DetectPost[] {
  // Times read once (a comparator calling getTime() twice per comparison was most of the
  // sort), and a store's or an import's posts usually arrive in this order already.
  const n = posts.length;
  const times = column(Float64Array, n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    times[i] = posts[i].createdAt.getTime();
    if (sorted && i > 0 && comparePosts(times[i - 1], posts[i - 1]._id, times[i], posts[i]._id) > 0) sorted = false;
  }
  if (sorted) return posts.slice();
  const order = Array.from({ length: n }, (_x, i) => i);
  order.sort((x, y) => comparePosts(times[x], posts[x]._id, times[y], posts[y]._id));
  const out = new Array<DetectPost>(n);
  for (let k = 0; k < n; k++) out[k] = posts[order[k]];
  return out;
}

function comparePosts(tx: number, idx: string, ty: number, idy: string): number {
  return tx - ty || (idx < idy ? -1 : idx > idy ? 1 : 0);
}

/** Accounts sorted by id, completed with a stub for every post author missing from the list. */
export function completeAccounts(posts: readonly DetectPost[], accounts: readonly DetectAccount[]): DetectAccount[] {
  return indexAccounts(posts, accounts).accounts;
}

export interface IndexedAccounts {
  /** Sorted by id (completeAccounts). */
  accounts: DetectAccount[];
  /** Post index → index of its account in `accounts`. */
  accountOf: Int32Array;
  /** Account id → index in `accounts`. */
  index: Map<string, number>;
}

/**
 * completeAccounts, and each post's account index with it: one look-up of each post's
 * account id in all (string-keyed look-ups of 194k posts' ids, done again by each step that
 * needed a post's account, were a fifth of the graph build on real co-action data).
 */
export function indexAccounts(posts: readonly DetectPost[], given: readonly DetectAccount[]): IndexedAccounts {
  const list: DetectAccount[] = [];
  const slot = new Map<string, number>();
  for (const a of given) {
    const k = slot.get(a._id);
    if (k === undefined) {
      slot.set(a._id, list.length);
      list.push(a);
    } else list[k] = a; // the last one listed wins, as a Map's set did
  }
  const slotOf = column(Int32Array, posts.length);
  for (let i = 0; i < posts.length; i++) {
    const p = posts[i];
    let k = slot.get(p.accountId);
    if (k === undefined) {
      k = list.length;
      slot.set(p.accountId, k);
      list.push({ _id: p.accountId, platform: p.platform, handle: p.author ?? p.accountId });
    }
    slotOf[i] = k;
  }
  // The ids sorted by the default comparison (UTF-16 code units, as `<` compares strings; the
  // ids are distinct), then each found by the slot map: a comparator calling back into JS for
  // each of n log n comparisons costs more (201k accounts of 961k posts, the whole function:
  // 2.2–2.4 s with it, 1.7–2.3 s without).
  const ids = new Array<string>(list.length);
  for (let k = 0; k < list.length; k++) ids[k] = list[k]._id;
  ids.sort();
  const rank = column(Int32Array, list.length);
  const accounts = new Array<DetectAccount>(list.length);
  for (let r = 0; r < ids.length; r++) {
    const k = slot.get(ids[r]) as number;
    rank[k] = r;
    accounts[r] = list[k];
  }
  const accountOf = column(Int32Array, posts.length);
  for (let i = 0; i < posts.length; i++) accountOf[i] = rank[slotOf[i]];
  // The slot map re-pointed at sorted positions (same keys, no new hashing of the ids).
  for (const [id, k] of slot) slot.set(id, rank[k]);
  return { accounts, accountOf, index: slot };
}

export function buildAccountGraph(
  inputPosts: readonly DetectPost[],
  inputAccounts: readonly DetectAccount[],
  options: Partial<GraphOptions> = {},
): GraphBuildResult {
  const opts: GraphOptions = { ...DEFAULT_GRAPH_OPTIONS, ...options };
  const posts = sortPosts(inputPosts);
  const { accounts, accountOf, index: accountIndex } = indexAccounts(posts, inputAccounts);
  // The near-duplicate step's band part starts first: in a worker (large inputs) it runs
  // while this thread estimates Δ and builds the other co-action buckets.
  const nearDuplicates = startNearDuplicates(posts, accounts, accountOf, opts);
  const resolutions = resolutionsBy(posts, (p) => p.platform, (p) => p.createdAt.getTime());
  const resolutionMs = Math.max(1, ...resolutions.values());
  // Δ comes from the sources that can show it: dates-only sources (resolution ≥ the
  // largest Δ) are left out of the estimate, and their times, floored to the date, only
  // co-occur on the same date whatever Δ the finer sources give (Δ < 1 day); with no finer
  // source Δ is 0. A crawled Reddit world keeps its minutes-wide Δ next to an imported
  // review export.
  // Each post's products once, for Δ and the co-review buckets.
  const productsOf = posts.map(postProducts);
  const isFine = (p: DetectPost) => (resolutions.get(p.platform) ?? 1) < opts.maxWindowMs;
  const fineResolution = Math.max(1, ...[...resolutions.values()].filter((r) => r < opts.maxWindowMs));
  const windowMs = opts.coordinationWindowMs ?? estimateFineWindow(posts, productsOf, isFine, opts, fineResolution);
  const timeOf = (p: DetectPost) => atResolution(p.createdAt.getTime(), resolutions.get(p.platform) ?? 1);

  const pairs = collectCoActions({ posts, accounts, accountIndex, accountOf, productsOf, windowMs, opts, timeOf, nearDuplicates });
  // The reasons of a pair with the creation-time support (rebuilt for kept edges only, so
  // dropped pairs leave no objects behind).
  const reasonsOf = (id: number): Reasons => {
    const reasons = pairs.reasons(id);
    const ca = accounts[pairs.a[id]].createdAt;
    const cb = accounts[pairs.b[id]].createdAt;
    if (ca && cb) {
      const d = Math.abs(ca.getTime() - cb.getTime());
      if (d <= opts.creationWindowMs) reasons.creation = 1 - d / opts.creationWindowMs;
    }
    return reasons;
  };
  const weightOf = column(Float64Array, pairs.size);
  const scored: number[] = [];
  for (let id = 0; id < pairs.size; id++) {
    const weight = edgeWeight(reasonsOf(id));
    weightOf[id] = weight;
    if (weight > 0) scored.push(id);
  }
  const weights = column(Float64Array, scored.length);
  for (let k = 0; k < scored.length; k++) weights[k] = weightOf[scored[k]];
  weights.sort();
  const q = weights.length > 0 ? quantile(weights, opts.edgeQuantile) : 0;
  const weightThreshold = Math.max(opts.minEdgeWeight, q);

  const kept: number[] = [];
  const dropped: number[] = [];
  for (const id of sortByPair(scored, pairs.a, pairs.b, accounts.length)) (weightOf[id] >= weightThreshold ? kept : dropped).push(id);
  // Index loops, not TypedArray.from(array, f): that iterates (an object per element).
  const weakEdges: WeakEdges = { a: column(Int32Array, dropped.length), b: column(Int32Array, dropped.length), weight: column(Float32Array, dropped.length) };
  for (let k = 0; k < dropped.length; k++) {
    weakEdges.a[k] = pairs.a[dropped[k]];
    weakEdges.b[k] = pairs.b[dropped[k]];
    weakEdges.weight[k] = weightOf[dropped[k]];
  }
  const graph: AccountGraph = new Graph({ type: 'undirected', multi: false, allowSelfLoops: false });
  const nodes = new Set<number>();
  for (const id of kept) {
    nodes.add(pairs.a[id]);
    nodes.add(pairs.b[id]);
  }
  for (const i of [...nodes].sort((x, y) => x - y)) {
    graph.addNode(accounts[i]._id, { platform: accounts[i].platform, handle: accounts[i].handle });
  }
  for (const id of kept) {
    const attrs: EdgeAttributes = { weight: weightOf[id], reasons: reasonsOf(id), posts: pairs.posts(id).map((i) => posts[i]._id) };
    graph.addUndirectedEdge(accounts[pairs.a[id]]._id, accounts[pairs.b[id]]._id, attrs);
  }

  return {
    graph,
    windowMs,
    resolutions,
    resolutionMs,
    weightThreshold,
    weakEdges,
    posts,
    accounts,
    accountOf,
    accountIndex,
    productsOf,
    stats: { posts: posts.length, accounts: accounts.length, candidatePairs: pairs.size, edges: graph.size, nodes: graph.order },
  };
}

/** Δ from the posts `isFine` keeps (estimateCoordinationWindow); 0 when it keeps none. */
function estimateFineWindow(
  posts: readonly DetectPost[],
  productsOf: readonly string[][],
  isFine: (p: DetectPost) => boolean,
  opts: GraphOptions,
  resolutionMs: number,
): number {
  if (posts.every(isFine)) return posts.length > 0 ? estimateCoordinationWindow(posts, opts, resolutionMs, productsOf) : 0;
  const keep = posts.map(isFine);
  const fine = posts.filter((_p, i) => keep[i]);
  return fine.length > 0 ? estimateCoordinationWindow(fine, opts, resolutionMs, productsOf.filter((_x, i) => keep[i])) : 0;
}

/**
 * Numbers of distinct pairs (a[id] < b[id] < n) in (a, b) order: counted out by a, then
 * each account's run by b. Linear but for the runs, where two comparison sorts over all
 * edges were not.
 */
export function sortByPair(ids: readonly number[], a: ArrayLike<number>, b: ArrayLike<number>, n: number): number[] {
  const start = column(Int32Array, n + 1);
  for (let k = 0; k < ids.length; k++) start[a[ids[k]] + 1]++;
  for (let i = 0; i < n; i++) start[i + 1] += start[i];
  const at = sliced(start, n);
  const out = new Array<number>(ids.length);
  for (let k = 0; k < ids.length; k++) out[at[a[ids[k]]]++] = ids[k];
  for (let i = 0; i < n; i++) {
    const lo = start[i];
    const hi = start[i + 1];
    if (hi - lo < 2) continue;
    const run = out.slice(lo, hi).sort((x, y) => b[x] - b[y]);
    for (let k = 0; k < run.length; k++) out[lo + k] = run[k];
  }
  return out;
}
